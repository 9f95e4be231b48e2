package csaf

import (
	"errors"
	"fmt"
	"strings"
)

// ErrTooLarge is wrapped by Parse when the input exceeds the size limit.
var ErrTooLarge = errors.New("document too large")

// ValidationError is one problem found in a CSAF document: where (a JSON path such as
// $.product_tree.branches[0].name) and what.
type ValidationError struct {
	Path    string
	Message string
}

// String returns "path: message".
func (v ValidationError) String() string { return v.Path + ": " + v.Message }

// SyntaxError reports input that is not JSON, is truncated, nests too deeply, repeats an object key or
// has data after the JSON value. Offset is the byte offset (0-based) where the problem was seen; Line
// and Column (1-based) locate the same byte.
type SyntaxError struct {
	Name      string
	Offset    int64
	Line      int
	Column    int
	Truncated bool // the input ended inside the JSON value
	Msg       string
}

func (e *SyntaxError) Error() string {
	what := "not valid JSON"
	if e.Truncated {
		what = "truncated JSON"
	}
	return fmt.Sprintf("csaf %q: %s: %s at byte %d (line %d, column %d)", e.Name, what, e.Msg, e.Offset, e.Line, e.Column)
}

// NotCSAFError reports valid JSON that is not a CSAF document (another format, or no document object).
type NotCSAFError struct {
	Name   string
	Reason string // e.g. `looks like a CycloneDX document ("bomFormat" at top level)`
}

func (e *NotCSAFError) Error() string {
	return fmt.Sprintf("not a CSAF document: %q: %s", e.Name, e.Reason)
}

// InvalidError reports a CSAF document that breaks the CSAF 2.0 JSON schema or a mandatory test that
// Parse enforces. Problems lists each problem; print one per line.
type InvalidError struct {
	Name     string
	Problems []ValidationError
}

// maxListedProblems bounds how many problems Error() spells out; Problems always holds all of them.
const maxListedProblems = 20

func (e *InvalidError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "csaf %q: invalid CSAF 2.0 document: %d problem", e.Name, len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	for i, p := range e.Problems {
		if i == maxListedProblems {
			fmt.Fprintf(&b, "\n  … and %d more", len(e.Problems)-i)
			break
		}
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}
