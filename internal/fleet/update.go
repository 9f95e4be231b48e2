package fleet

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/notify"
	"github.com/vigil-med/vigil/internal/store"
)

// EventKEV is the notification sent when vulnerabilities of open findings become known exploited
// (CISA KEV or EU KEV).
const EventKEV = "vuln.kev"

// changeBatch is the number of feed changes read at a time.
const changeBatch = 500

// UpdateResult says what an Update did.
type UpdateResult struct {
	Full        bool   // the organisation was matched in full (its first match)
	Documents   Result // re-match of product versions whose documents changed
	Feeds       Result // re-match of the components feed changes touched
	Changes     int    // feed changes read
	Keys        int    // match keys they named
	KEVNotified int    // vulnerabilities notified as known exploited
}

func (u UpdateResult) String() string {
	if u.Full {
		return "full match: " + u.Documents.String()
	}
	return fmt.Sprintf("documents: %d product versions re-matched; feeds: %d changes, %d keys, %d product versions re-matched (%d new, %d changed, %d gone); %d KEV notifications",
		u.Documents.ProductVersions, u.Changes, u.Keys, u.Feeds.ProductVersions, u.Feeds.Created, u.Feeds.Updated, u.Feeds.Gone, u.KEVNotified)
}

// Update brings an organisation's findings up to date: the first time a full match; afterwards a
// re-match of the product versions whose SBOM or VEX statements changed since the last run, and of
// only the components that the feed changes since the recorded generation name (feed_changes
// match keys). Then it notifies new known-exploited findings.
func (s *Service) Update(ctx context.Context, org int64) (UpdateResult, error) {
	var u UpdateResult
	sc := s.Store.Scope(org)
	st, err := sc.FleetMatchState(ctx)
	if err != nil {
		return u, err
	}
	if st.LastFull == nil {
		has, err := sc.FleetHasDisclosures(ctx)
		if err != nil || !has {
			return u, err
		}
		u.Full = true
		if u.Documents, err = s.MatchAll(ctx, org, nil); err != nil {
			return u, err
		}
		u.KEVNotified, err = s.NotifyKEV(ctx, org)
		return u, err
	}
	// Documents changed since the last run (a margin for transactions that committed late).
	var docs []int64
	if st.LastRun != nil {
		margin := s.DocumentMargin
		switch {
		case margin == 0:
			margin = 5 * time.Second
		case margin < 0:
			margin = 0
		}
		if docs, err = sc.FleetChangedVersions(ctx, st.LastRun.Add(-margin)); err != nil {
			return u, err
		}
	}
	if len(docs) > 0 {
		if u.Documents, err = s.MatchVersions(ctx, org, docs, nil, nil); err != nil {
			return u, err
		}
	}
	// Feed changes since the recorded generation.
	gen := st.FeedGeneration
	keys := map[match.Key]bool{}
	// The vulnerabilities the changes created, changed or removed: only their findings can change.
	// A change that names keys but no vulnerabilities (or too many to list) re-matches them all.
	vulns, allVulns := map[string]bool{}, false
	for {
		changes, err := s.Store.FeedChanges(ctx, gen, changeBatch)
		if err != nil {
			return u, err
		}
		for _, c := range changes {
			named := false
			for _, k := range c.MatchKeys {
				if key, ok := ParseKey(k); ok {
					keys[key], named = true, true
				}
			}
			if named {
				if c.AllVulns || len(c.VulnIDs)+len(c.RemovedIDs) == 0 {
					allVulns = true
				}
				for _, ids := range [][]string{c.VulnIDs, c.RemovedIDs} {
					for _, id := range ids {
						vulns[id] = true
					}
				}
			}
			gen = c.ID
		}
		u.Changes += len(changes)
		if len(changes) < changeBatch {
			break
		}
	}
	u.Keys = len(keys)
	if gen != st.FeedGeneration {
		var ids []int64
		var ks []match.Key
		if len(keys) > 0 {
			c, err := s.components(ctx, sc)
			if err != nil {
				return u, err
			}
			for k := range keys {
				ks = append(ks, k)
			}
			for _, p := range c.index.ProductVersions(ks) {
				if id, err := strconv.ParseInt(p, 10, 64); err == nil && !slices.Contains(docs, id) {
					ids = append(ids, id)
				}
			}
		}
		if len(ids) == 0 {
			// nothing of this organisation is touched: only record the generation
			if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.SaveFleetMatchState(ctx, gen, false, 0) }); err != nil {
				return u, err
			}
		} else {
			var vs []string
			if !allVulns {
				vs = make([]string, 0, len(vulns))
				for v := range vulns {
					vs = append(vs, v)
				}
				slices.Sort(vs)
			}
			if u.Feeds, err = s.match(ctx, org, ids, ks, vs, nil, gen); err != nil {
				return u, err
			}
		}
	}
	if u.Changes > 0 || len(docs) > 0 { // only new findings or new KEV listings can need a notification
		u.KEVNotified, err = s.NotifyKEV(ctx, org)
	}
	return u, err
}

// NotifyKEV sends one vuln.kev notification listing the vulnerabilities of open findings that are
// known exploited and were not notified before, and marks those findings notified. It returns the
// number of vulnerabilities notified (0 without a notifier).
func (s *Service) NotifyKEV(ctx context.Context, org int64) (int, error) {
	if s.Notifier == nil {
		return 0, nil
	}
	sc := s.Store.Scope(org)
	fs, err := sc.FleetUnnotifiedKEV(ctx)
	if err != nil || len(fs) == 0 {
		return 0, err
	}
	type vulnSum struct {
		id, summary   string
		cisa, eu      bool
		versions      map[int64]bool
		devices       int
		findings      []int64
		productLabels []string
	}
	var order []string
	by := map[string]*vulnSum{}
	var ids []int64
	for _, f := range fs {
		v := by[f.VulnID]
		if v == nil {
			v = &vulnSum{id: f.VulnID, summary: f.Summary, cisa: f.CISAKEV, eu: f.EUKEV, versions: map[int64]bool{}}
			by[f.VulnID] = v
			order = append(order, f.VulnID)
		}
		if !v.versions[f.ProductVersionID] {
			v.versions[f.ProductVersionID] = true
			v.devices += f.Installed
			v.productLabels = append(v.productLabels, f.Manufacturer+" "+f.Product+" "+f.Version)
		}
		v.findings = append(v.findings, f.ID)
		ids = append(ids, f.ID)
	}
	var b strings.Builder
	var data []map[string]any
	for _, id := range order {
		v := by[id]
		var lists []string
		if v.cisa {
			lists = append(lists, "CISA KEV")
		}
		if v.eu {
			lists = append(lists, "EU KEV")
		}
		fmt.Fprintf(&b, "%s (%s): %d product versions, %d devices: %s\n", v.id, strings.Join(lists, ", "), len(v.versions), v.devices,
			strings.Join(v.productLabels, "; "))
		if v.summary != "" {
			fmt.Fprintf(&b, "  %s\n", v.summary)
		}
		data = append(data, map[string]any{"vulnerability": v.id, "cisa_kev": v.cisa, "eu_kev": v.eu, "product_versions": len(v.versions),
			"devices": v.devices, "findings": v.findings})
	}
	subject := fmt.Sprintf("%s is known exploited and affects your devices", order[0])
	link := "/vulnerabilities/db/" + order[0]
	if len(order) > 1 {
		subject = fmt.Sprintf("%d vulnerabilities affecting your devices are known exploited", len(order))
		link = "/vulnerabilities?kev=1"
	}
	err = sc.Write(ctx, func(tx *store.Tx) error {
		if err := s.Notifier.Notify(ctx, tx, notify.Message{Event: EventKEV, Subject: subject, Body: b.String(), Link: link,
			Data: map[string]any{"vulnerabilities": data}}); err != nil {
			return err
		}
		return tx.MarkKEVNotified(ctx, ids)
	})
	if err != nil {
		return 0, err
	}
	return len(order), nil
}

// UpdateAll runs Update for every organisation; an organisation's failure is logged and the others
// go on. It returns the first error.
func (s *Service) UpdateAll(ctx context.Context) error {
	orgs, err := s.Store.Orgs(ctx)
	if err != nil {
		return err
	}
	var first error
	for _, o := range orgs {
		u, err := s.Update(ctx, o.ID)
		if err != nil {
			s.Log.Warn("fleet update", "org", o.ID, "err", err)
			if first == nil {
				first = err
			}
			continue
		}
		if u.Full || u.Documents.ProductVersions > 0 || u.Feeds.ProductVersions > 0 || u.KEVNotified > 0 {
			s.Log.Info("fleet update", "org", o.ID, "result", u.String())
		}
	}
	return first
}
