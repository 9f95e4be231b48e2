package pdf

import (
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
)

// RenderPNG renders a PDF's pages to PNG files prefix-N.png with pdftoppm at dpi and returns their
// paths in page order. It is used by tests that look at reports as a person would.
func RenderPNG(pdfPath, prefix string, dpi int) ([]string, error) {
	out, err := exec.Command("pdftoppm", "-png", "-r", fmt.Sprint(dpi), pdfPath, prefix).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("pdftoppm: %v: %s", err, out)
	}
	pages, err := filepath.Glob(prefix + "-*.png")
	sort.Strings(pages)
	return pages, err
}

// InkRatio is the share of pixels of a PNG that are not (nearly) white.
func InkRatio(path string) (float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return 0, err
	}
	b := img.Bounds()
	ink, total := 0, 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				ink++
			}
			total++
		}
	}
	return float64(ink) / float64(total), nil
}
