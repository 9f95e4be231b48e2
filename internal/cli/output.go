package cli

import (
	"encoding/json"
	"io"
)

// writeJSON prints v indented, without HTML escaping (≤, €, & stay readable). Every --json output uses it.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
