// Package chart draws small, accessible SVG charts on the server: no script, no CDN, printable, and
// readable by screen readers through a title and a description (pages also show the numbers in a table).
package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Series is one named set of values.
type Series struct {
	Name   string
	Values []float64
}

// Bars draws a vertical bar chart, stacked when there are several series. labels name the bars.
func Bars(title string, labels []string, series []Series, format func(float64) string) template.HTML {
	if format == nil {
		format = func(v float64) string { return trim(v) }
	}
	const w, h, left, bottom, top = 640.0, 240.0, 48.0, 36.0, 14.0
	plotH := h - bottom - top
	maxV := 0.0
	for i := range labels {
		sum := 0.0
		for _, s := range series {
			if i < len(s.Values) {
				sum += s.Values[i]
			}
		}
		maxV = math.Max(maxV, sum)
	}
	maxV = niceMax(maxV)
	var b strings.Builder
	open(&b, w, h, title, describe(labels, series, format))
	grid(&b, left, top, w-left-8, plotH, maxV, format)
	if len(labels) > 0 {
		slot := (w - left - 8) / float64(len(labels))
		bw := math.Min(slot*0.65, 48)
		for i, l := range labels {
			x := left + float64(i)*slot + (slot-bw)/2
			y := top + plotH
			for si, s := range series {
				if i >= len(s.Values) || s.Values[i] <= 0 {
					continue
				}
				bh := plotH * s.Values[i] / maxV
				y -= bh
				fmt.Fprintf(&b, `<rect class="bar s%d" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s %s: %s</title></rect>`,
					si, x, y, bw, bh, esc(l), esc(s.Name), esc(format(s.Values[i])))
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x+bw/2, h-bottom+14, esc(clip(l, 14)))
		}
	}
	legend(&b, left, h-6, series, "bar s")
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// Lines draws one line per series over the labels (dates, quarters …).
func Lines(title string, labels []string, series []Series, format func(float64) string) template.HTML {
	if format == nil {
		format = func(v float64) string { return trim(v) }
	}
	const w, h, left, bottom, top = 640.0, 240.0, 48.0, 36.0, 14.0
	plotH := h - bottom - top
	plotW := w - left - 8
	maxV := 0.0
	for _, s := range series {
		for _, v := range s.Values {
			maxV = math.Max(maxV, v)
		}
	}
	maxV = niceMax(maxV)
	var b strings.Builder
	open(&b, w, h, title, describe(labels, series, format))
	grid(&b, left, top, plotW, plotH, maxV, format)
	n := len(labels)
	xAt := func(i int) float64 {
		if n <= 1 {
			return left + plotW/2
		}
		return left + plotW*float64(i)/float64(n-1)
	}
	step := max(1, n/8)
	for i, l := range labels {
		if i%step == 0 || i == n-1 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, xAt(i), h-bottom+14, esc(clip(l, 12)))
		}
	}
	for si, s := range series {
		var pts []string
		for i, v := range s.Values {
			if i >= n {
				break
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", xAt(i), top+plotH-plotH*v/maxV))
		}
		fmt.Fprintf(&b, `<polyline class="line s%d" points="%s"><title>%s</title></polyline>`, si, strings.Join(pts, " "), esc(s.Name))
	}
	legend(&b, left, h-6, series, "key l")
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// HBars draws horizontal bars with a value each (rankings: top risks by department).
func HBars(title string, labels []string, values []float64, format func(float64) string) template.HTML {
	if format == nil {
		format = func(v float64) string { return trim(v) }
	}
	row := 22.0
	w, left := 640.0, 180.0
	h := row*float64(len(labels)) + 10
	maxV := 0.0
	for _, v := range values {
		maxV = math.Max(maxV, v)
	}
	if maxV == 0 {
		maxV = 1
	}
	var b strings.Builder
	open(&b, w, h, title, describe(labels, []Series{{Name: title, Values: values}}, format))
	for i, l := range labels {
		y := 5 + float64(i)*row
		bw := (w - left - 70) * values[i] / maxV
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`, left-6, y+14, esc(clip(l, 28)))
		fmt.Fprintf(&b, `<rect class="bar s0" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s: %s</title></rect>`, left, y+3, math.Max(bw, 1), row-8, esc(l), esc(format(values[i])))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`, left+bw+6, y+14, esc(format(values[i])))
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

func open(b *strings.Builder, w, h float64, title, desc string) {
	id := fmt.Sprintf("c%x", hash(title+desc))
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s-t %s-d" xmlns="http://www.w3.org/2000/svg">`, w, h, id, id)
	fmt.Fprintf(b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(desc))
}

func grid(b *strings.Builder, left, top, plotW, plotH, maxV float64, format func(float64) string) {
	for i := 0; i <= 4; i++ {
		v := maxV * float64(i) / 4
		y := top + plotH - plotH*float64(i)/4
		fmt.Fprintf(b, `<line class="grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, left, y, left+plotW, y)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`, left-6, y+4, esc(format(v)))
	}
}

// legend draws the series' keys; swatch is the class prefix of a key's colour: "bar s" for bars, "key l"
// for lines (whose colours differ from the bars').
func legend(b *strings.Builder, x, y float64, series []Series, swatch string) {
	if len(series) < 2 {
		return
	}
	for si, s := range series {
		fmt.Fprintf(b, `<rect class="%s%d" x="%.1f" y="%.1f" width="10" height="10"/><text x="%.1f" y="%.1f">%s</text>`, swatch, si, x, y-9, x+14, y, esc(s.Name))
		x += 24 + 6.5*float64(len(s.Name))
	}
}

func describe(labels []string, series []Series, format func(float64) string) string {
	var parts []string
	for _, s := range series {
		var vals []string
		for i, v := range s.Values {
			if i < len(labels) {
				vals = append(vals, labels[i]+" "+format(v))
			}
		}
		parts = append(parts, s.Name+": "+strings.Join(vals, ", "))
	}
	return strings.Join(parts, "; ")
}

func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func trim(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func esc(s string) string { return html.EscapeString(s) }

func hash(s string) uint32 {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
