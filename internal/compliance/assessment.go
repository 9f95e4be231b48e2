package compliance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/store"
)

// MaxEvidenceBytes bounds one uploaded evidence file.
const MaxEvidenceBytes = 20 << 20

// StartAssessment starts a campaign over the whole measures catalogue, or a copy of assessment from (when
// from > 0) with its measure states and file and link evidence.
func StartAssessment(ctx context.Context, sc *store.Scope, a *domain.Assessment, from int64) error {
	cat := regulation.MeasureCatalogue()
	a.Framework, a.CatalogueVersion = domain.FrameworkNIS2Art21, cat.Version
	ids := make([]string, len(cat.Measures))
	for i, m := range cat.Measures {
		ids[i] = m.ID
	}
	return sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateAssessment(ctx, a, ids, from) })
}

// MeasureFor returns the catalogue measure with the id, or ENotFound.
func MeasureFor(id string) (regulation.Measure, error) {
	m, ok := regulation.MeasureByID(id)
	if !ok {
		return m, domain.NotFound("measure " + id)
	}
	return m, nil
}

// SetMeasure saves the state of a measure of an open assessment.
func SetMeasure(ctx context.Context, sc *store.Scope, m *domain.AssessmentMeasure) error {
	if _, err := MeasureFor(m.MeasureID); err != nil {
		return err
	}
	return sc.Write(ctx, func(tx *store.Tx) error { return tx.SetAssessmentMeasure(ctx, m) })
}

// AddLink adds a link to the evidence of a measure.
func AddLink(ctx context.Context, sc *store.Scope, assessmentID int64, measureID, title, url string) (domain.MeasureEvidence, error) {
	e := domain.MeasureEvidence{AssessmentID: assessmentID, MeasureID: measureID, Kind: domain.EvidenceLink, Title: title, URL: url}
	if _, err := MeasureFor(measureID); err != nil {
		return e, err
	}
	err := sc.Write(ctx, func(tx *store.Tx) error { return tx.AddEvidence(ctx, &e, nil) })
	return e, err
}

// AddFile adds an uploaded document (at most MaxEvidenceBytes) to the evidence of a measure; its type is
// sniffed from the content, its SHA-256 recorded.
func AddFile(ctx context.Context, sc *store.Scope, assessmentID int64, measureID, title, fileName string, data []byte) (domain.MeasureEvidence, error) {
	e := domain.MeasureEvidence{AssessmentID: assessmentID, MeasureID: measureID, Kind: domain.EvidenceFile, Title: title,
		FileName: cleanFileName(fileName), ContentType: http.DetectContentType(data)}
	if _, err := MeasureFor(measureID); err != nil {
		return e, err
	}
	if len(data) > MaxEvidenceBytes {
		return e, &domain.Error{Code: domain.ETooLarge, Field: "file", Message: fmt.Sprintf("the file is larger than the limit of %d MiB", MaxEvidenceBytes>>20)}
	}
	err := sc.Write(ctx, func(tx *store.Tx) error { return tx.AddEvidence(ctx, &e, data) })
	return e, err
}

func cleanFileName(s string) string {
	s = strings.ReplaceAll(s, "\\", "/")
	if i := strings.LastIndex(s, "/"); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// SignOff records the management body's sign-off: the automatic evidence available at this moment is
// snapshotted into the assessment (one record per measure that lists the kind), then the assessment is
// frozen. Kinds that are not available are not recorded; the report says so.
func SignOff(ctx context.Context, sc *store.Scope, reg *Registry, id int64, so domain.SignOff) (domain.Assessment, error) {
	a, err := sc.Assessment(ctx, id)
	if err != nil {
		return a, err
	}
	if err := so.Validate(); err != nil {
		return a, err
	}
	autos, err := Snapshots(reg.Collect(ctx, sc))
	if err != nil {
		return a, err
	}
	if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.SignOffAssessment(ctx, id, &so, autos) }); err != nil {
		return a, err
	}
	return sc.Assessment(ctx, id)
}

// Snapshots turns the available automatic evidence into evidence records for each measure that lists the
// kind.
func Snapshots(collected []AutoEvidence) ([]domain.MeasureEvidence, error) {
	var out []domain.MeasureEvidence
	for _, m := range regulation.MeasureCatalogue().Measures {
		for _, k := range m.Evidence {
			for _, a := range collected {
				if a.Kind != k || a.Status != AutoOK {
					continue
				}
				b, err := json.Marshal(a.Evidence)
				if err != nil {
					return nil, err
				}
				out = append(out, domain.MeasureEvidence{MeasureID: m.ID, Kind: domain.EvidenceAuto, Title: a.Text, AutoKind: string(k), Auto: b})
			}
		}
	}
	return out, nil
}

// MeasureRow is one measure of an assessment with its catalogue entry, state, evidence and automatic
// evidence (live while the assessment is open, the sign-off snapshot once it is frozen).
type MeasureRow struct {
	Measure  regulation.Measure       `json:"measure"`
	State    domain.AssessmentMeasure `json:"state"`
	Gap      int                      `json:"gap"`
	Overdue  bool                     `json:"overdue"`
	Evidence []domain.MeasureEvidence `json:"evidence"`
	Auto     []AutoEvidence           `json:"auto"`
}

// EvidenceCount is the number of documents and links plus available automatic evidence.
func (r MeasureRow) EvidenceCount() int {
	n := len(r.Evidence)
	for _, a := range r.Auto {
		if a.Status == AutoOK {
			n++
		}
	}
	return n
}

// StatusCount is the number of measures with a status.
type StatusCount struct {
	Status string `json:"status"`
	Label  string `json:"label"`
	Count  int    `json:"count"`
}

// Summary holds the figures of an assessment for the management body.
type Summary struct {
	Measures    int           `json:"measures"`
	ByStatus    []StatusCount `json:"by_status"`
	Applicable  int           `json:"applicable"`   // measures not marked not applicable
	AvgMaturity float64       `json:"avg_maturity"` // over applicable measures
	AvgTarget   float64       `json:"avg_target"`
	AtTarget    int           `json:"at_target"`  // applicable measures whose maturity reaches the target
	GapLevels   int           `json:"gap_levels"` // sum of the gaps
	Overdue     int           `json:"overdue"`
	NoEvidence  int           `json:"no_evidence"` // applicable measures without any evidence
}

// Board is an assessment with every measure of the catalogue and the summary.
type Board struct {
	Assessment domain.Assessment `json:"assessment"`
	Catalogue  string            `json:"catalogue_version"`
	Rows       []MeasureRow      `json:"measures"`
	Summary    Summary           `json:"summary"`
	// Auto is the automatic evidence by kind (live or snapshot).
	Auto []AutoEvidence `json:"automatic_evidence"`
	AsOf time.Time      `json:"as_of"`
}

// Row returns the row of a measure.
func (b Board) Row(measureID string) (MeasureRow, bool) {
	for _, r := range b.Rows {
		if r.Measure.ID == measureID {
			return r, true
		}
	}
	return MeasureRow{}, false
}

// LoadBoard loads an assessment of the organisation with its measures in catalogue order, evidence and
// automatic evidence: for an open assessment drawn now from the registry, for a signed-off one the
// snapshots taken at sign-off. now decides which due dates are overdue (in loc).
func LoadBoard(ctx context.Context, sc *store.Scope, reg *Registry, id int64, now time.Time, loc *time.Location) (Board, error) {
	a, err := sc.Assessment(ctx, id)
	if err != nil {
		return Board{}, err
	}
	states, err := sc.AssessmentMeasures(ctx, id)
	if err != nil {
		return Board{}, err
	}
	ev, err := sc.AssessmentEvidence(ctx, id, "")
	if err != nil {
		return Board{}, err
	}
	b := Board{Assessment: a, Catalogue: a.CatalogueVersion, AsOf: now}
	if a.Frozen() {
		b.AsOf = a.SignOff.At
		b.Auto = snapshotKinds(ev)
	} else if reg != nil {
		b.Auto = reg.Collect(ctx, sc)
	}
	byID := map[string]domain.AssessmentMeasure{}
	for _, s := range states {
		byID[s.MeasureID] = s
	}
	if loc == nil {
		loc = time.UTC
	}
	today := now.In(loc).Format(time.DateOnly)
	for _, m := range regulation.MeasureCatalogue().Measures {
		st, ok := byID[m.ID]
		if !ok {
			st = domain.AssessmentMeasure{AssessmentID: id, MeasureID: m.ID, Status: domain.MeasureNotStarted, TargetMaturity: 3}
		}
		row := MeasureRow{Measure: m, State: st, Gap: st.Gap(), Evidence: []domain.MeasureEvidence{}, Auto: []AutoEvidence{}}
		row.Overdue = !a.Frozen() && st.DueDate != "" && st.DueDate < today &&
			st.Status != domain.MeasureImplemented && st.Status != domain.MeasureNotApplicable
		for _, e := range ev {
			if e.MeasureID == m.ID && e.Kind != domain.EvidenceAuto {
				row.Evidence = append(row.Evidence, e)
			}
		}
		for _, k := range m.Evidence {
			if a.Frozen() {
				row.Auto = append(row.Auto, snapshotFor(ev, m.ID, k))
				continue
			}
			for _, x := range b.Auto {
				if x.Kind == k {
					row.Auto = append(row.Auto, x)
				}
			}
		}
		b.Rows = append(b.Rows, row)
	}
	b.Summary = summarise(b.Rows)
	return b, nil
}

// snapshotKinds returns one AutoEvidence per kind of the catalogue from the snapshots of a frozen
// assessment.
func snapshotKinds(ev []domain.MeasureEvidence) []AutoEvidence {
	var out []AutoEvidence
	for _, def := range regulation.MeasureCatalogue().EvidenceKinds {
		out = append(out, snapshotFor(ev, "", def.Kind))
	}
	return out
}

func snapshotFor(ev []domain.MeasureEvidence, measureID string, k regulation.EvidenceKind) AutoEvidence {
	def, _ := regulation.EvidenceKindByName(k)
	a := AutoEvidence{Kind: k, Measure: def.Measure, Text: def.Text, Status: AutoNotAvailable, Snapshot: true,
		Message: "not available when the assessment was signed off"}
	for _, e := range ev {
		if e.Kind != domain.EvidenceAuto || e.AutoKind != string(k) || (measureID != "" && e.MeasureID != measureID) {
			continue
		}
		var x regulation.Evidence
		if err := json.Unmarshal(e.Auto, &x); err != nil {
			a.Status, a.Message = AutoError, "the snapshot cannot be read: "+err.Error()
			return a
		}
		a.Status, a.Message, a.Evidence = AutoOK, "", &x
		return a
	}
	return a
}

func summarise(rows []MeasureRow) Summary {
	s := Summary{Measures: len(rows)}
	counts := map[string]int{}
	var mat, tgt int
	for _, r := range rows {
		counts[r.State.Status]++
		if r.Overdue {
			s.Overdue++
		}
		if r.State.Status == domain.MeasureNotApplicable {
			continue
		}
		s.Applicable++
		mat += r.State.Maturity
		tgt += r.State.TargetMaturity
		s.GapLevels += r.Gap
		if r.Gap == 0 {
			s.AtTarget++
		}
		if r.EvidenceCount() == 0 {
			s.NoEvidence++
		}
	}
	for _, st := range domain.MeasureStatuses {
		s.ByStatus = append(s.ByStatus, StatusCount{Status: st, Label: domain.MeasureStatusLabel(st), Count: counts[st]})
	}
	if s.Applicable > 0 {
		s.AvgMaturity = float64(mat) / float64(s.Applicable)
		s.AvgTarget = float64(tgt) / float64(s.Applicable)
	}
	return s
}

// FilterRows returns the rows with the status ("" for all).
func FilterRows(rows []MeasureRow, status string) []MeasureRow {
	if status == "" {
		return rows
	}
	return slices.DeleteFunc(slices.Clone(rows), func(r MeasureRow) bool { return r.State.Status != status })
}

// ServeFile writes an evidence document as a download: always an attachment (an uploaded HTML
// file must never render in Vigil's origin), with its sniffed type and its SHA-256 in a header.
func ServeFile(w http.ResponseWriter, e domain.MeasureEvidence, data []byte) {
	ct := e.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(e.FileName))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("X-Content-SHA256", e.SHA256)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(data)
}

// ReportFileName is the file name of an assessment's gap report.
func ReportFileName(a domain.Assessment) string {
	return "gap-report-" + domain.Slugify(a.Name) + "-" + strconv.FormatInt(a.ID, 10) + ".pdf"
}
