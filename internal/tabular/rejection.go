package tabular

import (
	"fmt"
	"sort"
	"strings"
)

// Rejection is a problem with one row (or, with Row 0, the file) of an import: where (Row as the file
// shows it, Column as people name it, Col the column's 1-based index for ordering, 0 for the row as a
// whole), which field, the value and why. F is the module's field type.
type Rejection[F ~string] struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Field   F      `json:"field,omitempty"`
	Value   string `json:"value,omitempty"`
	Message string `json:"message"`
	Col     int    `json:"-"`
}

// String is `row 4, column "Course": no training module … (value "underwater basket weaving")`, or
// "file: …" for Row 0.
func (r Rejection[F]) String() string {
	var b strings.Builder
	if r.Row > 0 {
		fmt.Fprintf(&b, "row %d", r.Row)
	} else {
		b.WriteString("file")
	}
	if r.Column != "" {
		fmt.Fprintf(&b, ", column %q", r.Column)
	}
	b.WriteString(": " + r.Message)
	if r.Value != "" {
		fmt.Fprintf(&b, " (value %q)", Clip(r.Value, 60))
	}
	return b.String()
}

// Clip shortens a value for messages to at most n runes, ending in "…" when cut.
func Clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// SortRejections orders rejections by row, then column (stable: equal ones keep their order).
func SortRejections[F ~string](rs []Rejection[F]) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Row != rs[j].Row {
			return rs[i].Row < rs[j].Row
		}
		return rs[i].Col < rs[j].Col
	})
}

// Collector gathers the rejections of an import up to Max (unlimited when 0), counting the rest.
type Collector[F ~string] struct {
	Max  int
	list []Rejection[F]
	more int
}

// Add records a rejection.
func (c *Collector[F]) Add(r Rejection[F]) {
	if c.Max > 0 && len(c.list) >= c.Max {
		c.more++
		return
	}
	c.list = append(c.list, r)
}

// Len is the number of rejections recorded (not counting those over Max).
func (c *Collector[F]) Len() int { return len(c.list) }

// Result returns the rejections in row order and, when some were over Max, a last one saying how many
// more there were.
func (c *Collector[F]) Result() []Rejection[F] {
	out := append([]Rejection[F]{}, c.list...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Row < out[j].Row })
	if c.more > 0 {
		out = append(out, Rejection[F]{Message: fmt.Sprintf("and %d more problems not listed", c.more)})
	}
	return out
}
