package web

import (
	"encoding/base64"
	"net/http"
	"strings"
)

const flashCookie = "vigil_flash"

// setFlash stores a one-time message for the next page.
func setFlash(w http.ResponseWriter, kind, text string) {
	if len(text) > 500 {
		text = text[:500]
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(kind + "|" + text)),
		Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

func takeFlash(w http.ResponseWriter, r *http.Request) *Flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1})
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return nil
	}
	kind, text, ok := strings.Cut(string(b), "|")
	if !ok || (kind != "ok" && kind != "error" && kind != "info" && kind != "warn") {
		return nil
	}
	return &Flash{Kind: kind, Text: text}
}
