package domain

import (
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/lazyre"
)

// OrgType is what kind of organisation a tenant is.
type OrgType string

// Organisation types.
const (
	OrgHospital     OrgType = "hospital"
	OrgGroup        OrgType = "group"
	OrgManufacturer OrgType = "manufacturer"
	OrgAuthority    OrgType = "authority"
)

// OrgTypes lists the organisation types.
var OrgTypes = []OrgType{OrgHospital, OrgGroup, OrgManufacturer, OrgAuthority}

// Organisation is a tenant. Every domain record belongs to exactly one.
type Organisation struct {
	ID         int64     `json:"id"`
	Slug       string    `json:"slug"`
	Name       string    `json:"name"`
	Type       OrgType   `json:"type"`
	Country    string    `json:"country"`   // ISO 3166-1 alpha-2, e.g. "DE"
	TimeZone   string    `json:"time_zone"` // IANA, e.g. "Europe/Berlin"
	RequireMFA bool      `json:"require_mfa"`
	Created    time.Time `json:"created"`
}

var slugRE = lazyre.New(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Validate checks the fields a user can set.
func (o *Organisation) Validate() error {
	o.Name = strings.TrimSpace(o.Name)
	if o.Name == "" {
		return Invalid("name", "is required")
	}
	if o.Slug == "" {
		o.Slug = Slugify(o.Name)
	}
	if !slugRE.MatchString(o.Slug) {
		return Invalid("slug", "must be lower-case letters, digits and dashes (got %q)", o.Slug)
	}
	if o.Type == "" {
		o.Type = OrgHospital
	}
	ok := false
	for _, t := range OrgTypes {
		ok = ok || t == o.Type
	}
	if !ok {
		return Invalid("type", "unknown organisation type %q (allowed: %v)", o.Type, OrgTypes)
	}
	if o.TimeZone == "" {
		o.TimeZone = "Europe/Berlin"
	}
	if _, err := time.LoadLocation(o.TimeZone); err != nil {
		return Invalid("time_zone", "unknown time zone %q", o.TimeZone)
	}
	o.Country = strings.ToUpper(strings.TrimSpace(o.Country))
	if o.Country != "" && len(o.Country) != 2 {
		return Invalid("country", "must be a two-letter country code (got %q)", o.Country)
	}
	return nil
}

// Location returns the organisation's time zone (UTC when it cannot be loaded).
func (o *Organisation) Location() *time.Location {
	if loc, err := time.LoadLocation(o.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// Slugify turns a name into a URL-safe slug.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r == 'ä':
			b.WriteString("ae")
		case r == 'ö':
			b.WriteString("oe")
		case r == 'ü':
			b.WriteString("ue")
		case r == 'ß':
			b.WriteString("ss")
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if len(out) > 63 {
		out = strings.TrimSuffix(out[:63], "-")
	}
	return out
}
