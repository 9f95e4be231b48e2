// Package fleet is the fleet matching of issue 4: it matches the SBOM components of every product
// version of an organisation against the vulnerability database (internal/match over the index of
// internal/vulndb), applies the manufacturers' CSAF product status and every VEX statement (the
// hospital's over the manufacturer's, see match.ApplyVEX), and stores the findings
// (store.ReplaceFleetFindings) so that every installed asset of a product version inherits them.
// Matching runs once per product version, in the background (jobs "fleet.match"), and after a feed
// change or a document import only for what the change touches. Triage keeps its state across
// re-matches because findings are keyed by product version, component and vulnerability.
package fleet

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/notify"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/vex"
	"github.com/vigil-med/vigil/internal/vuln"
)

// IndexSource gives the current match index and the feed generation it reflects (vulndb.Service).
type IndexSource interface {
	Index(ctx context.Context) (*match.Index, error)
}

// Service matches an installation's fleets.
type Service struct {
	Store *store.Store
	Feeds IndexSource
	Log   *slog.Logger
	// Events receives what a match changed; may be nil.
	Events func(ctx context.Context, org int64, res Result)
	// DocumentMargin is how far before the last run Update looks for changed documents (transactions
	// that committed late); 0 means 5 s, negative none.
	DocumentMargin time.Duration
	// Notifier sends the vuln.kev notifications (nil: none).
	Notifier *notify.Notifier
	// Rematch queues a re-match of product versions (a fleet.match job); nil re-matches at once.
	Rematch func(ctx context.Context, org int64, ids []int64, why string)

	mu    sync.Mutex
	cache map[int64]*orgComponents
	// componentsRead counts the components read into the cache (tests: an SBOM import re-reads only
	// its product version's).
	componentsRead atomic.Int64
}

// New returns the service.
func New(st *store.Store, feeds IndexSource, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{Store: st, Feeds: feeds, Log: log}
}

// Result summarises a match.
type Result struct {
	ProductVersions int           `json:"product_versions"`
	Components      int           `json:"components"`
	Findings        int           `json:"findings"`
	Active          int           `json:"active"`
	Created         int           `json:"created"`
	Updated         int           `json:"updated"`
	Unchanged       int           `json:"unchanged"`
	Gone            int           `json:"gone"`
	Generation      int64         `json:"generation"`
	Took            time.Duration `json:"took_ns"`
}

func (r Result) String() string {
	return fmt.Sprintf("%d product versions, %d components: %d findings (%d active); %d new, %d changed, %d unchanged, %d gone in %s",
		r.ProductVersions, r.Components, r.Findings, r.Active, r.Created, r.Updated, r.Unchanged, r.Gone, r.Took.Round(time.Millisecond))
}

// Progress reports how many of the product versions are done.
type Progress func(done, total int)

// chunkSize is the number of product versions matched and stored per step (bounds memory: the findings
// of two chunks are held at a time, the one being stored and the one being matched). On SQLite 25:
// 35 MB less at the peak of a 50,000-device full match than 50, no slower. On PostgreSQL 50: each
// chunk costs round trips (25 made the full match 8 % slower), and the database's memory is not the
// process's.
func chunkSize(engine string) int {
	if engine == "postgres" {
		return 50
	}
	return 25
}

// MatchAll matches every product version of the organisation and replaces all its findings, in one
// transaction; the findings then reflect the current feed generation.
func (s *Service) MatchAll(ctx context.Context, org int64, progress Progress) (Result, error) {
	gen, err := s.Store.FeedGeneration(ctx)
	if err != nil {
		return Result{}, err
	}
	return s.match(ctx, org, nil, nil, nil, progress, gen)
}

// MatchVersions re-matches the given product versions (all their components when keys is nil, else
// only the components with one of the keys) and replaces their findings. The recorded feed
// generation stays (see Update for feed changes).
func (s *Service) MatchVersions(ctx context.Context, org int64, ids []int64, keys []match.Key, progress Progress) (Result, error) {
	return s.MatchChange(ctx, org, ids, keys, nil, progress)
}

// MatchChange re-matches what a feed change touched: the components with one of the keys in the
// given product versions, and of their findings only those of the vulnerabilities the change
// created, changed or removed (vulns; nil: every vulnerability, as MatchVersions). Findings of the
// package's other vulnerabilities cannot change, so they are neither read nor compared.
func (s *Service) MatchChange(ctx context.Context, org int64, ids []int64, keys []match.Key, vulns []string, progress Progress) (Result, error) {
	if len(ids) == 0 {
		return Result{}, nil
	}
	return s.match(ctx, org, ids, keys, vulns, progress, -1)
}

// match re-matches ids (every product version when nil), keeping only the findings of vulns when it
// is not nil, and records gen as the feed generation the findings reflect (-1: keep the recorded one).
func (s *Service) match(ctx context.Context, org int64, ids []int64, keys []match.Key, vulns []string, progress Progress, gen int64) (Result, error) {
	start := time.Now()
	var res Result
	idx, err := s.Feeds.Index(ctx)
	if err != nil {
		return res, err
	}
	sc := s.Store.Scope(org)
	full := ids == nil
	if full {
		if ids, err = sc.FleetVersionIDs(ctx); err != nil {
			return res, err
		}
	}
	in, err := s.loadInput(ctx, sc, ids, full)
	if err != nil {
		return res, err
	}
	if vulns != nil {
		in.vulnList, in.vulns = vulns, make(map[string]bool, len(vulns))
		for _, v := range vulns {
			in.vulns[v] = true
		}
	}
	res.ProductVersions = len(ids)
	// A feed change re-matches only the components with its keys: the component index says where they are.
	var only map[string][]int
	if keys != nil && in.index != nil {
		only = in.index.ComponentsByVersion(keys)
	}
	err = sc.Write(ctx, func(tx *store.Tx) error {
		if full {
			if err := tx.PreloadFindingMatches(ctx); err != nil {
				return err
			}
		}
		// One goroutine matches the next chunk while this one stores the last: on two cores the
		// matching is then hidden behind the writing.
		mctx, cancel := context.WithCancel(ctx)
		chunks := in.matchChunks(mctx, idx, ids, keys, only, chunkSize(s.Store.Engine()))
		defer func() {
			cancel()
			for range chunks { // let the matcher end
			}
		}()
		for c := range chunks {
			if c.err != nil {
				return c.err
			}
			res.Components += c.components
			r, err := tx.ReplacePreparedFleetFindings(ctx, c.scopes, c.found)
			if err != nil {
				return err
			}
			// an SBOM may list a component twice: its findings are stored, and counted, once
			res.Findings += r.Created + r.Updated + r.Unchanged
			res.Active += r.Active
			res.Created, res.Updated, res.Unchanged, res.Gone = res.Created+r.Created, res.Updated+r.Updated, res.Unchanged+r.Unchanged, res.Gone+r.Gone
			c.release()
			if progress != nil {
				progress(c.done, len(ids))
			}
		}
		if gen < 0 {
			st, err := tx.Scope().FleetMatchState(ctx)
			if err != nil {
				return err
			}
			gen = st.FeedGeneration
		}
		res.Generation = gen
		if full {
			// Every product version was matched: the active findings are the ones just stored, and
			// the contents no finding refers to any more can go.
			if _, err := tx.PruneFindingMatches(ctx); err != nil {
				return err
			}
			return tx.SaveFleetMatchState(ctx, gen, true, res.Active)
		}
		return tx.SaveFleetMatchState(ctx, gen, false, res.Created-res.Gone)
	})
	res.Took = time.Since(start)
	if err == nil && s.Events != nil {
		s.Events(ctx, org, res)
	}
	return res, err
}

// matchedChunk is the findings of up to chunk product versions.
type matchedChunk struct {
	scopes     []store.FleetFindingScope
	found      []domain.Finding
	components int
	done       int // product versions matched so far
	err        error
	release    func() // gives the buffers back once stored
}

// matchChunks matches ids in chunks on its own goroutine and sends them in order; the channel is
// closed after the last chunk, an error (sent as a chunk) or ctx's end. Two sets of buffers are
// reused, so memory stays at two chunks' findings and is not allocated afresh each time.
func (in *input) matchChunks(ctx context.Context, idx *match.Index, ids []int64, keys []match.Key, only map[string][]int, chunk int) <-chan *matchedChunk {
	out := make(chan *matchedChunk)
	free := make(chan *matchedChunk, 2)
	for range 2 {
		c := &matchedChunk{}
		c.release = func() { free <- c }
		free <- c
	}
	go func() {
		defer close(out)
		var bufs matchBuffers
		for startAt := 0; startAt < len(ids); startAt += chunk {
			var c *matchedChunk
			select {
			case c = <-free:
			case <-ctx.Done():
				return
			}
			// Each version's findings go straight into the chunk's buffer, which is reused: after the
			// first chunks it has room (growing it a version at a time anew for every chunk, or
			// joining per-version slices, copied the large structs over and over).
			c.scopes, c.found, c.components, c.err = c.scopes[:0], c.found[:0], 0, nil
			for _, pv := range ids[startAt:min(startAt+chunk, len(ids))] {
				var at []int
				if only != nil {
					at = only[strconv.FormatInt(pv, 10)]
					if at == nil {
						at = []int{} // none of its components has the keys (its subject may)
					}
				}
				found, scope, n, err := in.matchVersion(ctx, idx, pv, keys, at, &bufs, c.found)
				if err != nil {
					c.err = err
					break
				}
				c.found = found
				c.components += n
				c.scopes = append(c.scopes, scope)
			}
			c.done = min(startAt+chunk, len(ids))
			select {
			case out <- c:
			case <-ctx.Done():
				return
			}
			if c.err != nil {
				return
			}
		}
	}()
	return out
}

// input is what the matcher reads for a set of product versions.
type input struct {
	compIDs  map[int64][]int64
	subjects map[int64]*sbom.Component
	vex      map[int64][]domain.VEXStatement
	index    *match.ComponentIndex // the components, by product version
	vulns    map[string]bool       // when not nil, only these vulnerabilities' findings are kept
	vulnList []string
}

// orgComponents is the cached SBOM components of an organisation in the index of their keys (which
// product versions a feed change touches; it keeps them packed). When SBOMs change, the product
// versions whose SBOM id changed are read again into a copy of the index (readers of the one before
// — a running match, a where-is — keep theirs); all of them only the first time, or when most changed.
type orgComponents struct {
	stamp   string
	sboms   map[int64]int64   // product version → SBOM id, as of reading (store.FleetSBOMVersions)
	compIDs map[int64][]int64 // sbom_components ids, in the order of the index's components
	index   *match.ComponentIndex
}

// components returns the organisation's cached components, updated when its SBOMs changed.
func (s *Service) components(ctx context.Context, sc *store.Scope) (*orgComponents, error) {
	stamp, err := sc.FleetSBOMStamp(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.cache[sc.Org()]
	if old != nil && old.stamp == stamp {
		return old, nil
	}
	// Read before the components: an SBOM imported meanwhile is then read again next time.
	sboms, err := sc.FleetSBOMVersions(ctx)
	if err != nil {
		return nil, err
	}
	var c *orgComponents
	var read []int64 // with a copy of the index: the product versions to read into it
	if old != nil {
		var changed, removed []int64
		for pv, id := range sboms {
			if old.sboms[pv] != id {
				changed = append(changed, pv)
			}
		}
		for pv := range old.sboms {
			if _, ok := sboms[pv]; !ok {
				removed = append(removed, pv)
			}
		}
		// When most versions changed, all are read again: a copy of the index would be mostly replaced.
		if len(changed)+len(removed) <= len(sboms)/2 {
			c = &orgComponents{compIDs: maps.Clone(old.compIDs), index: old.index.Clone()}
			for _, pv := range append(removed, changed...) {
				c.index.Remove(strconv.FormatInt(pv, 10))
				delete(c.compIDs, pv)
			}
			read = changed
		}
	}
	if c == nil {
		c = &orgComponents{compIDs: map[int64][]int64{}, index: match.NewComponentIndex()}
		err = s.readComponents(ctx, sc, c, nil)
	} else if len(read) > 0 {
		err = s.readComponents(ctx, sc, c, read)
	}
	if err != nil {
		return nil, err
	}
	c.stamp, c.sboms = stamp, sboms
	if s.cache == nil {
		s.cache = map[int64]*orgComponents{}
	}
	s.cache[sc.Org()] = c
	return c, nil
}

// readComponents adds the components of the product versions ids (all when nil) to c.
func (s *Service) readComponents(ctx context.Context, sc *store.Scope, c *orgComponents, ids []int64) error {
	// The rows are read on a second goroutine while this one indexes the product versions already
	// read: at a full match of 1,000,000 components each half takes ~1.3 s, and nothing else runs yet.
	type version struct {
		pv    int64
		comps []sbom.Component
		ids   []int64
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	versions := make(chan version, 4)
	// Buffers go back to the reader once indexed (the index keeps a packed copy).
	free := make(chan []sbom.Component, 6)
	read := make(chan error, 1)
	go func() {
		defer close(versions)
		cur := version{}
		send := func() bool {
			if len(cur.comps) == 0 {
				return true
			}
			select {
			case versions <- version{cur.pv, cur.comps, slices.Clip(cur.ids)}:
			case <-ctx.Done():
				return false
			}
			select {
			case b := <-free:
				cur.comps = b[:0]
			default:
				cur.comps = nil
			}
			cur.ids = nil
			return true
		}
		err := sc.EachFleetComponent(ctx, ids, func(x *store.FleetComponent) error {
			if x.ProductVersionID != cur.pv {
				if !send() {
					return ctx.Err()
				}
				cur.pv = x.ProductVersionID
			}
			cur.comps = append(cur.comps, sbom.Component{Ref: x.Ref, Name: x.Name, Version: x.Version, PURL: x.PURL, CPE: x.CPE})
			cur.ids = append(cur.ids, x.ID)
			s.componentsRead.Add(1)
			return nil
		})
		if err == nil && !send() {
			err = ctx.Err()
		}
		read <- err
	}()
	for v := range versions {
		c.compIDs[v.pv] = v.ids
		c.index.Add(strconv.FormatInt(v.pv, 10), v.comps)
		select {
		case free <- v.comps:
		default:
		}
	}
	return <-read
}

// WhereIs answers "where is this component?" from the cached component index (name, package URL or
// CPE): the placements by product version.
func (s *Service) WhereIs(ctx context.Context, org int64, query string) ([]match.Placement, error) {
	c, err := s.components(ctx, s.Store.Scope(org))
	if err != nil {
		return nil, err
	}
	return c.index.Where(query), nil
}

func (s *Service) loadInput(ctx context.Context, sc *store.Scope, ids []int64, all bool) (*input, error) {
	c, err := s.components(ctx, sc)
	if err != nil {
		return nil, err
	}
	in := &input{compIDs: c.compIDs, index: c.index, subjects: map[int64]*sbom.Component{}, vex: map[int64][]domain.VEXStatement{}}
	var sel []int64
	if !all {
		sel = ids
	}
	subjects, err := sc.FleetSubjects(ctx, sel)
	if err != nil {
		return nil, err
	}
	for pv, s := range subjects {
		in.subjects[pv] = &sbom.Component{Ref: "subject", Name: s.Name, Version: s.Version, PURL: s.PURL, CPE: s.CPE}
	}
	xs, err := sc.FleetVEX(ctx, sel)
	if err != nil {
		return nil, err
	}
	for _, x := range xs {
		in.vex[x.ProductVersionID] = append(in.vex[x.ProductVersionID], x)
	}
	return in, nil
}

// ComponentKey identifies a component across SBOM re-imports: its package URL, else its CPE, else
// "name@version".
func ComponentKey(name, version, purl, cpe string) string {
	switch {
	case purl != "":
		return purl
	case cpe != "":
		return strings.ToLower(cpe)
	case name == "" && version == "":
		return ""
	}
	return name + "@" + version
}

// wanted reports whether a component has one of the keys (as match.Options.Keys selects).
func wanted(c *sbom.Component, keys map[match.Key]bool) bool {
	for _, k := range match.ComponentKeys(c) {
		if keys[match.FoldKey(k)] || (k.Ecosystem == match.CPEEcosystem && keys[match.Key{Ecosystem: match.CPEEcosystem, Name: "*"}]) {
			return true
		}
	}
	return false
}

// matchBuffers is the memory a matcher reuses from one product version to the next.
type matchBuffers struct {
	comps []sbom.Component
	found []match.Finding
}

// matchVersion matches one product version: it appends the findings to dst and returns it, the scope
// they replace and the number of components matched. With keys, only the components with one of them
// are matched; only, when not nil, lists their positions (so that the other components are not even
// looked at).
func (in *input) matchVersion(ctx context.Context, idx *match.Index, pv int64, keys []match.Key, only []int, bufs *matchBuffers, dst []domain.Finding) ([]domain.Finding, store.FleetFindingScope, int, error) {
	pvs := strconv.FormatInt(pv, 10)
	compIDs := in.compIDs[pv]
	var comps []sbom.Component
	var pos []int // with only: the position of each of comps in the product version
	if only != nil {
		// the components to re-match, then the version's other CPEs (for running-on conditions)
		var n int
		comps, pos, n = in.index.ComponentsFor(pvs, only)
		only = make([]int, n)
		for i := range only {
			only[i] = i
		}
	} else {
		clear(bufs.comps) // the strings of the last version are not kept alive
		bufs.comps = in.index.AppendComponents(bufs.comps[:0], pvs)
		comps = bufs.comps
	}
	t := &match.Target{ProductVersion: pvs, Subject: in.subjects[pv], Components: comps}
	scope := store.FleetFindingScope{ProductVersionID: pv, Vulns: in.vulnList}
	var keySet map[match.Key]bool
	if keys != nil {
		keySet = map[match.Key]bool{}
		for _, k := range keys {
			keySet[match.FoldKey(k)] = true
		}
		scope.ComponentKeys = []string{}
		if t.Subject != nil && wanted(t.Subject, keySet) {
			scope.ComponentKeys = append(scope.ComponentKeys, ComponentKey(t.Subject.Name, t.Subject.Version, t.Subject.PURL, t.Subject.CPE))
		}
		consider := func(i int) {
			if wanted(&comps[i], keySet) {
				c := &comps[i]
				scope.ComponentKeys = append(scope.ComponentKeys, ComponentKey(c.Name, c.Version, c.PURL, c.CPE))
			}
		}
		if only != nil {
			for _, i := range only {
				if i >= 0 && i < len(comps) {
					consider(i)
				}
			}
		} else {
			for i := range comps {
				consider(i)
			}
		}
	}
	fs, err := idx.MatchInto(ctx, t, match.Options{Keys: keys, Only: only}, bufs.found)
	if err != nil {
		return dst, scope, 0, err
	}
	for i := range fs {
		if c := fs[i].Component; pos != nil && c >= 0 && c < len(pos) {
			fs[i].Component = pos[c] // back to the product version's positions (compIDs)
		}
	}
	// CSAF product status (affected, under investigation) gives product-level findings; every other
	// statement is VEX.
	var statuses []match.ProductStatus
	var stmts []match.Statement
	var stmtIDs []int64
	for _, x := range in.vex[pv] {
		if x.SourceFormat == "csaf" && x.ComponentName == "" && x.ComponentPURL == "" &&
			(x.Status == string(vex.Affected) || x.Status == string(vex.UnderInvestigation)) {
			st := "known_affected"
			if x.Status == string(vex.UnderInvestigation) {
				st = "under_investigation"
			}
			statuses = append(statuses, match.ProductStatus{ProductVersion: pvs, VulnID: x.Vulnerability, Status: st, AdvisoryID: x.Source, Remediation: x.Action})
			continue
		}
		stmts = append(stmts, statementOf(pvs, &x))
		stmtIDs = append(stmtIDs, x.ID)
	}
	if keys == nil {
		fs = append(fs, idx.MatchProductStatus(statuses)...)
	}
	// The engine's findings are in the buffer's memory from here on (ApplyVEX may return a copy).
	used := len(fs)
	bufs.found = fs[:0]
	fs = match.ApplyVEX(idx, fs, stmts)
	var inScope map[string]bool
	if keys != nil {
		inScope = make(map[string]bool, len(scope.ComponentKeys))
		for _, k := range scope.ComponentKeys {
			inScope[k] = true
		}
	}
	for i := range fs {
		f := &fs[i]
		if f.Matcher == match.MatcherVEX && strings.HasPrefix(f.RecordID, "triage:") {
			continue // a triage decision on a finding the match no longer makes adds nothing
		}
		if in.vulns != nil && !in.vulns[f.VulnID] {
			continue // another vulnerability: the change cannot have changed its finding
		}
		key := ComponentKey(f.Package.Name, f.Package.Version, f.Package.PURL, f.Package.CPE)
		if keys != nil && !inScope[key] {
			continue
		}
		dst = append(dst, domain.Finding{})
		d := &dst[len(dst)-1]
		fillFinding(d, pv, f, key, compIDs, stmtIDs)
		store.PrepareFleetFinding(d) // here, on the matching goroutine, rather than on the writing one
	}
	clear(bufs.found[:used]) // the buffer is kept, not what this version's findings refer to
	n := len(comps)
	if keys != nil {
		n = len(scope.ComponentKeys)
	}
	return dst, scope, n, nil
}

// statementOf turns a stored VEX statement into the engine's.
func statementOf(pv string, x *domain.VEXStatement) match.Statement {
	s := match.Statement{Statement: vex.Statement{Vulnerability: x.Vulnerability, Aliases: x.Aliases, Status: vex.Status(x.Status),
		Justification: vex.Justification(x.Justification), ImpactStatement: x.Impact, ActionStatement: x.Action, Timestamp: x.Stated,
		Source: x.Source, SourceFormat: x.SourceFormat}, Origin: match.Manufacturer, ProductVersion: pv}
	if x.SourceKind == domain.VEXHospital {
		s.Origin = match.Hospital
	}
	if x.Stated.IsZero() {
		s.Timestamp = x.Created
	}
	if x.ComponentName != "" || x.ComponentPURL != "" {
		s.Component = &vex.Product{Name: x.ComponentName, Version: x.ComponentVersion, PURL: x.ComponentPURL}
	}
	return s
}

// fillFinding makes the zero d the stored form of an engine finding whose ComponentKey is key.
func fillFinding(d *domain.Finding, pv int64, f *match.Finding, key string, compIDs []int64, stmtIDs []int64) {
	d.ProductVersionID, d.VulnID, d.ComponentKey = pv, f.VulnID, key
	d.ComponentName, d.ComponentVersion, d.ComponentPURL, d.ComponentCPE = f.Package.Name, f.Package.Version, f.Package.PURL, f.Package.CPE
	d.RecordID, d.Source, d.Matcher, d.Reason, d.OtherReasons = f.RecordID, f.Source, f.Matcher, f.Reason, f.OtherReasons
	d.Confidence, d.Guessed, d.Remediation, d.MatchStatus, d.Active, d.Severity = f.Confidence, f.Guessed, f.Remediation, string(f.Status), f.Active(), "unknown"
	if f.Component >= 0 && f.Component < len(compIDs) {
		d.ComponentID = compIDs[f.Component]
	}
	if len(f.FixedVersions) > 0 {
		d.FixedVersion = f.FixedVersions[0]
	}
	if v := f.Vulnerability; v != nil {
		d.Aliases = v.Aliases
		r := v.Rated()
		d.Severity, d.SeverityRank, d.CVSSScore = r.Level.String(), int(r.Level), r.Score
		for _, s := range v.Severity {
			if s.Vector != "" {
				d.CVSSVectors = append(d.CVSSVectors, s.Vector)
			}
		}
	}
	if d.Severity == vuln.Unknown.String() {
		d.SeverityRank = 0
	}
	if x := f.VEX; x != nil {
		d.VEXOrigin, d.VEXSource, d.VEXJustification = string(x.Origin), x.Source, string(x.Justification)
		if x.Statement >= 0 && x.Statement < len(stmtIDs) {
			d.VEXStatementID = stmtIDs[x.Statement]
		}
	}
}
