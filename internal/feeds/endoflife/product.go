package endoflife

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Limits bound what the readers accept.
type Limits struct {
	MaxProductBytes     int64 // size of one products/*.md file
	MaxReleaseDataBytes int64 // size of one release-data or API JSON file
	MaxFiles            int   // files read from one directory
	MaxCycles           int   // release cycles in one product
	MaxVersions         int   // versions in one release-data file
	MaxNesting          int   // bracket nesting in YAML front matter
}

// DefaultLimits are generous for the real data (the largest product file is about 40 KB, the largest
// release-data file, linux-kernel, about 370 KB) and small enough to refuse abuse.
func DefaultLimits() Limits {
	return Limits{
		MaxProductBytes:     2 << 20,
		MaxReleaseDataBytes: 16 << 20,
		MaxFiles:            5000,
		MaxCycles:           5000,
		MaxVersions:         200000,
		MaxNesting:          32,
	}
}

// ParseError is an error at a place in an input file.
type ParseError struct {
	File   string // as given to the reader, e.g. "products/windows.md"
	Line   int    // 1-based; 0 when unknown
	Column int    // 1-based; 0 when unknown
	Field  string // e.g. "releases[3].eol"; "" when not about one field
	Err    error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrTooLarge is wrapped by errors about inputs over a size limit.
var ErrTooLarge = errors.New("too large")

// readLimited reads all of r, refusing more than limit bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	return b, nil
}

// ParseProduct reads one endoflife.date product page (Markdown with YAML front matter). file names
// the input in errors and is kept as Product.Source; the product name is the file's base name without
// ".md" unless the front matter's permalink says otherwise.
func ParseProduct(file string, r io.Reader, lim Limits) (*Product, error) {
	data, err := readLimited(r, lim.MaxProductBytes)
	if err != nil {
		return nil, &ParseError{File: file, Err: err}
	}
	front, err := frontMatter(data)
	if err != nil {
		return nil, &ParseError{File: file, Line: 1, Err: err}
	}
	if d, line := nesting(front); d > lim.MaxNesting {
		return nil, &ParseError{File: file, Line: line + 1, Err: fmt.Errorf("brackets nested %d deep (limit %d)", d, lim.MaxNesting)}
	}
	root, err := parseYAML(front)
	if err != nil {
		line, col, msg := yamlErrPos(err.Error())
		if line > 0 {
			line++ // the opening --- line
		}
		return nil, &ParseError{File: file, Line: line, Column: col, Err: errors.New(msg)}
	}
	p := &Product{Name: baseName(file), Source: file}
	d := decoder{file: file, lineOffset: 1, lim: lim}
	if err := d.product(root, p); err != nil {
		return nil, err
	}
	return p, nil
}

// frontMatter returns the YAML between the opening "---" line and the next "---" (or "...") line.
func frontMatter(data []byte) ([]byte, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	first, rest, ok := bytes.Cut(data, []byte("\n"))
	if strings.TrimRight(string(first), "\r ") != "---" {
		return nil, errors.New("not an endoflife.date product page: no YAML front matter (the file must start with a --- line)")
	}
	if !ok {
		return nil, errors.New("front matter not closed: no second --- line (truncated file?)")
	}
	off := 0
	for off <= len(rest) {
		line, _, _ := bytes.Cut(rest[off:], []byte("\n"))
		t := strings.TrimRight(string(line), "\r ")
		if t == "---" || t == "..." {
			return rest[:off], nil
		}
		if off+len(line) >= len(rest) {
			break
		}
		off += len(line) + 1
	}
	return nil, errors.New("front matter not closed: no second --- line (truncated file?)")
}

// nesting returns the deepest flow-bracket nesting in the text (quotes ignored, which can only
// overestimate) and the 1-based line where it is reached.
func nesting(b []byte) (int, int) {
	depth, maxDepth, line, maxLine := 0, 0, 1, 0
	for _, c := range b {
		switch c {
		case '[', '{':
			depth++
			if depth > maxDepth {
				maxDepth, maxLine = depth, line
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		case '\n':
			line++
		}
	}
	return maxDepth, maxLine
}

// parseYAML parses one YAML document into its root node. The parser is third-party code fed untrusted
// input; a panic in it becomes an error.
func parseYAML(b []byte) (root ast.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("YAML parser failed: %v", r)
		}
	}()
	f, err := parser.ParseBytes(b, 0)
	if err != nil {
		return nil, errors.New(firstLine(err.Error()))
	}
	if len(f.Docs) != 1 || f.Docs[0] == nil || f.Docs[0].Body == nil {
		return nil, errors.New("front matter is empty or holds more than one YAML document")
	}
	return f.Docs[0].Body, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

// yamlErrPos splits the "[line:col] message" form of goccy/go-yaml errors.
func yamlErrPos(s string) (int, int, string) {
	var line, col int
	if n, _ := fmt.Sscanf(s, "[%d:%d]", &line, &col); n == 2 {
		if _, rest, ok := strings.Cut(s, "] "); ok {
			return line, col, rest
		}
	}
	return 0, 0, s
}

func baseName(file string) string {
	if i := strings.LastIndexAny(file, `/\`); i >= 0 {
		file = file[i+1:]
	}
	return strings.TrimSuffix(file, ".md")
}

// decoder walks the front-matter AST.
type decoder struct {
	file       string
	lineOffset int // lines before the front matter
	lim        Limits
}

func (d *decoder) errAt(n ast.Node, field string, format string, a ...any) error {
	// A mapping's own token is its first ":"; point at its first key instead.
	switch m := n.(type) {
	case *ast.MappingNode:
		if len(m.Values) > 0 {
			n = m.Values[0].Key
		}
	case *ast.MappingValueNode:
		n = m.Key
	}
	line, col := 0, 0
	if n != nil && n.GetToken() != nil {
		line = n.GetToken().Position.Line + d.lineOffset
		col = n.GetToken().Position.Column
	}
	return &ParseError{File: d.file, Line: line, Column: col, Field: field, Err: fmt.Errorf(format, a...)}
}

// unwrap removes tags and refuses anchors and aliases.
func (d *decoder) unwrap(n ast.Node, field string) (ast.Node, error) {
	for {
		switch x := n.(type) {
		case *ast.TagNode:
			n = x.Value
		case *ast.AnchorNode, *ast.AliasNode:
			return nil, d.errAt(n, field, "YAML anchors and aliases are not supported")
		default:
			return n, nil
		}
	}
}

func (d *decoder) mapping(n ast.Node, field string) ([]*ast.MappingValueNode, error) {
	n, err := d.unwrap(n, field)
	if err != nil {
		return nil, err
	}
	switch x := n.(type) {
	case *ast.MappingNode:
		return x.Values, nil
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{x}, nil
	case nil:
		return nil, nil
	}
	return nil, d.errAt(n, field, "want a mapping, got %s", kind(n))
}

func (d *decoder) sequence(n ast.Node, field string) ([]ast.Node, error) {
	n, err := d.unwrap(n, field)
	if err != nil {
		return nil, err
	}
	switch x := n.(type) {
	case *ast.SequenceNode:
		return x.Values, nil
	case *ast.NullNode, nil:
		return nil, nil
	}
	return nil, d.errAt(n, field, "want a list, got %s", kind(n))
}

// scalar returns the text of a scalar node exactly as written (so "3.10" stays "3.10"), whether it
// was null, and an error for non-scalars.
func (d *decoder) scalar(n ast.Node, field string) (string, bool, error) {
	n, err := d.unwrap(n, field)
	if err != nil {
		return "", false, err
	}
	switch x := n.(type) {
	case *ast.NullNode, nil:
		return "", true, nil
	case *ast.StringNode:
		return x.Value, false, nil
	case *ast.LiteralNode:
		if x.Value != nil {
			return strings.TrimRight(x.Value.Value, "\n"), false, nil
		}
		return "", false, nil
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return n.GetToken().Value, false, nil
	}
	return "", false, d.errAt(n, field, "want a single value, got %s", kind(n))
}

func kind(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	}
	t := strings.ToLower(n.Type().String())
	if strings.ContainsRune("aeiou", rune(t[0])) {
		return "an " + t
	}
	return "a " + t
}

func (d *decoder) key(mv *ast.MappingValueNode) string {
	s, _, err := d.scalar(mv.Key, "")
	if err != nil {
		return ""
	}
	return s
}

func (d *decoder) product(root ast.Node, p *Product) error {
	items, err := d.mapping(root, "")
	if err != nil {
		return err
	}
	var labelTemplate string
	var releases ast.Node
	for _, mv := range items {
		k := d.key(mv)
		switch k {
		case "title":
			if p.Title, _, err = d.scalar(mv.Value, k); err != nil {
				return err
			}
		case "category":
			if p.Category, _, err = d.scalar(mv.Value, k); err != nil {
				return err
			}
		case "permalink":
			s, _, err := d.scalar(mv.Value, k)
			if err != nil {
				return err
			}
			if s = strings.Trim(s, "/"); s != "" && !strings.Contains(s, "/") {
				p.Name = s
			}
		case "releaseLabel":
			if labelTemplate, _, err = d.scalar(mv.Value, k); err != nil {
				return err
			}
		case "identifiers":
			if p.Identifiers, err = d.identifiers(mv.Value); err != nil {
				return err
			}
		case "releases":
			releases = mv.Value
		}
	}
	if releases == nil {
		return d.errAt(root, "releases", "missing")
	}
	list, err := d.sequence(releases, "releases")
	if err != nil {
		return err
	}
	if len(list) > d.lim.MaxCycles {
		return d.errAt(releases, "releases", "%d cycles, limit %d", len(list), d.lim.MaxCycles)
	}
	for i, n := range list {
		c, err := d.cycle(n, fmt.Sprintf("releases[%d]", i), labelTemplate)
		if err != nil {
			return err
		}
		p.Cycles = append(p.Cycles, c)
	}
	return nil
}

func (d *decoder) identifiers(n ast.Node) ([]Identifier, error) {
	list, err := d.sequence(n, "identifiers")
	if err != nil {
		return nil, err
	}
	var out []Identifier
	for i, e := range list {
		field := fmt.Sprintf("identifiers[%d]", i)
		items, err := d.mapping(e, field)
		if err != nil {
			return nil, err
		}
		for _, mv := range items {
			k := d.key(mv)
			v, _, err := d.scalar(mv.Value, field+"."+k)
			if err != nil {
				return nil, err
			}
			if v != "" {
				out = append(out, Identifier{Type: k, Value: v})
			}
		}
	}
	return out, nil
}

func (d *decoder) cycle(n ast.Node, field, labelTemplate string) (Cycle, error) {
	items, err := d.mapping(n, field)
	if err != nil {
		return Cycle{}, err
	}
	c := Cycle{}
	if n.GetToken() != nil {
		c.Line = n.GetToken().Position.Line + d.lineOffset
	}
	var haveCycle, haveEOL bool
	for _, mv := range items {
		k := d.key(mv)
		f := field + "." + k
		var err error
		switch k {
		case "releaseCycle":
			var null bool
			c.Name, null, err = d.scalar(mv.Value, f)
			if err == nil && (null || c.Name == "") {
				err = d.errAt(mv.Value, f, "empty")
			}
			haveCycle = true
		case "releaseLabel":
			c.Label, _, err = d.scalar(mv.Value, f)
		case "codename":
			c.Codename, _, err = d.scalar(mv.Value, f)
		case "releaseDate":
			c.ReleaseDate, err = d.date(mv.Value, f)
		case "latestReleaseDate":
			c.LatestReleaseDate, err = d.date(mv.Value, f)
		case "eol":
			c.EOL, err = d.milestone(mv.Value, f)
			haveEOL = true
		case "eoas", "support":
			c.EOAS, err = d.milestone(mv.Value, f)
		case "eoes", "extendedSupport":
			c.EOES, err = d.milestone(mv.Value, f)
		case "lts":
			c.LTS, err = d.milestone(mv.Value, f)
		case "discontinued":
			c.Discontinued, err = d.milestone(mv.Value, f)
		case "latest":
			c.Latest, _, err = d.scalar(mv.Value, f)
		case "link":
			c.Link, _, err = d.scalar(mv.Value, f)
		}
		if err != nil {
			return Cycle{}, err
		}
	}
	if !haveCycle {
		return Cycle{}, d.errAt(n, field+".releaseCycle", "missing")
	}
	if !haveEOL {
		return Cycle{}, d.errAt(n, field+".eol", "missing")
	}
	// Upstream templates use these placeholders in labels and links.
	expand := strings.NewReplacer("__RELEASE_CYCLE__", c.Name, "__CODENAME__", c.Codename, "__LATEST__", c.Latest)
	if c.Label == "" {
		c.Label = c.Name
		if labelTemplate != "" {
			c.Label = expand.Replace(labelTemplate)
		}
	}
	c.Link = expand.Replace(c.Link)
	return c, nil
}

func (d *decoder) date(n ast.Node, field string) (time.Time, error) {
	s, null, err := d.scalar(n, field)
	if err != nil || null || s == "" {
		return time.Time{}, err
	}
	t, err := parseDate(s)
	if err != nil {
		return time.Time{}, d.errAt(n, field, "%v", err)
	}
	return t, nil
}

// milestone reads a date, true/false, or null.
func (d *decoder) milestone(n ast.Node, field string) (Milestone, error) {
	u, err := d.unwrap(n, field)
	if err != nil {
		return Milestone{}, err
	}
	if b, ok := u.(*ast.BoolNode); ok {
		return milestoneOf(b.Value)
	}
	s, null, err := d.scalar(u, field)
	if err != nil || null {
		return Milestone{}, err
	}
	t, err := parseDate(s)
	if err != nil {
		return Milestone{}, d.errAt(n, field, "%v; want a date or true/false", err)
	}
	return DateMilestone(t), nil
}
