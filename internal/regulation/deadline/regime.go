package deadline

import (
	"fmt"
	"strings"
)

// Regime names a set of reporting obligations that one incident can trigger.
type Regime string

// The regimes Vigil knows. MDRUser is the hospital's (user's) side of MDR vigilance; the three MDR
// regimes are the manufacturer's.
const (
	NIS2            Regime = "nis2"
	GDPR            Regime = "gdpr"
	MDRStandard     Regime = "mdr-standard"
	MDRDeath        Regime = "mdr-death"
	MDRPublicHealth Regime = "mdr-public-health"
	MDRUser         Regime = "mdr-user"
	CRAVuln         Regime = "cra-vuln"
	CRAIncident     Regime = "cra-incident"
)

// AllRegimes lists every regime in a stable display order.
var AllRegimes = []Regime{NIS2, GDPR, MDRStandard, MDRDeath, MDRPublicHealth, MDRUser, CRAVuln, CRAIncident}

// ParseRegime returns the regime with the given id (case-insensitive, surrounding space ignored) or an
// error naming the accepted ids.
func ParseRegime(s string) (Regime, error) {
	t := Regime(strings.ToLower(strings.TrimSpace(s)))
	for _, r := range AllRegimes {
		if r == t {
			return r, nil
		}
	}
	ids := make([]string, len(AllRegimes))
	for i, r := range AllRegimes {
		ids[i] = string(r)
	}
	return "", fmt.Errorf("unknown regime %q (want one of %s)", s, strings.Join(ids, ", "))
}
