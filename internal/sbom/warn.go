package sbom

import "fmt"

// MaxWarnings bounds Document.Warnings so that a hostile document cannot make the warning list huge.
const MaxWarnings = 100

// omittedWarnings is the last warning once MaxWarnings is reached.
const omittedWarnings = "further warnings omitted"

// Warnf records a problem that did not stop decoding (see Document.Warnings). Once MaxWarnings are
// recorded, the last one is replaced by "further warnings omitted" and later ones are dropped.
func (d *Document) Warnf(format string, args ...any) {
	switch {
	case len(d.Warnings) < MaxWarnings-1:
		d.Warnings = append(d.Warnings, fmt.Sprintf(format, args...))
	case len(d.Warnings) == MaxWarnings-1:
		d.Warnings = append(d.Warnings, omittedWarnings)
	}
}
