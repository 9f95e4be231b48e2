package regulation

import (
	"embed"
	"fmt"

	"github.com/goccy/go-yaml"
)

//go:embed data/*.yaml data/overlays/*.yaml
var dataFS embed.FS

// decodeStrict decodes YAML and rejects fields the target does not declare. goccy/go-yaml v1.19.2 can
// panic on some malformed documents (found by FuzzReadOverlay, see testdata/fuzz); the panic is turned
// into an error so untrusted overlays never crash the caller.
func decodeStrict(name string, b []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: malformed YAML (decoder failure: %v)", name, r)
		}
	}()
	if err := yaml.UnmarshalWithOptions(b, v, yaml.DisallowUnknownField()); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func mustDecode(name string, v any) {
	b, err := dataFS.ReadFile(name)
	if err == nil {
		err = decodeStrict(name, b, v)
	}
	if err != nil {
		// Embedded at build time and checked by the tests: a failure is a build defect, not an input error.
		panic("regulation: embedded " + err.Error())
	}
}

// Reason is one step of a decision, with its legal reference.
type Reason struct {
	Ref  string `yaml:"ref" json:"ref"`
	Text string `yaml:"text" json:"text"`
}
