package fleet

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// FilterParams name the query parameters ParseFilter reads (besides limit, offset, sort and q).
var FilterParams = []string{"state", "severity", "kev", "min_epss", "manufacturer_id", "department_id", "product_version_id", "asset_id",
	"vuln", "all"}

// ParseFilter reads a finding filter from query parameters, with errors naming the parameter.
func ParseFilter(q url.Values, lp domain.ListParams) (domain.FindingFilter, error) {
	f := domain.FindingFilter{ListParams: lp, VulnID: strings.TrimSpace(q.Get("vuln"))}
	for _, s := range q["state"] {
		for _, st := range strings.Split(s, ",") {
			if st = strings.TrimSpace(st); st == "" {
				continue
			}
			if !slices.Contains(domain.FindingStates(), st) {
				return f, domain.Invalid("state", "unknown state %q (allowed: %s)", st, strings.Join(domain.FindingStates(), ", "))
			}
			f.States = append(f.States, st)
		}
	}
	if s := strings.TrimSpace(q.Get("severity")); s != "" {
		switch s {
		case "low", "medium", "high", "critical":
			f.Severity = s
		default:
			return f, domain.Invalid("severity", "must be low, medium, high or critical")
		}
	}
	for name, dst := range map[string]*bool{"kev": &f.KEV, "all": &f.All} {
		switch strings.ToLower(q.Get(name)) {
		case "", "0", "false", "no", "off":
		case "1", "true", "yes", "on":
			*dst = true
		default:
			return f, domain.Invalid(name, "must be true or false")
		}
	}
	if s := q.Get("min_epss"); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v < 0 || v > 1 {
			return f, domain.Invalid("min_epss", "must be a number from 0 to 1")
		}
		f.MinEPSS = v
	}
	for name, dst := range map[string]*int64{"manufacturer_id": &f.ManufacturerID, "department_id": &f.DepartmentID,
		"product_version_id": &f.ProductVersionID, "asset_id": &f.AssetID} {
		if s := q.Get(name); s != "" {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil || v <= 0 {
				return f, domain.Invalid(name, "must be a positive number")
			}
			*dst = v
		}
	}
	return f, nil
}
