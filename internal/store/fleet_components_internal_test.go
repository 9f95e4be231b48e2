package store

import (
	"strings"
	"testing"
)

func TestUnpackComponent(t *testing.T) {
	var c FleetComponent
	if err := unpackComponent("7 3 1 2 0 3 ab cpkg:x", &c); err != nil {
		t.Fatal(err)
	}
	if c.ID != 7 || c.ProductVersionID != 3 || c.Ref != "a" || c.Name != "b " || c.Version != "" || c.PURL != "cpk" || c.CPE != "g:x" {
		t.Errorf("unpacked %+v", c)
	}
	for _, bad := range []string{"", "7", "7 3 1 2 0", "x 3 1 2 0 3 abc", "7 3 -1 2 0 3 abc", "7 3 1 2 0 30 abc", "7 3 1 2 0 " + strings.Repeat("9", 40) + " abc"} {
		if err := unpackComponent(bad, &c); err == nil || !strings.Contains(err.Error(), "sbom_components") {
			t.Errorf("%q: error %v, want one naming sbom_components", bad, err)
		}
	}
}
