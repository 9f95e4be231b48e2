package sbom

import (
	"strings"

	"github.com/github/go-spdx/v2/spdxexp"
)

// Licenses normalises the licence statements of SBOM components into SPDX licence expressions. It caches
// what it has normalised, so one value should be used for a whole document (licences repeat a lot); the
// zero value is ready to use. It is not safe for concurrent use.
//
// Valid SPDX identifiers and expressions are written in their canonical case ("apache-2.0" becomes
// "Apache-2.0", deprecated identifiers are kept). A licence that is not an SPDX identifier or a valid
// expression (a free-text name such as "Public Domain") is kept as a LicenseRef ("LicenseRef-Public-Domain")
// rather than dropped. NOASSERTION and empty values mean "unknown" and normalise to "".
type Licenses struct {
	cache map[string]string
}

// Normalize returns the canonical SPDX expression for s, which may be an SPDX identifier, an SPDX
// expression or a free-text licence name.
func (l *Licenses) Normalize(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "NOASSERTION") {
		return ""
	}
	if strings.EqualFold(s, "NONE") {
		return "NONE"
	}
	if v, ok := l.cache[s]; ok {
		return v
	}
	v := normalizeLicense(s)
	if l.cache == nil {
		l.cache = make(map[string]string)
	}
	l.cache[s] = v
	return v
}

func normalizeLicense(s string) string {
	if ok, id := spdxexp.ActiveLicense(s); ok {
		return id
	}
	norm, invalid := spdxexp.ValidateAndNormalizeLicensesWithOptions([]string{s}, spdxexp.ValidateLicensesOptions{})
	if len(invalid) == 0 && len(norm) == 1 && norm[0] != "" {
		return norm[0]
	}
	return LicenseRef(s)
}

// LicenseRef turns a free-text licence name into an SPDX LicenseRef identifier: every run of characters
// other than ASCII letters, digits and "." (including "-" itself) becomes one "-". It returns "" for a name with no usable
// character. A name that already starts with "LicenseRef-" is only cleaned.
func LicenseRef(name string) string {
	name = strings.TrimPrefix(strings.TrimSpace(name), "LicenseRef-")
	var b strings.Builder
	b.WriteString("LicenseRef-")
	dash := true // suppress a leading dash
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' {
			b.WriteByte(c)
			dash = false
			continue
		}
		if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if out == "LicenseRef" {
		return ""
	}
	return out
}

// JoinLicenses combines already normalised expressions into one with AND (a component that lists several
// licences is under all of them), dropping empty and repeated parts and parenthesising compound parts.
// It returns "" when no part is left and the single part unchanged when only one is.
func JoinLicenses(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	seen := make(map[string]bool, len(parts))
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	if len(out) == 1 {
		return out[0]
	}
	for i, p := range out {
		if strings.Contains(p, " AND ") || strings.Contains(p, " OR ") {
			if !(strings.HasPrefix(p, "(") && strings.HasSuffix(p, ")")) {
				out[i] = "(" + p + ")"
			}
		}
	}
	return strings.Join(out, " AND ")
}
