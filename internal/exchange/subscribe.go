package exchange

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/vigil-med/vigil/internal/csaf/provider"
	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/netguard"
	"github.com/vigil-med/vigil/internal/notify"
	"github.com/vigil-med/vigil/internal/store"
)

// EventAdvisory is the notification sent when a synced advisory affects installed devices.
const EventAdvisory = "exchange.advisory"

// SubscriptionInput creates a subscription.
type SubscriptionInput struct {
	URL        string   `json:"url" doc:"the provider's domain, origin or provider-metadata.json URL"`
	Name       string   `json:"name,omitempty" doc:"default: the provider's publisher name"`
	Kind       string   `json:"kind,omitempty" doc:"vigil or csaf (default: vigil for /exchange/ URLs, else csaf)"`
	Key        string   `json:"key,omitempty" doc:"the provider's armoured OpenPGP public key to pin; default: the key the provider lists, pinned now"`
	Token      string   `json:"token,omitempty" doc:"subscriber token for TLP:GREEN/AMBER documents (stored, never returned)"`
	TLP        []string `json:"tlp,omitempty" doc:"labels to fetch; default WHITE, or WHITE GREEN AMBER with a token"`
	EveryHours *int     `json:"every_hours,omitempty" doc:"scheduled sync period in hours (default 24; 0: on demand only)"`
}

func (s *Service) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	return netguard.Client(60 * time.Second)
}

// tokenClient adds the subscriber token to requests to the provider's host (and only there).
func tokenClient(base *http.Client, host, token string) *http.Client {
	if token == "" {
		return base
	}
	c := *base
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	c.Transport = roundTripper(func(r *http.Request) (*http.Response, error) {
		if r.URL.Host == host {
			r = r.Clone(r.Context())
			r.Header.Set("Authorization", "Bearer "+token)
		}
		return rt.RoundTrip(r)
	})
	return &c
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func hostOf(target string) string {
	if u, err := url.Parse(target); err == nil && u.Host != "" {
		return u.Host
	}
	return strings.SplitN(target, "/", 2)[0]
}

// Subscribe checks the provider (discovers and reads its metadata), pins its signing key (the one given,
// else the one the metadata lists, checked against its fingerprint) and stores the subscription.
func (s *Service) Subscribe(ctx context.Context, sc *store.Scope, in SubscriptionInput) (domain.Subscription, error) {
	sub := domain.Subscription{URL: strings.TrimSpace(in.URL), Name: strings.TrimSpace(in.Name), Kind: in.Kind, Token: strings.TrimSpace(in.Token),
		EveryHours: 24}
	if sub.URL == "" || len(sub.URL) > 2000 {
		return sub, domain.Invalid("url", "is required: the provider's domain or provider-metadata.json URL")
	}
	if u, err := url.Parse(sub.URL); err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https") {
		return sub, domain.Invalid("url", "%q is not an http(s) URL or a domain", sub.URL)
	}
	if in.EveryHours != nil {
		if *in.EveryHours < 0 || *in.EveryHours > 24*31 {
			return sub, domain.Invalid("every_hours", "must be between 0 and 744")
		}
		sub.EveryHours = *in.EveryHours
	}
	switch sub.Kind {
	case "":
		sub.Kind = domain.SubscriptionCSAF
		if strings.Contains(sub.URL, "/exchange/") {
			sub.Kind = domain.SubscriptionVigil
		}
	case domain.SubscriptionCSAF, domain.SubscriptionVigil:
	default:
		return sub, domain.Invalid("kind", "unknown kind %q (allowed: vigil, csaf)", sub.Kind)
	}
	sub.TLP = nil
	for _, t := range in.TLP {
		l, err := domain.NormalizeTLP("tlp", t)
		if err != nil {
			return sub, err
		}
		if !slices.Contains(sub.TLP, l) {
			sub.TLP = append(sub.TLP, l)
		}
	}
	if len(sub.TLP) == 0 {
		sub.TLP = []string{"WHITE"}
		if sub.Token != "" {
			sub.TLP = []string{"WHITE", "GREEN", "AMBER"}
		}
	}
	client := tokenClient(s.client(), hostOf(sub.URL), sub.Token)
	md, err := provider.Discover(ctx, client, sub.URL)
	if err != nil {
		return sub, domain.Invalid("url", "no CSAF provider found: %v", err)
	}
	if sub.Name == "" {
		sub.Name = md.Publisher.Name
	}
	var keys openpgp.EntityList
	if in.Key != "" {
		if keys, err = provider.ReadArmoredKeys([]byte(in.Key)); err != nil {
			return sub, domain.Invalid("key", "%v", err)
		}
	} else {
		keys, err = metadataKeys(ctx, client, md)
		if err != nil {
			return sub, domain.Invalid("key", "%v; give the provider's key with --key", err)
		}
	}
	var armored bytes.Buffer
	var fps []string
	for _, k := range keys {
		a, err := provider.ArmorPublicKey(k)
		if err != nil {
			return sub, err
		}
		armored.Write(a)
		fps = append(fps, provider.Fingerprint(k))
	}
	sub.KeyPin, sub.KeyFingerprint = armored.String(), strings.Join(fps, " ")
	err = sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateSubscription(ctx, &sub) })
	return sub, err
}

// metadataKeys downloads the keys the metadata lists, keeping those whose fingerprint matches.
func metadataKeys(ctx context.Context, client *http.Client, md *provider.Metadata) (openpgp.EntityList, error) {
	var out openpgp.EntityList
	var probs []string
	for _, pk := range md.PublicKeys {
		u := pk.URL
		if ref, err := url.Parse(pk.URL); err == nil && md.URL != "" {
			if b, err := url.Parse(md.URL); err == nil {
				u = b.ResolveReference(ref).String()
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			probs = append(probs, err.Error())
			continue
		}
		resp, err := client.Do(req)
		if err != nil {
			probs = append(probs, err.Error())
			continue
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, provider.MaxMetadataSize+1))
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || int64(len(data)) > provider.MaxMetadataSize {
			probs = append(probs, fmt.Sprintf("%s: HTTP %d", u, resp.StatusCode))
			continue
		}
		el, err := provider.ReadArmoredKeys(data)
		if err != nil {
			probs = append(probs, u+": "+err.Error())
			continue
		}
		for _, e := range el {
			if fp := provider.Fingerprint(e); pk.Fingerprint != "" && !strings.EqualFold(fp, pk.Fingerprint) {
				probs = append(probs, fmt.Sprintf("%s: fingerprint %s does not match %s in the metadata", u, fp, pk.Fingerprint))
				continue
			}
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		if len(probs) == 0 {
			probs = append(probs, "the provider lists no public key")
		}
		return nil, fmt.Errorf("no usable signing key: %s", strings.Join(probs, "; "))
	}
	return out, nil
}

// SyncedAdvisory is an advisory a sync imported, with the installed devices it affects.
type SyncedAdvisory struct {
	AdvisoryID int64                   `json:"advisory_id"`
	Name       string                  `json:"name"`
	Action     string                  `json:"action" doc:"created or updated"`
	Devices    []domain.AffectedDevice `json:"devices"`
}

// SyncResult is what a sync did.
type SyncResult struct {
	Subscription domain.Subscription `json:"subscription"`
	Documents    int                 `json:"documents" doc:"documents listed and downloaded"`
	Imported     int                 `json:"imported"`
	Unchanged    int                 `json:"unchanged"`
	Rejected     []string            `json:"rejected" doc:"documents refused, with the reason (hash, signature, validation)"`
	Advisories   []SyncedAdvisory    `json:"advisories"`
	Disclosures  int                 `json:"disclosures" doc:"VEX and SBOM files imported (Vigil providers)"`
	Notes        []string            `json:"notes"`
	Report       *disclosure.Report  `json:"report,omitempty"`
}

// Summary is one line about the sync.
func (r SyncResult) Summary() string {
	n := 0
	for _, a := range r.Advisories {
		n += len(a.Devices)
	}
	out := fmt.Sprintf("%d documents: %d imported, %d unchanged, %d rejected; %d affected devices", r.Documents, r.Imported, r.Unchanged,
		len(r.Rejected), n)
	if r.Disclosures > 0 {
		out += fmt.Sprintf("; %d VEX/SBOM files", r.Disclosures)
	}
	return out
}

// Sync fetches the subscription's provider (each document checked against its SHA-256/512 files and its
// OpenPGP signature with the pinned key; documents failing a check are rejected), imports the documents
// through the disclosures' CSAF import (a transaction per document, mapped to the inventory), and
// notifies about every new or updated advisory that affects installed devices.
func (s *Service) Sync(ctx context.Context, sc *store.Scope, id int64) (SyncResult, error) {
	res := SyncResult{Rejected: []string{}, Advisories: []SyncedAdvisory{}, Notes: []string{}}
	sub, err := sc.Subscription(ctx, id)
	if err != nil {
		return res, err
	}
	at := s.now()
	fail := func(err error) (SyncResult, error) {
		msg := err.Error()
		if de, ok := err.(*domain.Error); ok {
			msg = de.Message
		}
		if werr := sc.Write(ctx, func(tx *store.Tx) error { return tx.RecordSubscriptionSync(ctx, id, at, "", msg, 0) }); werr != nil {
			return res, werr
		}
		res.Subscription, _ = sc.Subscription(ctx, id)
		return res, err
	}
	opts := disclosure.ProviderOptions{Client: tokenClient(s.client(), hostOf(sub.URL), sub.Token), Key: []byte(sub.KeyPin), TLP: sub.TLP, RequireHash: true}
	if sub.LastSuccess != nil {
		opts.Since = sub.LastSuccess.Add(-7 * 24 * time.Hour) // a margin for clocks and late listings; known documents are skipped
	}
	if len(opts.Key) == 0 {
		return fail(domain.Invalid("key", "the subscription has no pinned key"))
	}
	inputs, notes, err := disclosure.FetchCSAF(ctx, sub.URL, opts)
	if err != nil {
		return fail(err)
	}
	res.Notes = append(res.Notes, notes...)
	res.Documents = len(inputs)
	var good []disclosure.Input
	for _, in := range inputs {
		if in.Err != nil {
			res.Rejected = append(res.Rejected, in.Source.Ref+": "+in.Err.Error())
			continue
		}
		good = append(good, in)
	}
	if len(good) > 0 {
		rep, ierr := disclosure.ImportCSAFBatch(ctx, sc, good)
		res.Report = rep
		if ierr != nil && domain.ErrorCode(ierr) != domain.EInvalid {
			return fail(ierr)
		}
		for _, e := range rep.Errors {
			res.Rejected = append(res.Rejected, e.File+": "+e.Message)
		}
		for _, ch := range rep.Changes {
			if ch.What != "advisory" {
				continue
			}
			if ch.Action == disclosure.Skipped {
				res.Unchanged++
				continue
			}
			res.Imported++
			devs, err := sc.AdvisoryAffectedDevices(ctx, ch.ID)
			if err != nil {
				return fail(err)
			}
			res.Advisories = append(res.Advisories, SyncedAdvisory{AdvisoryID: ch.ID, Name: ch.Name, Action: ch.Action, Devices: devs})
		}
	}
	n, rej, err := s.syncDocuments(ctx, sc, opts.Client, sub)
	if err != nil {
		res.Notes = append(res.Notes, "VEX and SBOM index: "+err.Error())
	}
	res.Disclosures, res.Rejected = n, append(res.Rejected, rej...)
	errText := ""
	if len(res.Rejected) > 0 {
		errText = fmt.Sprintf("%d documents rejected: %s", len(res.Rejected), strings.Join(res.Rejected[:min(3, len(res.Rejected))], "; "))
	}
	err = sc.Write(ctx, func(tx *store.Tx) error {
		if err := tx.RecordSubscriptionSync(ctx, id, at, res.Summary(), errText, res.Imported); err != nil {
			return err
		}
		for _, a := range res.Advisories {
			if len(a.Devices) == 0 || s.Notifier == nil {
				continue
			}
			if err := s.notifyAffected(ctx, tx, sub, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	res.Subscription, err = sc.Subscription(ctx, id)
	return res, err
}

// notifyAffected tells the security officers, clinical engineers and the devices' owners (users whose
// e-mail or name is a device's owner) which devices an advisory affects and what to do.
func (s *Service) notifyAffected(ctx context.Context, tx *store.Tx, sub domain.Subscription, a SyncedAdvisory) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (from %s) affects %d installed devices:\n", a.Name, sub.Name, len(a.Devices))
	owners := map[string]bool{}
	seen := map[int64]bool{}
	for _, d := range a.Devices {
		if seen[d.AssetID] {
			continue
		}
		seen[d.AssetID] = true
		name := d.AssetTag
		if name == "" {
			name = "S/N " + d.Serial
		}
		fmt.Fprintf(&b, "- %s %s %s", name, d.Product, d.Version)
		if d.Owner != "" {
			fmt.Fprintf(&b, " (owner: %s)", d.Owner)
			owners[strings.ToLower(d.Owner)] = true
		}
		b.WriteString("\n")
	}
	if r := a.Devices[0].Remediation; r != "" {
		fmt.Fprintf(&b, "\nRemediation: %s\n", r)
	}
	var ids []int64
	if len(owners) > 0 {
		users, err := tx.Scope().Users(ctx, domain.ListParams{Limit: domain.MaxPageSize})
		if err != nil {
			return err
		}
		for _, u := range users.Items {
			if owners[strings.ToLower(u.Email)] || owners[strings.ToLower(u.Name)] {
				ids = append(ids, u.ID)
			}
		}
	}
	assets := make([]int64, 0, len(seen))
	for id := range seen {
		assets = append(assets, id)
	}
	slices.Sort(assets)
	return s.Notifier.Notify(ctx, tx, notify.Message{Event: EventAdvisory, Subject: fmt.Sprintf("%s affects %d devices", a.Name, len(seen)),
		Body: b.String(), Link: fmt.Sprintf("/disclosures/advisories/%d", a.AdvisoryID), UserIDs: ids,
		Roles: []domain.Role{domain.RoleSecurityOfficer, domain.RoleClinicalEngineer},
		Data:  map[string]any{"advisory_id": a.AdvisoryID, "subscription_id": sub.ID, "assets": assets, "remediation": a.Devices[0].Remediation}})
}

// SyncDue syncs every subscription whose schedule is due (the scheduled job).
func (s *Service) SyncDue(ctx context.Context) (string, error) {
	due, err := s.Store.DueSubscriptions(ctx, s.now())
	if err != nil {
		return "", err
	}
	n, failed := 0, 0
	for org, ids := range due {
		sc := s.Store.Scope(org)
		actx := domain.WithActor(ctx, domain.Actor{Kind: domain.ActorSystem, Name: "subscription sync", OrgID: org, Role: domain.RoleAdmin})
		for _, id := range ids {
			n++
			if _, err := s.Sync(actx, sc, id); err != nil {
				failed++
				s.Log.Warn("subscription sync failed", "org", org, "subscription", id, "err", err)
			}
		}
	}
	return fmt.Sprintf("synced %d subscriptions (%d failed)", n, failed), nil
}
