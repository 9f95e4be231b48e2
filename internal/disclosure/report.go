package disclosure

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/vigil-med/vigil/internal/domain"
)

// Actions of a report's changes.
const (
	Created = "created"
	Updated = "updated"
	Skipped = "skipped"
)

// Change is one thing an import did (or did not do, and why).
type Change struct {
	Action string `json:"action" doc:"created, updated or skipped"`
	What   string `json:"what" doc:"product, product version, SBOM, MDS2 form, advisory, VEX statements …"`
	Name   string `json:"name"`
	Detail string `json:"detail,omitempty"`
	ID     int64  `json:"id,omitempty" doc:"the record's id (product version, form, advisory)"`
}

// FileError is a document that could not be imported, with every problem found in it.
type FileError struct {
	File     string   `json:"file"`
	Message  string   `json:"message"`
	Problems []string `json:"problems,omitempty" doc:"each with its place: JSON path, line, sheet/row"`
}

// Report says what an import of disclosure documents read and did. Created, Updated and Skipped count the
// Changes by action; Failed counts the Errors (documents that could not be imported).
type Report struct {
	Kind       domain.DisclosureKind `json:"kind"`
	File       string                `json:"file"`
	Format     string                `json:"format,omitempty"`
	SHA256     string                `json:"sha256,omitempty"`
	DocumentID int64                 `json:"document_id,omitempty" doc:"the kept original (of a single document)"`
	Created    int                   `json:"created"`
	Updated    int                   `json:"updated"`
	Skipped    int                   `json:"skipped"`
	Failed     int                   `json:"failed"`
	Changes    []Change              `json:"changes"`
	Warnings   []string              `json:"warnings"`
	Errors     []FileError           `json:"errors"`
}

func newReport(kind domain.DisclosureKind, file string) *Report {
	return &Report{Kind: kind, File: file, Changes: []Change{}, Warnings: []string{}, Errors: []FileError{}}
}

func (r *Report) add(c Change) {
	r.Changes = append(r.Changes, c)
	switch c.Action {
	case Created:
		r.Created++
	case Updated:
		r.Updated++
	case Skipped:
		r.Skipped++
	}
}

// fail records a document that could not be imported.
func (r *Report) fail(e FileError) {
	r.Errors = append(r.Errors, e)
	r.Failed++
}

func (r *Report) warn(format string, args ...any) {
	if len(r.Warnings) < 200 {
		r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
	}
}

// Summary is the report in one line ("created 3, updated 1, skipped 2, failed 0").
func (r *Report) Summary() string {
	s := fmt.Sprintf("created %d, updated %d, skipped %d", r.Created, r.Updated, r.Skipped)
	if r.Failed > 0 {
		s += fmt.Sprintf(", failed %d", r.Failed)
	}
	return s
}

// WriteText writes the report for people: the summary, each change, the warnings (at most
// maxWarnings; all when negative) and every error with its problems.
func (r *Report) WriteText(w io.Writer, maxWarnings int) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "%s import of %s", r.Kind.Label(), r.File)
	if r.Format != "" {
		fmt.Fprintf(b, " (%s)", r.Format)
	}
	fmt.Fprintf(b, ": %s\n", r.Summary())
	tw := tabwriter.NewWriter(b, 2, 4, 2, ' ', 0)
	for _, c := range r.Changes {
		d := c.Name
		if c.Detail != "" {
			d += " — " + c.Detail
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Action, c.What, d)
	}
	tw.Flush()
	if n := len(r.Warnings); n > 0 {
		fmt.Fprintf(b, "Warnings (%d):\n", n)
		for i, x := range r.Warnings {
			if maxWarnings >= 0 && i >= maxWarnings {
				fmt.Fprintf(b, "  … and %d more (see --json)\n", n-i)
				break
			}
			fmt.Fprintf(b, "  %s\n", x)
		}
	}
	for _, e := range r.Errors {
		fmt.Fprintf(b, "FAILED %s: %s\n", e.File, e.Message)
		for _, p := range e.Problems {
			fmt.Fprintf(b, "  %s\n", p)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
