// Package pdf builds Vigil's PDF reports (gap report, funding case, incident reports, tender annex) from
// simple blocks: headings, paragraphs, key-value lists, tables, bar charts and sign-off fields. Text is
// set in the Go fonts (embedded, Unicode), so names with umlauts, € and ≥ print as written.
package pdf

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"
)

// Meta describes the document for its header, footer and PDF properties.
type Meta struct {
	Title        string
	Subtitle     string
	Organisation string
	Author       string
	Generated    time.Time
	Location     *time.Location // for dates shown in the document
	Confidential bool           // print "Confidential" in the footer
}

// Doc is a PDF under construction.
type Doc struct {
	f    *fpdf.Fpdf
	meta Meta
	// usable width in mm
	w float64
}

const (
	margin   = 18.0
	fontName = "go"
)

// New starts an A4 portrait document with a title block.
func New(m Meta) *Doc {
	if m.Location == nil {
		m.Location = time.UTC
	}
	if m.Generated.IsZero() {
		m.Generated = time.Now()
	}
	f := fpdf.New("P", "mm", "A4", "")
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, margin+6)
	f.AddUTF8FontFromBytes(fontName, "", goregular.TTF)
	f.AddUTF8FontFromBytes(fontName, "B", gobold.TTF)
	f.AddUTF8FontFromBytes(fontName, "I", goitalic.TTF)
	f.SetTitle(m.Title, true)
	f.SetAuthor(m.Author, true)
	f.SetCreator("Vigil", true)
	f.SetCreationDate(m.Generated)
	f.SetModificationDate(m.Generated)
	d := &Doc{f: f, meta: m}
	pw, _ := f.GetPageSize()
	d.w = pw - 2*margin
	f.SetFooterFunc(func() {
		f.SetY(-14)
		f.SetFont(fontName, "", 8)
		f.SetTextColor(110, 110, 110)
		left := m.Organisation
		if m.Confidential {
			left += " · Confidential"
		}
		f.CellFormat(d.w/2, 5, left, "", 0, "L", false, 0, "")
		f.CellFormat(d.w/2, 5, fmt.Sprintf("%s · page %d/{nb}", m.Generated.In(m.Location).Format("2006-01-02 15:04 MST"), f.PageNo()), "", 0, "R", false, 0, "")
	})
	f.AliasNbPages("{nb}")
	f.AddPage()
	// Title block.
	f.SetFillColor(16, 36, 62)
	f.Rect(0, 0, pw, 10, "F")
	f.SetY(margin)
	f.SetTextColor(16, 36, 62)
	f.SetFont(fontName, "B", 20)
	f.MultiCell(d.w, 9, m.Title, "", "L", false)
	if m.Subtitle != "" {
		f.SetFont(fontName, "", 12)
		f.SetTextColor(70, 80, 95)
		f.MultiCell(d.w, 6, m.Subtitle, "", "L", false)
	}
	f.SetFont(fontName, "", 9)
	f.SetTextColor(110, 110, 110)
	line := m.Organisation
	if m.Author != "" {
		line += " · prepared by " + m.Author
	}
	line += " · " + m.Generated.In(m.Location).Format("2 January 2006")
	f.MultiCell(d.w, 5, line, "", "L", false)
	f.Ln(4)
	d.rule()
	return d
}

func (d *Doc) rule() {
	y := d.f.GetY()
	d.f.SetDrawColor(210, 215, 222)
	d.f.Line(margin, y, margin+d.w, y)
	d.f.Ln(3)
}

func (d *Doc) text() { d.f.SetTextColor(27, 36, 48) }

// H1 starts a section.
func (d *Doc) H1(s string) {
	d.ensure(20)
	d.f.Ln(3)
	d.f.SetFont(fontName, "B", 14)
	d.f.SetTextColor(11, 92, 171)
	d.f.MultiCell(d.w, 7, s, "", "L", false)
	d.f.Ln(1)
}

// H2 starts a subsection.
func (d *Doc) H2(s string) {
	d.ensure(14)
	d.f.Ln(2)
	d.f.SetFont(fontName, "B", 11)
	d.text()
	d.f.MultiCell(d.w, 6, s, "", "L", false)
}

// P is a paragraph.
func (d *Doc) P(s string) {
	d.f.SetFont(fontName, "", 10)
	d.text()
	d.f.MultiCell(d.w, 5, s, "", "L", false)
	d.f.Ln(1.5)
}

// Note is a small grey paragraph (sources, caveats).
func (d *Doc) Note(s string) {
	d.f.SetFont(fontName, "I", 8.5)
	d.f.SetTextColor(100, 105, 115)
	d.f.MultiCell(d.w, 4.2, s, "", "L", false)
	d.f.Ln(1)
}

// Bullets is a list.
func (d *Doc) Bullets(items []string) {
	d.f.SetFont(fontName, "", 10)
	d.text()
	for _, it := range items {
		x := d.f.GetX()
		d.f.CellFormat(5, 5, "•", "", 0, "L", false, 0, "")
		d.f.MultiCell(d.w-5, 5, it, "", "L", false)
		d.f.SetX(x)
	}
	d.f.Ln(1)
}

// KV prints label–value pairs in two columns.
func (d *Doc) KV(pairs [][2]string) {
	lw := d.w * 0.32
	for _, p := range pairs {
		d.ensure(6)
		d.f.SetFont(fontName, "B", 9.5)
		d.f.SetTextColor(90, 100, 112)
		y := d.f.GetY()
		d.f.MultiCell(lw, 5, p[0], "", "L", false)
		y1 := d.f.GetY()
		d.f.SetXY(margin+lw, y)
		d.f.SetFont(fontName, "", 9.5)
		d.text()
		d.f.MultiCell(d.w-lw, 5, p[1], "", "L", false)
		d.f.SetY(math.Max(y1, d.f.GetY()))
	}
	d.f.Ln(2)
}

// Figures prints a row of large numbers with captions (like the dashboard cards).
func (d *Doc) Figures(figs [][2]string) {
	if len(figs) == 0 {
		return
	}
	d.ensure(22)
	cw := d.w / float64(len(figs))
	y := d.f.GetY()
	for i, fg := range figs {
		x := margin + float64(i)*cw
		d.f.SetFillColor(244, 246, 249)
		d.f.Rect(x+1, y, cw-2, 18, "F")
		d.f.SetXY(x+3, y+2)
		d.f.SetFont(fontName, "B", 15)
		d.f.SetTextColor(16, 36, 62)
		d.f.CellFormat(cw-6, 8, fg[0], "", 2, "L", false, 0, "")
		d.f.SetX(x + 3)
		d.f.SetFont(fontName, "", 8)
		d.f.SetTextColor(90, 100, 112)
		d.f.CellFormat(cw-6, 5, fg[1], "", 0, "L", false, 0, "")
	}
	d.f.SetXY(margin, y+21)
}

// Table prints a table with a header row; widths are relative (they are scaled to the page width).
// Rows that do not fit continue on the next page with the header repeated.
func (d *Doc) Table(header []string, widths []float64, rows [][]string) {
	total := 0.0
	for _, w := range widths {
		total += w
	}
	ws := make([]float64, len(widths))
	for i, w := range widths {
		ws[i] = w / total * d.w
	}
	drawHeader := func() {
		d.f.SetFont(fontName, "B", 8.5)
		d.f.SetFillColor(226, 232, 240)
		d.f.SetTextColor(40, 50, 62)
		for i, h := range header {
			d.f.CellFormat(ws[i], 6.5, h, "", 0, "L", true, 0, "")
		}
		d.f.Ln(-1)
	}
	d.ensure(14)
	drawHeader()
	d.f.SetFont(fontName, "", 8.5)
	lh := 4.3
	for ri, row := range rows {
		// Height of the row: the tallest cell.
		lines := 1
		for i, c := range row {
			if i < len(ws) {
				lines = max(lines, len(d.f.SplitText(c, ws[i]-2)))
			}
		}
		h := float64(lines)*lh + 2
		_, ph := d.f.GetPageSize()
		if d.f.GetY()+h > ph-margin-8 {
			d.f.AddPage()
			drawHeader()
			d.f.SetFont(fontName, "", 8.5)
		}
		y := d.f.GetY()
		if ri%2 == 1 {
			d.f.SetFillColor(248, 250, 252)
			d.f.Rect(margin, y, d.w, h, "F")
		}
		x := margin
		d.text()
		for i, c := range row {
			if i >= len(ws) {
				break
			}
			d.f.SetXY(x+1, y+1)
			d.f.MultiCell(ws[i]-2, lh, c, "", "L", false)
			x += ws[i]
		}
		d.f.SetXY(margin, y+h)
		d.f.SetDrawColor(226, 232, 240)
		d.f.Line(margin, y+h, margin+d.w, y+h)
	}
	d.f.Ln(3)
}

// Bar is one bar of a chart; Values holds stacked segments (one per series).
type Bar struct {
	Label  string
	Values []float64
}

// BarChart draws a vertical (stacked) bar chart with a legend. format prints axis and bar values.
func (d *Doc) BarChart(title string, series []string, bars []Bar, format func(float64) string) {
	if len(bars) == 0 {
		return
	}
	if format == nil {
		format = func(v float64) string { return fmt.Sprintf("%.0f", v) }
	}
	height := 60.0
	d.ensure(height + 22)
	d.H2(title)
	top := d.f.GetY() + 2
	maxV := 0.0
	for _, b := range bars {
		s := 0.0
		for _, v := range b.Values {
			s += v
		}
		maxV = math.Max(maxV, s)
	}
	if maxV == 0 {
		maxV = 1
	}
	left := margin + 18
	plotW := d.w - 18
	colors := [][3]int{{11, 92, 171}, {143, 179, 220}, {179, 38, 30}, {138, 90, 0}, {30, 123, 52}}
	d.f.SetFont(fontName, "", 7.5)
	d.f.SetTextColor(100, 105, 115)
	d.f.SetDrawColor(226, 232, 240)
	for i := 0; i <= 4; i++ {
		v := maxV * float64(i) / 4
		y := top + height - height*float64(i)/4
		d.f.Line(left, y, left+plotW, y)
		d.f.SetXY(margin, y-2)
		d.f.CellFormat(17, 4, format(v), "", 0, "R", false, 0, "")
	}
	slot := plotW / float64(len(bars))
	bw := math.Min(slot*0.6, 22)
	for i, b := range bars {
		x := left + float64(i)*slot + (slot-bw)/2
		y := top + height
		sum := 0.0
		for si, v := range b.Values {
			hh := height * v / maxV
			c := colors[si%len(colors)]
			d.f.SetFillColor(c[0], c[1], c[2])
			d.f.Rect(x, y-hh, bw, hh, "F")
			y -= hh
			sum += v
		}
		d.f.SetTextColor(40, 50, 62)
		d.f.SetXY(x-4, y-4.5)
		d.f.CellFormat(bw+8, 4, format(sum), "", 0, "C", false, 0, "")
		d.f.SetTextColor(90, 100, 112)
		d.f.SetXY(left+float64(i)*slot, top+height+1)
		d.f.CellFormat(slot, 4, b.Label, "", 0, "C", false, 0, "")
	}
	y := top + height + 7
	x := left
	for si, s := range series {
		c := colors[si%len(colors)]
		d.f.SetFillColor(c[0], c[1], c[2])
		d.f.Rect(x, y+0.8, 3, 3, "F")
		d.f.SetXY(x+4, y)
		d.f.CellFormat(d.f.GetStringWidth(s)+6, 4.5, s, "", 0, "L", false, 0, "")
		x += d.f.GetStringWidth(s) + 12
	}
	d.f.SetXY(margin, y+8)
}

// SignOff prints lines for names, roles, dates and signatures (e.g. the management body's approval).
func (d *Doc) SignOff(title string, roles []string) {
	d.ensure(16 + float64(len(roles))*14)
	d.H2(title)
	for _, r := range roles {
		d.f.Ln(8)
		y := d.f.GetY()
		d.f.SetDrawColor(120, 120, 120)
		d.f.Line(margin, y, margin+d.w*0.45, y)
		d.f.Line(margin+d.w*0.55, y, margin+d.w, y)
		d.f.SetFont(fontName, "", 8)
		d.f.SetTextColor(90, 100, 112)
		d.f.SetXY(margin, y+0.5)
		d.f.CellFormat(d.w*0.45, 4, r+" — name, date", "", 0, "L", false, 0, "")
		d.f.SetXY(margin+d.w*0.55, y+0.5)
		d.f.CellFormat(d.w*0.45, 4, "signature", "", 0, "L", false, 0, "")
		d.f.SetXY(margin, y+5)
	}
	d.f.Ln(4)
}

// PageBreak starts a new page.
func (d *Doc) PageBreak() { d.f.AddPage() }

// ensure starts a new page when less than h mm are left.
func (d *Doc) ensure(h float64) {
	_, ph := d.f.GetPageSize()
	if d.f.GetY()+h > ph-margin-8 {
		d.f.AddPage()
	}
}

// Write finishes the document.
func (d *Doc) Write(w io.Writer) error {
	if err := d.f.Error(); err != nil {
		return err
	}
	return d.f.Output(w)
}

// Bytes finishes the document and returns it.
func (d *Doc) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	err := d.Write(&buf)
	return buf.Bytes(), err
}

// Pages is the number of pages so far.
func (d *Doc) Pages() int { return d.f.PageCount() }

// Clip shortens s to n runes with an ellipsis, for table cells.
func Clip(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
