package mds2

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFactsRealForms(t *testing.T) {
	type fact struct {
		Value    Truth
		Evidence []string // ids
	}
	summarise := func(x Facts) map[string]fact {
		out := map[string]fact{}
		for _, f := range x.All() {
			var ids []string
			for _, e := range f.Evidence {
				ids = append(ids, e.ID)
			}
			out[f.Name] = fact{f.Value, ids}
		}
		return out
	}
	nema := summarise(readFixture(t, nemaPath).Facts())
	mc := summarise(readFixture(t, medicapturePath).Facts())
	wantNEMA := map[string]fact{
		"CVDProgramme":      {TruthNo, []string{"DOC-8"}},
		"SBOMAvailable":     {TruthNo, []string{"SBOM-1"}},
		"MalwareProtection": {TruthYes, []string{"MLDP-3"}}, // compensating controls, see note 4
		"EncryptionAtRest":  {TruthNo, []string{"STCF-1"}},
		"RemoteService":     {TruthNo, []string{"RMOT-1", "RMOT-2", "RMOT-3"}},
		"OwnerCanPatchOS":   {TruthNA, []string{"CSUP-1"}}, // CSUP-1 is N/A in the example
		"VendorPatchesOnly": {TruthNA, []string{"CSUP-1"}},
		"MFA":               {TruthNo, []string{"PAUT-8"}},
		"AuditLog":          {TruthNo, []string{"AUDT-1", "AUDT-2"}},
		"ThirdPartyEOLPlan": {TruthNA, []string{"RDMP-4"}},
	}
	wantMC := map[string]fact{
		"CVDProgramme":              {TruthYes, []string{"DOC-8"}},
		"SBOMAvailable":             {TruthNo, []string{"SBOM-1"}},
		"MalwareProtection":         {TruthYes, []string{"MLDP-4"}}, // allow-listing; no anti-malware
		"OwnerManagesAntiMalware":   {TruthNA, []string{"MLDP-2"}},
		"EncryptionAtRest":          {TruthNo, []string{"STCF-1"}},
		"EncryptionInTransit":       {TruthYes, []string{"TXCF-2"}},
		"RemoteService":             {TruthYes, []string{"RMOT-1"}},
		"OwnerCanPatchOS":           {TruthYes, []string{"CSUP-2.1"}},
		"VendorPatchesOnly":         {TruthNo, []string{"CSUP-2", "CSUP-2.1"}},
		"MFA":                       {TruthNo, []string{"PAUT-8"}},
		"AuditLog":                  {TruthYes, []string{"AUDT-1", "AUDT-2"}},
		"DefaultAccountsDocumented": {TruthNA, []string{"PAUT-4"}}, // "N/A: No default accounts"
		"Backup":                    {TruthYes, []string{"DTBK-3", "DTBK-5"}},
	}
	for name, want := range wantNEMA {
		if diff := cmp.Diff(want, nema[name]); diff != "" {
			t.Errorf("NEMA %s (-want +got):\n%s", name, diff)
		}
	}
	for name, want := range wantMC {
		if diff := cmp.Diff(want, mc[name]); diff != "" {
			t.Errorf("MediCapture %s (-want +got):\n%s", name, diff)
		}
	}
	if len(nema) != len(FactDefinitions()) {
		t.Errorf("%d facts, %d definitions", len(nema), len(FactDefinitions()))
	}
}

func TestFactsUnknownAndRules(t *testing.T) {
	f := NewForm()
	x := f.Facts()
	for _, fact := range x.All() {
		if fact.Value != TruthUnknown || fact.Note != "the form does not say" || len(fact.Evidence) != 0 {
			t.Errorf("blank form: %s = %s (%q, %v)", fact.Name, fact.Value, fact.Note, fact.Evidence)
		}
	}
	set := func(id, raw string) {
		if err := f.Set(id, raw); err != nil {
			t.Fatal(err)
		}
	}
	set("PAUT-8", "See Note 4")
	set("STCF-1", "Yes")
	set("STCF-1.2", "No")
	set("TXCF-2", "No")
	set("TXCF-2.1", "Yes, TLS 1.2 can be enabled")
	set("MLDP-2", "Windows Defender")
	set("MLDP-3", "No")
	set("CSUP-1", "Yes")
	set("CSUP-2", "Yes")
	set("CSUP-2.1", "No")
	set("CSUP-2.2", "Yes")
	set("CSUP-3", "Yes")
	set("CSUP-3.1", "No")
	set("CSUP-3.2", "Yes")
	set("CSUP-4", "No")
	set("CSUP-5", "N/A")
	set("CSUP-6", "No")
	x = f.Facts()
	tests := []struct {
		fact Fact
		want Truth
		note string
	}{
		{x.MFA, TruthUnknown, `needs a human reading: PAUT-8 is "See Note 4"`},
		{x.EncryptionAtRest, TruthYes, "not enabled by default (STCF-1.2)"},
		{x.EncryptionInTransit, TruthYes, "not encrypted by default; the customer can enable encryption (TXCF-2.1)"},
		{x.MalwareProtection, TruthUnknown, `needs a human reading: MLDP-2 is "Windows Defender"`},
		{x.OwnerCanPatchOS, TruthNo, ""},
		{x.VendorPatchesOnly, TruthYes, ""},
	}
	for _, tt := range tests {
		if tt.fact.Value != tt.want || tt.fact.Note != tt.note {
			t.Errorf("%s = %s %q, want %s %q", tt.fact.Name, tt.fact.Value, tt.fact.Note, tt.want, tt.note)
		}
	}
	if got := len(x.VendorPatchesOnly.Evidence); got != 4 {
		t.Errorf("VendorPatchesOnly evidence %v", x.VendorPatchesOnly.Evidence)
	}
	for _, d := range FactDefinitions() {
		if d.Rule == "" || len(d.Questions) == 0 {
			t.Errorf("definition %+v incomplete", d)
		}
		for _, id := range d.Questions {
			if _, ok := Lookup(id); !ok {
				t.Errorf("%s consults unknown question %s", d.Name, id)
			}
		}
	}
}
