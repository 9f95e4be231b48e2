package mds2_test

import (
	"fmt"
	"os"

	"github.com/vigil-med/vigil/internal/mds2"
)

func Example() {
	fh, err := os.Open("testdata/nema-example-mds2-worksheet-2019.xlsx")
	if err != nil {
		panic(err)
	}
	defer fh.Close()
	form, err := mds2.Read(fh, "nema-example.xlsx", 0) // 0: the default size limit
	if err != nil {
		panic(err)
	}
	fmt.Println(form.Device, form.Released)
	a := form.Answer("SHAD-15") // the form's misprint is accepted as SAHD-15
	fmt.Println(a.ID, mds2.Section(a.ID), a.Value)
	fmt.Println(form.Warnings[0])
	fact := form.Facts().MalwareProtection
	fmt.Println(fact.Value, fact.Evidence[0].ID, form.Notes[form.Answer(fact.Evidence[0].ID).NoteRefs[0]])
	// Output:
	// Handheld Blood Glucose Monitor 2019-10-09
	// SAHD-15 SAHD yes
	// sheet "mds2-form" row 285: the form's misprint "SHAD-15" read as SAHD-15
	// yes MLDP-3 Firmware can only be modified by use of proprietary cable and software from a PC.
}

func ExampleForm_Set() {
	form := mds2.NewForm()
	for id, raw := range map[string]string{"DOC-1": "Acme Medical", "DOC-7": "45413", "PAUT-8": "Yes, TOTP", "STCF-1": "No"} {
		if err := form.Set(id, raw); err != nil {
			panic(err)
		}
	}
	fmt.Println(form.Manufacturer, form.Released)
	fmt.Printf("%+v\n", form.Answer("PAUT-8"))
	fmt.Println(form.Facts().MFA.Value, form.Facts().EncryptionAtRest.Value, form.Facts().SBOMAvailable.Value)
	// Output:
	// Acme Medical 2024-05-01
	// {ID:PAUT-8 Raw:Yes, TOTP Value:yes Detail:TOTP Date: Note: NoteRefs:[] Mapping:{IEC: NIST: ISO:}}
	// yes no unknown
}
