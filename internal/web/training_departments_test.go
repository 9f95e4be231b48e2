package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestStaffDepartmentsFromInventory: the person form offers the inventory's departments; a person saved
// with a department the inventory does not know is kept but flagged, on the page after saving and on
// the register; a known name in another case takes the inventory's spelling.
func TestStaffDepartmentsFromInventory(t *testing.T) {
	srv, cl, _ := demoServer(t, "ciso@nordstadt-hospital.example")
	_, page := get(t, cl, srv.URL+"/training/people")
	for _, w := range []string{`<option value="Intensive Care Unit (Surgical)">`, `<option value="Neonatal Intensive Care (NICU)">`} {
		if !strings.Contains(page, w) {
			t.Errorf("person form does not offer %s", w)
		}
	}
	csrf := csrfRE.FindStringSubmatch(page)[1]
	add := func(name, dept string) string {
		t.Helper()
		res, err := cl.PostForm(srv.URL+"/training/people", url.Values{"csrf_token": {csrf}, "name": {name}, "department": {dept},
			"email": {strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@nordstadt-hospital.example"}})
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("add %s: %d", name, res.StatusCode)
		}
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	body := add("Greta Works", "Works Council")
	if !strings.Contains(body, `flash flash-warn`) || !strings.Contains(body, `department &#34;Works Council&#34; is not in the inventory&#39;s departments`) {
		t.Errorf("unknown department not flagged after saving:\n%s", body)
	}
	body = add("Hans Radio", "radiology")
	if strings.Contains(body, "flash-warn") || !strings.Contains(body, `<a href="/training/people?department=Radiology">Radiology</a>`) {
		t.Errorf("known department in another case: not stored in the inventory's spelling or flagged")
	}
	_, reg := get(t, cl, srv.URL+"/training/people")
	if !strings.Contains(reg, "not in the inventory's departments: Works Council") {
		t.Errorf("register does not list the unknown department:\n%s", reg)
	}
}
