package fleet

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/purl"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/vuln"
)

// BenchOptions size the generated fleet of a benchmark.
type BenchOptions struct {
	Assets     int     // installed devices
	Versions   int     // product versions, each with an SBOM
	Components int     // components per SBOM
	Known      float64 // share of components that are packages the feeds know (0–1)
	Seed       uint64
	// WherePackage is the package of the "where is" query and of the new advisory (default
	// golang.org/x/net, a Go module the Go vulnerability database knows well).
	WherePackage string
	Log          func(string) // progress lines; may be nil
	// RiskFacts also times the open findings the risk pages read (store.OpenFindingFacts): at full
	// size ~250 MB more for a moment, which vigil bench leaves out of its peak memory figure
	RiskFacts bool
}

// BenchFigures are the measured figures.
type BenchFigures struct {
	Database               string  `json:"database"`
	Assets                 int     `json:"assets"`
	Versions               int     `json:"product_versions"`
	ComponentsPerVersion   int     `json:"components_per_version"`
	Components             int     `json:"components"`
	InventorySeconds       float64 `json:"inventory_seconds"` // manufacturers, products, versions, assets
	IngestSeconds          float64 `json:"ingest_seconds"`    // SBOM components stored
	IngestPerSecond        float64 `json:"ingest_components_per_second"`
	FullMatchSeconds       float64 `json:"full_match_seconds"` // match + store every finding (first match, one transaction)
	Findings               int     `json:"findings"`
	ActiveFindings         int     `json:"active_findings"`
	RematchSeconds         float64 `json:"rematch_seconds"` // a second full match: nothing changed, nothing written
	IncrementalMS          float64 `json:"incremental_ms"`  // one new advisory: index update, touched versions, re-match, store (median of 5)
	IncrementalVersions    int     `json:"incremental_product_versions"`
	IncrementalComponents  int     `json:"incremental_components"`
	IncrementalNewFindings int     `json:"incremental_new_findings"`
	WhereIsMS              float64 `json:"where_is_ms"` // the cached component index
	WhereIsPlacements      int     `json:"where_is_placements"`
	WhereIsSQLMS           float64 `json:"where_is_sql_ms"`          // the search of the disclosures pages, API and CLI: a name (substring of every component), search keys in memory
	WhereIsSQLFirstMS      float64 `json:"where_is_sql_first_ms"`    // the same, the first time (keys not in memory yet): in SQL while they are read
	WhereIsAfterImportMS   float64 `json:"where_is_after_import_ms"` // the same, the first search after an SBOM import (SQLite: the import added its keys)
	WhereIsPURLMS          float64 `json:"where_is_purl_ms"`         // the same search with a package URL (indexed)
	SBOMRematchMS          float64 `json:"sbom_rematch_ms"`          // one SBOM imported again: its version re-matched, the component cache updated (median of 3)
	ListFirstMS            float64 `json:"list_first_ms"`            // the findings list's first page, the first time (every finding read into the index in memory)
	ListMS                 float64 `json:"list_ms"`                  // the same from the index (best of 3)
	ListFilteredMS         float64 `json:"list_filtered_ms"`         // with a search and a minimum severity (best of 3)
	ListAfterTriageMS      float64 `json:"list_after_triage_ms"`     // the first list after a finding was triaged (its product version read again)
	HandlingMS             float64 `json:"handling_ms"`              // the dashboard's and the Art. 21 evidence's vulnerability-handling figures (best of 3)
	RiskFactsMS            float64 `json:"risk_facts_ms,omitempty"`  // the open findings the risk pages score (store.OpenFindingFacts; BenchOptions.RiskFacts)
	HeapMB                 float64 `json:"heap_mb"`                  // live heap after the full match
	OrgID                  int64   `json:"-"`                        // the organisation the fleet was generated in
}

type staticSource struct{ idx *match.Index }

func (s staticSource) Index(context.Context) (*match.Index, error) { return s.idx, nil }

// Bench generates a fleet in a new organisation of st (components drawn from real package names of
// idx) and measures ingest, the full match with storing, a second full match, one new advisory
// re-matched incrementally, and "where is". idx is modified (the advisory is added).
func Bench(ctx context.Context, st *store.Store, idx *match.Index, o BenchOptions) (BenchFigures, error) {
	if o.WherePackage == "" {
		o.WherePackage = "golang.org/x/net"
	}
	logf := func(format string, args ...any) {
		if o.Log != nil {
			o.Log(fmt.Sprintf(format, args...))
		}
	}
	f := BenchFigures{Database: st.Engine(), Assets: o.Assets, Versions: o.Versions, ComponentsPerVersion: o.Components, Components: o.Versions * o.Components}
	org := domain.Organisation{Name: "Bench Hospital", Slug: fmt.Sprintf("bench-%d", time.Now().UnixNano()), Country: "DE", TimeZone: "Europe/Berlin"}
	if err := st.CreateOrg(ctx, &org); err != nil {
		return f, err
	}
	f.OrgID = org.ID
	actx := domain.WithActor(ctx, domain.Actor{Kind: domain.ActorCLI, Name: "bench", OrgID: org.ID, Role: domain.RoleAdmin})
	sc := st.Scope(org.ID)
	// Each phase's work carries the profiler label bench=PHASE (goroutines it starts inherit it):
	// go tool pprof -tagfocus bench=second-full-match … separates the phases of one profile.
	phase := func(name string) { pprof.SetGoroutineLabels(pprof.WithLabels(actx, pprof.Labels("bench", name))) }
	defer pprof.SetGoroutineLabels(ctx)
	phase("inventory")
	// Inventory: 20 manufacturers, 4 versions per product, the assets spread over the versions.
	t := time.Now()
	var versions []int64
	err := sc.Write(actx, func(tx *store.Tx) error {
		var makers []int64
		for i := range 20 {
			m := domain.Manufacturer{Name: fmt.Sprintf("Maker %02d", i)}
			if err := tx.CreateManufacturer(actx, &m); err != nil {
				return err
			}
			makers = append(makers, m.ID)
		}
		for i := 0; len(versions) < o.Versions; i++ {
			p := domain.Product{ManufacturerID: makers[i%len(makers)], Name: fmt.Sprintf("Model %04d", i), Category: "patient-monitor", MedicalDevice: true}
			if err := tx.CreateProduct(actx, &p); err != nil {
				return err
			}
			for k := 0; k < 4 && len(versions) < o.Versions; k++ {
				v := domain.ProductVersion{ProductID: p.ID, Version: fmt.Sprintf("%d.%d", k+1, i%10)}
				if err := tx.CreateProductVersion(actx, &v); err != nil {
					return err
				}
				versions = append(versions, v.ID)
			}
		}
		assets := make([]domain.Asset, o.Assets)
		for i := range assets {
			assets[i] = domain.Asset{ProductVersionID: versions[i%len(versions)], AssetTag: fmt.Sprintf("B-%07d", i+1),
				Criticality: domain.CritImportant, Status: domain.StatusInUse}
		}
		return tx.SaveAssets(actx, assets, nil, store.AuditEntry{Action: "asset.import", Entity: "asset", Summary: "benchmark devices"})
	})
	if err != nil {
		return f, err
	}
	f.InventorySeconds = time.Since(t).Seconds()
	logf("inventory: %d product versions, %d assets in %.2f s", len(versions), o.Assets, f.InventorySeconds)
	// SBOMs: generated per batch of 100 (not timed), stored (timed).
	gen := func(i int) []domain.Component {
		cs := match.SyntheticComponents(idx, o.Components, o.Known, o.Seed+uint64(i))
		dcs := make([]domain.Component, len(cs))
		for j, c := range cs {
			dcs[j] = domain.Component{Ref: c.Ref, Type: c.Type, Name: c.Name, Version: c.Version, PURL: c.PURL, CPE: c.CPE}
			if dcs[j].Type == "" {
				dcs[j].Type = "library"
			}
			if c.PURL != "" {
				dcs[j].PURLKey = purl.WithoutVersion(c.PURL)
			}
		}
		return dcs
	}
	phase("ingest")
	var ingest time.Duration
	for start := 0; start < len(versions); start += 100 {
		batch := make([][]domain.Component, 0, 100)
		for i := start; i < min(start+100, len(versions)); i++ {
			batch = append(batch, gen(i))
		}
		t := time.Now()
		err := sc.Write(actx, func(tx *store.Tx) error {
			for i := start; i < min(start+100, len(versions)); i++ {
				if err := benchSBOM(actx, tx, versions[i], batch[i-start]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return f, err
		}
		ingest += time.Since(t)
	}
	f.IngestSeconds = ingest.Seconds()
	f.IngestPerSecond = float64(f.Components) / f.IngestSeconds
	logf("ingest: %d components in %.2f s (%.0f/s)", f.Components, f.IngestSeconds, f.IngestPerSecond)
	// Full match and store.
	phase("full-match")
	svc := New(st, staticSource{idx}, nil)
	runtime.GC()
	t = time.Now()
	res, err := svc.MatchAll(actx, org.ID, nil)
	if err != nil {
		return f, err
	}
	f.FullMatchSeconds, f.Findings, f.ActiveFindings = time.Since(t).Seconds(), res.Findings, res.Active
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	f.HeapMB = float64(ms.HeapAlloc) / (1 << 20)
	logf("full match: %d findings (%d active) in %.2f s", res.Findings, res.Active, f.FullMatchSeconds)
	phase("second-full-match")
	t = time.Now()
	if _, err := svc.MatchAll(actx, org.ID, nil); err != nil {
		return f, err
	}
	f.RematchSeconds = time.Since(t).Seconds()
	logf("second full match (unchanged): %.2f s", f.RematchSeconds)
	// New advisories for a popular package, one at a time: each is added to the index, the product
	// versions holding the package are found and re-matched, and the new findings stored. The figure
	// is the median of five (each adds findings to the same components, as a package's advisories do).
	phase("one-advisory")
	var took []float64
	for i := range 5 {
		id := fmt.Sprintf("GO-2099-%04d", i+1)
		adv := vuln.Vulnerability{ID: id, Aliases: []string{fmt.Sprintf("CVE-2099-%04d", i+1)}, Summary: "Benchmark advisory",
			Affected: []vuln.Affected{{Ecosystem: "Go", Name: o.WherePackage, Source: id,
				Ranges: []vuln.Range{{Type: "SEMVER", Events: []vuln.Event{{Kind: vuln.Introduced, Version: "0"}}}}}}, // every version
			Sources: []vuln.Source{{Kind: vuln.SourceOSV, ID: id}}}
		t = time.Now()
		keys := idx.Update([]vuln.Vulnerability{adv}, nil)
		c, err := svc.components(actx, sc)
		if err != nil {
			return f, err
		}
		var ids []int64
		for _, p := range c.index.ProductVersions(keys) {
			id, _ := strconv.ParseInt(p, 10, 64)
			ids = append(ids, id)
		}
		// as a feed update re-matches it: the keys' components, the new vulnerability's findings
		var vulns []string
		if v, ok := idx.Vulnerability(id); ok {
			vulns = []string{v.ID}
		}
		inc, err := svc.MatchChange(actx, org.ID, ids, keys, vulns, nil)
		if err != nil {
			return f, err
		}
		took = append(took, float64(time.Since(t).Microseconds())/1000)
		f.IncrementalVersions, f.IncrementalComponents, f.IncrementalNewFindings = len(ids), inc.Components, inc.Created
	}
	slices.Sort(took)
	f.IncrementalMS = took[len(took)/2]
	logf("one new advisory: %d product versions, %d components re-matched, %d new findings: median %.1f ms of %d (%.1f–%.1f ms)",
		f.IncrementalVersions, f.IncrementalComponents, f.IncrementalNewFindings, f.IncrementalMS, len(took), took[0], took[len(took)-1])
	// Where is.
	phase("where-is")
	best := time.Duration(1 << 62)
	for range 5 {
		t = time.Now()
		ps, err := svc.WhereIs(actx, org.ID, o.WherePackage)
		if err != nil {
			return f, err
		}
		best, f.WhereIsPlacements = min(best, time.Since(t)), len(ps)
	}
	f.WhereIsMS = float64(best.Microseconds()) / 1000
	best = time.Duration(1 << 62)
	for i := range 4 {
		t = time.Now()
		if _, err := sc.WhereIs(actx, domain.ComponentFilter{ListParams: domain.ListParams{Q: o.WherePackage}}); err != nil {
			return f, err
		}
		if i == 0 {
			// in SQL (nothing searched since the fleet was generated); the search keys are read in
			// the background for the next searches
			f.WhereIsSQLFirstMS = float64(time.Since(t).Microseconds()) / 1000
			st.WaitSearchKeys()
			continue
		}
		best = min(best, time.Since(t))
	}
	f.WhereIsSQLMS = float64(best.Microseconds()) / 1000
	best = time.Duration(1 << 62)
	for range 3 {
		t = time.Now()
		if _, err := sc.WhereIs(actx, domain.ComponentFilter{PURLKey: purl.WithoutVersion("pkg:golang/" + o.WherePackage)}); err != nil {
			return f, err
		}
		best = min(best, time.Since(t))
	}
	f.WhereIsPURLMS = float64(best.Microseconds()) / 1000
	logf("where is %s: %d placements in %.2f ms (index), %.1f ms (the pages' search by name; the first %.1f ms), %.1f ms (by package URL)", o.WherePackage,
		f.WhereIsPlacements, f.WhereIsMS, f.WhereIsSQLMS, f.WhereIsSQLFirstMS, f.WhereIsPURLMS)
	phase("sbom-again")
	// An SBOM imported again (the same document: the fleet's findings stay what was measured above),
	// as the fleet update re-matches it: the component cache reads that version's components, its
	// findings are re-matched and compared.
	took = took[:0]
	for i := range min(3, len(versions)) {
		stored, err := sc.FleetComponents(actx, versions[i:i+1])
		if err != nil {
			return f, err
		}
		comps := make([]domain.Component, len(stored))
		for j, c := range stored {
			comps[j] = domain.Component{Ref: c.Ref, Parent: c.Parent, Type: c.Type, Group: c.Group, Name: c.Name, Version: c.Version,
				PURL: c.PURL, CPE: c.CPE}
			if c.PURL != "" {
				comps[j].PURLKey = purl.WithoutVersion(c.PURL)
			}
		}
		if err := sc.Write(actx, func(tx *store.Tx) error { return benchSBOM(actx, tx, versions[i], comps) }); err != nil {
			return f, err
		}
		t = time.Now()
		if _, err := svc.MatchVersions(actx, org.ID, []int64{versions[i]}, nil, nil); err != nil {
			return f, err
		}
		took = append(took, float64(time.Since(t).Microseconds())/1000)
	}
	slices.Sort(took)
	f.SBOMRematchMS = took[len(took)/2]
	logf("one SBOM imported again: its version re-matched in %.1f ms, median of %d (%.1f–%.1f ms)", f.SBOMRematchMS, len(took), took[0], took[len(took)-1])
	t = time.Now()
	if _, err := sc.WhereIs(actx, domain.ComponentFilter{ListParams: domain.ListParams{Q: o.WherePackage}}); err != nil {
		return f, err
	}
	f.WhereIsAfterImportMS = float64(time.Since(t).Microseconds()) / 1000
	st.WaitSearchKeys()
	logf("where is %s by name, the first search after those imports: %.1f ms", o.WherePackage, f.WhereIsAfterImportMS)
	phase("lists")
	// The findings list (/vulnerabilities, GET /findings): its first page, the first time and again,
	// with a search, and after a triage.
	list := func(fl domain.FindingFilter) (domain.Page[domain.Finding], float64, error) {
		t := time.Now()
		p, err := sc.FleetFindings(actx, fl)
		return p, float64(time.Since(t).Microseconds()) / 1000, err
	}
	page, first, err := list(domain.FindingFilter{})
	if err != nil || len(page.Items) == 0 {
		return f, fmt.Errorf("findings list: %d findings, %v", len(page.Items), err)
	}
	f.ListFirstMS, f.ListMS, f.ListFilteredMS = first, math.MaxFloat64, math.MaxFloat64
	for range 3 {
		_, plain, err := list(domain.FindingFilter{})
		if err != nil {
			return f, err
		}
		_, filtered, err := list(domain.FindingFilter{Severity: "low", ListParams: domain.ListParams{Q: o.WherePackage}})
		if err != nil {
			return f, err
		}
		f.ListMS, f.ListFilteredMS = min(f.ListMS, plain), min(f.ListFilteredMS, filtered)
	}
	f.HandlingMS = math.MaxFloat64
	for range 3 {
		t := time.Now()
		if _, err := sc.FleetHandling(actx, time.Now()); err != nil {
			return f, err
		}
		f.HandlingMS = min(f.HandlingMS, float64(time.Since(t).Microseconds())/1000)
	}
	if o.RiskFacts {
		t = time.Now()
		if _, err := st.OpenFindingFacts(actx, org.ID); err != nil {
			return f, err
		}
		f.RiskFactsMS = float64(time.Since(t).Microseconds()) / 1000
	}
	if err := sc.Write(actx, func(tx *store.Tx) error {
		_, err := tx.TriageFinding(actx, page.Items[0].ID, domain.Triage{State: domain.FindingInTriage, Comment: "bench"})
		return err
	}); err != nil {
		return f, err
	}
	if _, f.ListAfterTriageMS, err = list(domain.FindingFilter{}); err != nil {
		return f, err
	}
	logf("findings list, first page: %.0f ms the first time (every finding read), %.1f ms from memory, %.1f ms with a search, %.1f ms after a triage; handling figures %.1f ms; the risk pages' open findings %.0f ms (0: not timed)",
		f.ListFirstMS, f.ListMS, f.ListFilteredMS, f.ListAfterTriageMS, f.HandlingMS, f.RiskFactsMS)
	return f, nil
}

// benchSBOM stores comps as the SBOM of product version pv (a document without content).
func benchSBOM(ctx context.Context, tx *store.Tx, pv int64, comps []domain.Component) error {
	d := domain.DisclosureDocument{Kind: domain.DisclosureSBOM, Format: "cyclonedx-json", FileName: "bench.cdx.json", Title: "bench",
		ProductVersionID: pv, Source: "demo"}
	if err := tx.AddDocument(ctx, &d, []byte("{}")); err != nil {
		return err
	}
	info := domain.SBOMInfo{ProductVersionID: pv, DocumentID: d.ID, Format: "cyclonedx-json", SpecVersion: "1.6"}
	return tx.ReplaceSBOM(ctx, &info, comps)
}
