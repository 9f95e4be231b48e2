package sbom

import (
	"errors"
	"strings"

	"github.com/knqyf263/go-cpe/naming"
)

// NormalizeCPE returns s as a CPE 2.3 formatted string ("cpe:2.3:a:vendor:product:version:…"). A CPE 2.2
// URI ("cpe:/a:vendor:product:version") is converted; a 2.3 formatted string is re-bound so that escaping
// and case are canonical. It returns an error for anything that is not a well-formed CPE.
func NormalizeCPE(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "cpe:2.3:"), strings.HasPrefix(s, "CPE:2.3:"):
		wfn, err := naming.UnbindFS(s)
		if err != nil {
			return "", err
		}
		return naming.BindToFS(wfn), nil
	case strings.HasPrefix(s, "cpe:/"), strings.HasPrefix(s, "CPE:/"):
		wfn, err := naming.UnbindURI(s)
		if err != nil {
			return "", err
		}
		return naming.BindToFS(wfn), nil
	}
	return "", errors.New("not a CPE 2.2 URI or 2.3 formatted string")
}
