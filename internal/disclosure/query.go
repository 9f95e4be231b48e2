package disclosure

import (
	"context"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/purl"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/store"
)

// ComponentQuery turns what a person typed into a component filter: q is a name (or part of one, a
// package URL or CPE written into the search box is recognised as such), purlText a package URL and
// cpeText a CPE 2.3 or 2.2 name. A package URL or CPE with a version finds that version only.
func ComponentQuery(q, purlText, cpeText string) (domain.ComponentFilter, error) {
	var f domain.ComponentFilter
	q, purlText, cpeText = strings.TrimSpace(q), strings.TrimSpace(purlText), strings.TrimSpace(cpeText)
	switch {
	case purlText == "" && strings.HasPrefix(q, "pkg:"):
		purlText, q = q, ""
	case cpeText == "" && (strings.HasPrefix(q, "cpe:2.3:") || strings.HasPrefix(q, "cpe:/")):
		cpeText, q = q, ""
	}
	f.Q = q
	if purlText != "" {
		p, err := purl.Parse(purlText)
		if err != nil {
			return f, domain.Invalid("purl", "%q is not a package URL (pkg:type/namespace/name@version): %v", purlText, err)
		}
		f.PURLKey, f.Version = purl.WithoutVersion(purlText), p.Version
	}
	if cpeText != "" {
		if strings.HasPrefix(cpeText, "cpe:2.3:") {
			if n := strings.Count(cpeText, ":"); n < 12 {
				cpeText += strings.Repeat(":*", 12-n) // "cpe:2.3:a:openssl:openssl:1.0.2k" as people write it
			}
		}
		c, err := sbom.NormalizeCPE(cpeText)
		if err != nil {
			return f, domain.Invalid("cpe", "%q is not a CPE name (cpe:2.3:a:vendor:product:version…): %v", cpeText, err)
		}
		f.CPEKey = store.ComponentCPEKey(c)
		if v := store.ComponentCPEVersion(c); v != "" && f.Version == "" {
			f.Version = v
		}
	}
	return f, nil
}

// WhereIs answers "where is this component?" for what a person typed (see ComponentQuery): the product
// versions that contain it, with their installed devices.
func WhereIs(ctx context.Context, sc *store.Scope, q, purlText, cpeText string) (domain.WhereIs, error) {
	f, err := ComponentQuery(q, purlText, cpeText)
	if err != nil {
		return domain.WhereIs{Versions: []domain.ComponentUse{}}, err
	}
	out, err := sc.WhereIs(ctx, f)
	out.Query = strings.TrimSpace(strings.Join([]string{q, purlText, cpeText}, " "))
	return out, err
}
