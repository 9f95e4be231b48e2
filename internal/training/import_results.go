package training

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// ResultFields are the columns of an e-learning or phishing-simulation export that the results import
// understands. A row names the person by staff number or e-mail.
var ResultFields = []Field{
	{Name: "staff_number", Label: "Staff number", Aliases: []string{"employee id", "employee number", "personnel number", "user id",
		"personalnummer", "personal-nr", "persnr", "mitarbeiternummer"}},
	{Name: "email", Label: "E-mail", Aliases: []string{"email address", "e-mail address", "mail", "user", "user email", "recipient",
		"learner", "username", "e-mail-adresse", "empfänger", "teilnehmer"}},
	{Name: "module", Label: "Module", Aliases: []string{"module code", "course", "course name", "campaign", "campaign name", "training",
		"lesson", "kurs", "modul", "schulung", "kampagne", "lerneinheit"}},
	{Name: "date", Label: "Date", Aliases: []string{"completed", "completion date", "completed on", "date completed", "finished", "event date",
		"sent", "datum", "abschlussdatum", "abgeschlossen am", "erledigt am"}},
	{Name: "result", Label: "Result", Aliases: []string{"status", "outcome", "action", "ergebnis", "aktion"}},
	{Name: "score", Label: "Score", Aliases: []string{"points", "percent", "score %", "punkte", "prozent", "punktzahl"}},
	{Name: "provider", Label: "Provider", Aliases: []string{"platform", "vendor", "anbieter", "plattform"}},
	{Name: "evidence_url", Label: "Certificate", Aliases: []string{"certificate url", "certificate link", "evidence", "link", "zertifikat", "nachweis"}},
}

// resultWords maps result words of platforms (English and German) to Vigil's results.
var resultWords = map[string]string{
	"completed": domain.ResultCompleted, "complete": domain.ResultCompleted, "done": domain.ResultCompleted, "finished": domain.ResultCompleted,
	"abgeschlossen": domain.ResultCompleted, "erledigt": domain.ResultCompleted, "teilgenommen": domain.ResultCompleted, "attended": domain.ResultCompleted,
	"passed": domain.ResultPassed, "pass": domain.ResultPassed, "bestanden": domain.ResultPassed,
	"failed": domain.ResultFailed, "fail": domain.ResultFailed, "nicht bestanden": domain.ResultFailed, "durchgefallen": domain.ResultFailed,
	"clicked": domain.ResultClicked, "click": domain.ResultClicked, "link clicked": domain.ResultClicked, "opened attachment": domain.ResultClicked,
	"submitted data": domain.ResultClicked, "geklickt": domain.ResultClicked,
	"reported": domain.ResultReported, "report": domain.ResultReported, "gemeldet": domain.ResultReported,
	"ignored": domain.ResultIgnored, "no action": domain.ResultIgnored, "no interaction": domain.ResultIgnored, "keine aktion": domain.ResultIgnored,
	"ignoriert": domain.ResultIgnored,
}

// ParseResult reads a result word of a platform.
func ParseResult(s string) (string, bool) {
	r, ok := resultWords[strings.ToLower(strings.Join(strings.Fields(s), " "))]
	return r, ok
}

// ImportResults reads results of e-learning platforms (completed, passed, failed for a module) and of
// phishing simulations (clicked, reported, ignored for a campaign) into the training records. Course
// results must name a module of the organisation by code or title; phishing results name their
// campaign (and a module, when the campaign's name is one). Results recorded before are skipped, so a
// file can be imported again. One transaction: with any rejection, or in a dry run, nothing is written.
func ImportResults(ctx context.Context, st *store.Store, org int64, name string, r io.Reader, opt ImportOptions) (ImportResult, error) {
	res := ImportResult{Kind: "training-results", File: name, DryRun: opt.DryRun, Rejections: []Rejection{}, Preview: []PreviewRow{},
		PreviewColumns: []string{"Person", "Module or campaign", "Kind", "Date", "Result", "Score", "Provider"}}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	t, err := ReadTable(name, r, opt.limits())
	if err != nil {
		return res, err
	}
	res.Format, res.Sheet = t.Format, t.Sheet
	cols, err := MapColumns(t, ResultFields, opt.Mapping)
	if err != nil {
		return res, err
	}
	res.HeaderRow, res.Columns = cols.HeaderRow, cols.Uses
	var rj rejections
	if !cols.Has("email") && !cols.Has("staff_number") {
		rj.add(Rejection{Field: "email", Message: "no column for the e-mail address or staff number of the person; name one with --mapping email=COLUMN"})
	}
	for _, f := range []string{"module", "date", "result"} {
		if !cols.Has(f) {
			rj.add(Rejection{Field: f, Message: fmt.Sprintf("no column for the %s; name it with --mapping %s=COLUMN", f, f)})
		}
	}
	if rj.Len() > 0 {
		res.Rejections = rj.result()
		return res, nil
	}
	sc := st.Scope(org)
	people, err := sc.AllStaff(ctx)
	if err != nil {
		return res, err
	}
	byNumber, byEmail := map[string]domain.Staff{}, map[string]domain.Staff{}
	for _, p := range people {
		if p.StaffNumber != "" {
			byNumber[p.StaffNumber] = p
		}
		if p.Email != "" {
			byEmail[p.Email] = p
		}
	}
	modules, err := sc.TrainingModules(ctx, true)
	if err != nil {
		return res, err
	}
	byModule := map[string]domain.TrainingModule{}
	var codes []string
	for _, m := range modules {
		byModule[strings.ToLower(m.Code)] = m
		byModule[strings.ToLower(m.Title)] = m
		codes = append(codes, m.Code)
	}
	sort.Strings(codes)
	loc, err := location(ctx, sc)
	if err != nil {
		return res, err
	}
	// A day of slack for platforms that write times in another zone.
	latest := Day(opt.Now, loc).AddDate(0, 0, 1)
	source := "import:" + name
	var recs []domain.TrainingRecord
	var rowOf []int
	for _, row := range t.Rows {
		if row.N <= cols.HeaderRow || row.empty() {
			continue
		}
		res.Rows++
		get := func(f string) string { return cols.Get(row, f) }
		bad := func(field, value, msg string) {
			rj.add(Rejection{Row: row.N, Column: cols.Column(field), Field: field, Value: value, Message: msg})
		}
		rec := domain.TrainingRecord{Provider: get("provider"), EvidenceURL: get("evidence_url"), Source: source}
		num, email := get("staff_number"), strings.ToLower(get("email"))
		p, ok := byNumber[num]
		if !ok || num == "" {
			p, ok = byEmail[email]
		}
		switch {
		case num == "" && email == "":
			field := "email"
			if !cols.Has("email") {
				field = "staff_number"
			}
			bad(field, "", "names no person (staff number or e-mail is empty)")
			continue
		case !ok:
			field, v := "email", email
			if num != "" {
				field, v = "staff_number", num
			}
			bad(field, v, "no person with this staff number or e-mail in the staff register (import the staff first)")
			continue
		}
		rec.StaffID = p.ID
		result, ok := ParseResult(get("result"))
		if !ok {
			bad("result", get("result"), "unknown result (use completed, passed, failed, clicked, reported or ignored)")
			continue
		}
		rec.Result = result
		mv := get("module")
		m, known := byModule[strings.ToLower(mv)]
		switch result {
		case domain.ResultClicked, domain.ResultReported, domain.ResultIgnored:
			rec.Kind, rec.Campaign = domain.RecordPhishing, mv
			if mv == "" {
				bad("module", "", "a phishing result needs the campaign name")
				continue
			}
			if known {
				rec.ModuleID = &m.ID
			}
		default:
			rec.Kind = domain.RecordCourse
			if !known {
				bad("module", mv, "no training module with this code or title (known codes: "+clipList(codes, 12)+")")
				continue
			}
			rec.ModuleID = &m.ID
			if m.Delivery == domain.DeliveryExercise {
				rec.Kind = domain.RecordExercise
			}
		}
		d, err := ParseDate(get("date"))
		if err != nil {
			bad("date", get("date"), err.Error())
			continue
		}
		if d.After(latest) {
			bad("date", get("date"), "lies in the future")
			continue
		}
		rec.Date = d
		if rec.Score, err = ParseScore(get("score")); err != nil {
			bad("score", get("score"), err.Error())
			continue
		}
		if err := rec.Validate(); err != nil {
			f := domain.ErrorField(err)
			if f == "evidence_url" {
				bad(f, rec.EvidenceURL, domain.ErrorMessage(err))
			} else {
				rj.add(Rejection{Row: row.N, Message: err.Error()})
			}
			continue
		}
		recs = append(recs, rec)
		rowOf = append(rowOf, row.N)
	}
	if res.Rows == 0 {
		rj.add(Rejection{Message: fmt.Sprintf("no data rows below the header (row %d)", cols.HeaderRow)})
	}
	if rj.Len() > 0 {
		res.Rejections = rj.result()
		return res, nil
	}
	names := map[int64]string{}
	for _, p := range people {
		names[p.ID] = p.Name
	}
	err = sc.Write(ctx, func(tx *store.Tx) error {
		added, skipped, err := tx.AddTrainingRecords(ctx, recs, fmt.Sprintf("imported training results from %s", name))
		if err != nil {
			return err
		}
		res.Created, res.Unchanged = added, skipped
		for i, rc := range recs {
			if len(res.Preview) >= PreviewRows {
				break
			}
			action := "add"
			if rc.ID == 0 {
				action = "skip" // recorded before
			}
			what := rc.Campaign
			if rc.Kind != domain.RecordPhishing {
				what = byIDTitle(modules, *rc.ModuleID)
			}
			score := ""
			if rc.Score != nil {
				score = strconv.FormatFloat(*rc.Score, 'f', -1, 64)
			}
			res.Preview = append(res.Preview, PreviewRow{Row: rowOf[i], Action: action, Cells: []string{names[rc.StaffID], what, rc.Kind,
				rc.Date.Format("2006-01-02"), rc.Result, score, rc.Provider}})
		}
		if opt.DryRun {
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return res, err
	}
	res.Rejections = rj.result()
	res.OK = true
	return res, nil
}

func byIDTitle(ms []domain.TrainingModule, id int64) string {
	for _, m := range ms {
		if m.ID == id {
			return m.Title
		}
	}
	return ""
}

func clipList(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return strings.Join(s[:n], ", ") + fmt.Sprintf(" and %d more", len(s)-n)
}
