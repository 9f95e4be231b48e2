package domain

import (
	"net/mail"
	"strings"
	"time"
)

// User is a person with an account in one organisation.
type User struct {
	ID           int64      `json:"id"`
	OrgID        int64      `json:"org_id"`
	Email        string     `json:"email"`
	Name         string     `json:"name"`
	Role         Role       `json:"role"`
	PasswordHash string     `json:"-"`
	TOTPSecret   string     `json:"-"` // base32; empty until enrolled
	MFAEnabled   bool       `json:"mfa_enabled"`
	OIDCSubject  string     `json:"-"` // issuer|subject for SSO users
	Disabled     bool       `json:"disabled"`
	Created      time.Time  `json:"created"`
	LastLogin    *time.Time `json:"last_login,omitempty"`
}

// Validate checks and normalises the fields a user or admin can set.
func (u *User) Validate() error {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	if _, err := mail.ParseAddress(u.Email); err != nil || !strings.Contains(u.Email, "@") {
		return Invalid("email", "is not a valid e-mail address")
	}
	u.Name = strings.TrimSpace(u.Name)
	if u.Name == "" {
		u.Name = u.Email
	}
	if _, err := ParseRole(string(u.Role)); err != nil {
		return err
	}
	return nil
}
