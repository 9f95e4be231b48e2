package csaf

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const vexNA = "testdata/examples/csaf_csaf_vex_2022-evd-uc-01-na-001.json"

// mutate decodes a fixture, lets f change it and encodes it again.
func mutate(t *testing.T, path string, f func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(mustRead(t, path), &doc); err != nil {
		t.Fatal(err)
	}
	f(doc)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func obj(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v
}

func TestParseHostile(t *testing.T) {
	real := mustRead(t, vexNA)
	tests := []struct {
		name  string
		input []byte
		limit int64
		check func(t *testing.T, err error)
	}{
		{"truncated", real[:len(real)/2], 0, func(t *testing.T, err error) {
			var se *SyntaxError
			if !errors.As(err, &se) || !se.Truncated || se.Offset != int64(len(real)/2) {
				t.Fatalf("err = %v, want truncated SyntaxError at %d", err, len(real)/2)
			}
			if !strings.Contains(err.Error(), "truncated JSON") || !strings.Contains(err.Error(), "byte") {
				t.Errorf("message %q", err)
			}
		}},
		{"truncated inside string", real[:100], 0, func(t *testing.T, err error) {
			var se *SyntaxError
			if !errors.As(err, &se) || !se.Truncated {
				t.Fatalf("err = %v, want truncated SyntaxError", err)
			}
		}},
		{"too large", real, 1000, func(t *testing.T, err error) {
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "1000 bytes") {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
		}},
		{"100000-deep nesting", bytes.Repeat([]byte("["), 100000), 0, func(t *testing.T, err error) {
			var se *SyntaxError
			if !errors.As(err, &se) || !strings.Contains(se.Msg, "nesting deeper than 128") || se.Offset != 128 {
				t.Fatalf("err = %v, want nesting SyntaxError at byte 128", err)
			}
		}},
		{"deep nesting inside document", []byte(`{"document":` + strings.Repeat(`{"a":`, 200) + "1" + strings.Repeat("}", 201)), 0, func(t *testing.T, err error) {
			var se *SyntaxError
			if !errors.As(err, &se) || !strings.Contains(se.Msg, "nesting") {
				t.Fatalf("err = %v, want nesting SyntaxError", err)
			}
		}},
		{"unknown top-level field", mutate(t, vexNA, func(d map[string]any) { d["extra"] = 1 }), 0, func(t *testing.T, err error) {
			var ie *InvalidError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want InvalidError", err)
			}
			want := []ValidationError{{Path: "$", Message: "additional properties 'extra' not allowed"}}
			if diff := cmp.Diff(want, ie.Problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		}},
		{"trailing data", append(append([]byte{}, real...), []byte("\n{}")...), 0, func(t *testing.T, err error) {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Msg != "data after the JSON value" || se.Offset != int64(len(real)+1) {
				t.Fatalf("err = %v, want trailing-data SyntaxError at %d", err, len(real)+1)
			}
		}},
		{"repeated key", []byte(`{"document": {}, "document": {}}`), 0, func(t *testing.T, err error) {
			var se *SyntaxError
			if !errors.As(err, &se) || !strings.Contains(se.Msg, `repeated object key "document"`) {
				t.Fatalf("err = %v", err)
			}
		}},
		{"not JSON", []byte("<?xml version=\"1.0\"?>\n<cvrfdoc/>"), 0, func(t *testing.T, err error) {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Truncated || se.Line != 1 || !strings.Contains(err.Error(), "not valid JSON") {
				t.Fatalf("err = %v", err)
			}
		}},
		{"syntax error position", []byte("{\n  \"document\": {\n    \"title\": tru\n  }\n}"), 0, func(t *testing.T, err error) {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line != 3 {
				t.Fatalf("err = %v, want line 3", err)
			}
		}},
		{"invalid UTF-8", []byte("{\"document\": \"\xff\"}"), 0, func(t *testing.T, err error) {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset != 14 || se.Msg != "invalid UTF-8" {
				t.Fatalf("err = %v", err)
			}
		}},
		{"empty", []byte("  \n"), 0, func(t *testing.T, err error) {
			var se *SyntaxError
			if !errors.As(err, &se) || !se.Truncated {
				t.Fatalf("err = %v", err)
			}
		}},
		{"array", []byte(`[1,2]`), 0, func(t *testing.T, err error) {
			var nc *NotCSAFError
			if !errors.As(err, &nc) || !strings.Contains(nc.Reason, "an array") {
				t.Fatalf("err = %v", err)
			}
		}},
		{"huge number is still JSON", []byte(`[1e999]`), 0, func(t *testing.T, err error) {
			var nc *NotCSAFError
			if !errors.As(err, &nc) {
				t.Fatalf("err = %v, want NotCSAFError", err)
			}
		}},
		{"CycloneDX", []byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[]}`), 0, func(t *testing.T, err error) {
			var nc *NotCSAFError
			if !errors.As(err, &nc) || !strings.Contains(err.Error(), "CycloneDX") {
				t.Fatalf("err = %v", err)
			}
		}},
		{"CSAF 2.1", mutate(t, vexNA, func(d map[string]any) { obj(d, "document").(map[string]any)["csaf_version"] = "2.1" }), 0, func(t *testing.T, err error) {
			var ie *InvalidError
			if !errors.As(err, &ie) || ie.Problems[0].Path != "$.document.csaf_version" || !strings.Contains(ie.Problems[0].Message, `unsupported CSAF version "2.1"`) {
				t.Fatalf("err = %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse(bytes.NewReader(tt.input), "input.json", tt.limit)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", a)
			}
			tt.check(t, err)
		})
	}
}

// TestParseSchemaErrors checks that schema problems come back with JSON paths, one per problem.
func TestParseSchemaErrors(t *testing.T) {
	input := mutate(t, vexNA, func(d map[string]any) {
		obj(d, "product_tree", "branches", 0).(map[string]any)["category"] = "maker"
		obj(d, "document", "tracking").(map[string]any)["current_release_date"] = "yesterday"
		delete(obj(d, "document").(map[string]any), "title")
	})
	_, err := Parse(bytes.NewReader(input), "bad.json", 0)
	var ie *InvalidError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want InvalidError", err)
	}
	var paths []string
	for _, p := range ie.Problems {
		paths = append(paths, p.Path)
	}
	want := []string{"$.document", "$.document.tracking.current_release_date", "$.product_tree.branches[0].category"}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s\n%v", diff, err)
	}
	if !strings.Contains(ie.Problems[0].Message, "title") || ie.Problems[2].Message != `value "maker" is not allowed here by the CSAF 2.0 schema` {
		t.Errorf("problems = %v", ie.Problems)
	}
	if lines := strings.Split(err.Error(), "\n"); len(lines) != 4 {
		t.Errorf("Error() has %d lines, want a summary and one line per problem:\n%s", len(lines), err)
	}
}

func TestPointerToPath(t *testing.T) {
	for ptr, want := range map[string]string{
		"":                         "$",
		"/document":                "$.document",
		"/product_tree/branches/0": "$.product_tree.branches[0]",
		"/a~1b/c d/07":             "$['a/b']['c d']['07']",
	} {
		if got := PointerToPath(ptr); got != want {
			t.Errorf("PointerToPath(%q) = %q, want %q", ptr, got, want)
		}
	}
}

// TestMandatoryTests mutates a valid CSAF VEX example to break one test at a time.
func TestMandatoryTests(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(d map[string]any)
		errs   []ValidationError // rejecting problems
		warns  []ValidationError // tolerated problems
	}{
		{"valid", func(map[string]any) {}, nil, nil},
		{"6.1.1 undefined product", func(d map[string]any) {
			ps := obj(d, "vulnerabilities", 0, "product_status").(map[string]any)
			ps["known_not_affected"] = []any{"CSAFPID-0001", "CSAFPID-9999"}
		}, []ValidationError{{"$.vulnerabilities[0].product_status.known_not_affected[1]", `mandatory test 6.1.1: product id "CSAFPID-9999" is not defined in the product tree`}},
			[]ValidationError{{"$.vulnerabilities[0].product_status.known_not_affected[1]", `mandatory test 6.1.27.9: product id "CSAFPID-9999" has no impact statement (flag or threat of category impact)`}}},
		{"6.1.2 product defined twice", func(d map[string]any) {
			pt := obj(d, "product_tree").(map[string]any)
			pt["full_product_names"] = []any{map[string]any{"name": "dup", "product_id": "CSAFPID-0001"}}
		}, []ValidationError{{"$.product_tree.full_product_names[0].product_id", `mandatory test 6.1.2: product id "CSAFPID-0001" is defined more than once`}}, nil},
		{"6.1.4 undefined group", func(d map[string]any) {
			th := obj(d, "vulnerabilities", 0, "threats", 0).(map[string]any)
			th["group_ids"] = []any{"CSAFGID-1"}
		}, []ValidationError{{"$.vulnerabilities[0].threats[0].group_ids[0]", `mandatory test 6.1.4: product group id "CSAFGID-1" is not defined in the product tree`}}, nil},
		{"6.1.6 contradicting status", func(d map[string]any) {
			ps := obj(d, "vulnerabilities", 0, "product_status").(map[string]any)
			ps["known_affected"] = []any{"CSAFPID-0001"}
		}, []ValidationError{{"$.vulnerabilities[0].product_status.known_not_affected[0]", `mandatory test 6.1.6: product id "CSAFPID-0001" is both affected and not affected`}},
			[]ValidationError{{"$.vulnerabilities[0].product_status.known_affected[0]", `mandatory test 6.1.27.10: product id "CSAFPID-0001" has no action statement (remediation)`}}},
		{"6.1.31 range in product_version", func(d map[string]any) {
			obj(d, "product_tree", "branches", 0, "branches", 0, "branches", 0).(map[string]any)["name"] = "4.2 and prior"
		}, nil, []ValidationError{{"$.product_tree.branches[0].branches[0].branches[0].name", `mandatory test 6.1.31: product_version "4.2 and prior" contains a version range; use product_version_range`}}},
		{"6.1.16 version not latest revision", func(d map[string]any) {
			obj(d, "document", "tracking").(map[string]any)["version"] = "2"
		}, nil, []ValidationError{{"$.document.tracking.version", `mandatory test 6.1.16: version "2" is not the latest revision number`}}},
		{"6.1.27.9 no impact statement", func(d map[string]any) {
			delete(obj(d, "vulnerabilities", 0).(map[string]any), "threats")
		}, nil, []ValidationError{{"$.vulnerabilities[0].product_status.known_not_affected[0]", `mandatory test 6.1.27.9: product id "CSAFPID-0001" has no impact statement (flag or threat of category impact)`}}},
		{"6.1.26 prohibited category", func(d map[string]any) {
			obj(d, "document").(map[string]any)["category"] = "Security Advisory"
		}, nil, []ValidationError{{"$.document.category", `mandatory test 6.1.26: category "Security Advisory" is too close to the profile csaf_security_advisory`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse(bytes.NewReader(mutate(t, vexNA, tt.mutate)), "m.json", 0)
			var got []ValidationError
			if err != nil {
				var ie *InvalidError
				if !errors.As(err, &ie) {
					t.Fatalf("err = %v", err)
				}
				got = ie.Problems
			}
			if diff := cmp.Diff(tt.errs, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if err == nil {
				if diff := cmp.Diff(tt.warns, a.Warnings); diff != "" {
					t.Errorf("warnings (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestResolveGroups(t *testing.T) {
	input := mutate(t, "testdata/examples/csaf_csaf_vex_2022-evd-uc-06-001.json", func(d map[string]any) {
		obj(d, "product_tree").(map[string]any)["product_groups"] = []any{
			map[string]any{"group_id": "CSAFGID-NA", "product_ids": []any{"CSAFPID-0001", "CSAFPID-0005", "CSAFPID-0006", "CSAFPID-0007"}},
			map[string]any{"group_id": "CSAFGID-A", "product_ids": []any{"CSAFPID-0002", "CSAFPID-0003"}},
		}
		th := obj(d, "vulnerabilities", 0, "threats", 0).(map[string]any)
		delete(th, "product_ids")
		th["group_ids"] = []any{"CSAFGID-NA"}
	})
	a, err := Parse(bytes.NewReader(input), "groups.json", 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"CSAFPID-0002", "CSAFPID-0003", "CSAFPID-0001", "CSAFPID-0005", "CSAFPID-0006", "CSAFPID-0007"},
		a.ResolveGroups("CSAFGID-A", "CSAFGID-NA", "CSAFGID-A", "unknown")); diff != "" {
		t.Errorf("ResolveGroups (-want +got):\n%s", diff)
	}
	th := a.Vulnerabilities[0].Threats[0]
	if diff := cmp.Diff([]string{"CSAFPID-0001", "CSAFPID-0005", "CSAFPID-0006", "CSAFPID-0007"}, th.ProductIDs); diff != "" {
		t.Errorf("threat product ids (-want +got):\n%s", diff)
	}
	// The impact statement reaches the products through the group.
	for _, s := range Statements(a) {
		if s.Product.ID == "CSAFPID-0005" && s.ImpactStatement != "Class with vulnerable code was removed before shipping." {
			t.Errorf("statement for CSAFPID-0005: %+v", s)
		}
	}
}
