package web

import (
	"net/http"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

func (s *Server) accountRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /account", s.page(domain.PermRead, s.account))
	mux.HandleFunc("POST /account/profile", s.page(domain.PermRead, s.accountProfile))
	mux.HandleFunc("POST /account/password", s.page(domain.PermRead, s.accountPassword))
	mux.HandleFunc("GET /account/mfa", s.page(domain.PermRead, s.mfaEnrolForm))
	mux.HandleFunc("POST /account/mfa", s.page(domain.PermRead, s.mfaEnrol))
	mux.HandleFunc("POST /account/mfa/disable", s.page(domain.PermRead, s.mfaDisable))
	mux.HandleFunc("POST /account/notifications", s.page(domain.PermRead, s.accountNotifications))
}

type accountView struct {
	User          domain.User
	Sessions      []store.Session
	CurrentHash   string
	RecoveryLeft  int
	Events        []notifyPref
	Errors        FieldErrors
	SSO           bool
	PasswordSaved bool
}

type notifyPref struct {
	Name, Label string
	Email       bool
}

func (s *Server) accountData(c *Ctx) (accountView, error) {
	v := accountView{User: *c.P.User, CurrentHash: c.P.Session.IDHash, Errors: FieldErrors{}, SSO: c.P.User.OIDCSubject != ""}
	var err error
	if v.Sessions, err = c.Scope.Sessions(c.R.Context(), c.P.User.ID, c.Now()); err != nil {
		return v, err
	}
	if v.RecoveryLeft, err = c.Scope.RecoveryCodesLeft(c.R.Context(), c.P.User.ID); err != nil {
		return v, err
	}
	prefs, err := c.Scope.NotificationPrefs(c.R.Context(), c.P.User.ID)
	if err != nil {
		return v, err
	}
	if s.Notifier != nil {
		for _, k := range s.Notifier.Events.List() {
			on := k.EmailDefault
			if x, ok := prefs[k.Name]["email"]; ok {
				on = x
			}
			v.Events = append(v.Events, notifyPref{Name: k.Name, Label: k.Label, Email: on})
		}
	}
	return v, nil
}

func (s *Server) account(c *Ctx) error {
	v, err := s.accountData(c)
	if err != nil {
		return err
	}
	return c.Render("account/account", "Your account", v)
}

func (s *Server) accountProfile(c *Ctx) error {
	u := *c.P.User
	u.Name = c.Form("name")
	if u.Name == "" {
		u.Name = u.Email
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.UpdateUser(c.R.Context(), u) }); err != nil {
		return err
	}
	return c.Redirect("/account", "ok", "Your name was saved.")
}

func (s *Server) accountPassword(c *Ctx) error {
	v, err := s.accountData(c)
	if err != nil {
		return err
	}
	u := c.P.User
	if u.PasswordHash != "" {
		ok, _ := auth.VerifyPassword(u.PasswordHash, c.R.PostFormValue("current"))
		if !ok {
			v.Errors["current"] = "is not your current password"
			return c.RenderStatus(http.StatusUnprocessableEntity, "account/account", "Your account", v)
		}
	}
	pw := c.R.PostFormValue("new")
	if pw != c.R.PostFormValue("confirm") {
		v.Errors["confirm"] = "does not match the new password"
		return c.RenderStatus(http.StatusUnprocessableEntity, "account/account", "Your account", v)
	}
	if err := auth.CheckPasswordPolicy(pw, u.Email); err != nil {
		v.Errors.FromError(err)
		v.Errors["new"] = v.Errors["password"]
		return c.RenderStatus(http.StatusUnprocessableEntity, "account/account", "Your account", v)
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error {
		return tx.SetPassword(c.R.Context(), u.ID, hash, c.P.Session.IDHash)
	}); err != nil {
		return err
	}
	return c.Redirect("/account", "ok", "Your password was changed. Your other sessions were signed out.")
}

type mfaEnrolView struct {
	Enabled       bool
	Enrolment     auth.TOTPEnrolment
	Error         string
	RecoveryCodes []string
	RecoveryLeft  int
	Required      bool
}

func (s *Server) mfaEnrolForm(c *Ctx) error {
	v := mfaEnrolView{Enabled: c.P.User.MFAEnabled, Required: c.P.Org.RequireMFA}
	if !v.Enabled {
		e, err := auth.NewTOTP("Vigil ("+c.P.Org.Name+")", c.P.User.Email)
		if err != nil {
			return err
		}
		v.Enrolment = e
	} else {
		left, err := c.Scope.RecoveryCodesLeft(c.R.Context(), c.P.User.ID)
		if err != nil {
			return err
		}
		v.RecoveryLeft = left
	}
	return c.Render("account/mfa", "Multi-factor authentication", v)
}

// mfaEnrol confirms a new authenticator with a code from it; the secret comes back from the form (it was
// shown to the user anyway) so that nothing is stored until it is proven to work.
func (s *Server) mfaEnrol(c *Ctx) error {
	secret := c.Form("secret")
	if len(secret) < 16 || len(secret) > 64 {
		return domain.Invalid("secret", "is not a valid enrolment; reload the page")
	}
	if !auth.ValidateTOTP(secret, c.Form("code"), c.Now()) {
		e, err := auth.NewTOTP("Vigil ("+c.P.Org.Name+")", c.P.User.Email)
		if err != nil {
			return err
		}
		return c.RenderStatus(http.StatusUnprocessableEntity, "account/mfa", "Multi-factor authentication", mfaEnrolView{
			Enrolment: e, Required: c.P.Org.RequireMFA,
			Error: "That code did not match. Scan the new QR code below and enter the code it shows."})
	}
	codes, hashes := auth.NewRecoveryCodes(10)
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error {
		return tx.SetMFA(c.R.Context(), c.P.User.ID, secret, hashes)
	}); err != nil {
		return err
	}
	return c.Render("account/mfa", "Multi-factor authentication", mfaEnrolView{Enabled: true, RecoveryCodes: codes, RecoveryLeft: len(codes)})
}

func (s *Server) mfaDisable(c *Ctx) error {
	if c.P.Org.RequireMFA {
		return &domain.Error{Code: domain.EForbidden, Message: "your organisation requires multi-factor authentication; it cannot be turned off"}
	}
	ok, _ := auth.VerifyPassword(c.P.User.PasswordHash, c.R.PostFormValue("password"))
	if !ok {
		return c.Redirect("/account/mfa", "error", "The password was not correct; multi-factor authentication stays on.")
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error {
		return tx.SetMFA(c.R.Context(), c.P.User.ID, "", nil)
	}); err != nil {
		return err
	}
	return c.Redirect("/account", "ok", "Multi-factor authentication is off.")
}

func (s *Server) accountNotifications(c *Ctx) error {
	if s.Notifier == nil {
		return c.Redirect("/account", "", "")
	}
	err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error {
		for _, k := range s.Notifier.Events.List() {
			if err := tx.SetNotificationPref(c.R.Context(), c.P.User.ID, k.Name, "email", c.FormBool("email:"+k.Name)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return c.Redirect("/account", "ok", "Your notification settings were saved.")
}
