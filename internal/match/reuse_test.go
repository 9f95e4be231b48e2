package match

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vigil-med/vigil/internal/sbom"
)

// MatchInto with one buffer from target to target gives each target exactly what Match gives it:
// nothing of the previous target's findings is left, a larger result grows out of the buffer, and a
// small one is stored in its memory.
func TestMatchIntoReusesBuffer(t *testing.T) {
	idx := NewIndex(loadOSV(t, goFixtures), nil)
	targets := []*Target{
		{ProductVersion: "a", Components: purls("pkg:golang/golang.org/x/net@0.7.0", "pkg:golang/stdlib@go1.21.1")},
		{ProductVersion: "b", Components: purls("pkg:golang/golang.org/x/net@0.7.0")},
		{ProductVersion: "c", Components: purls("pkg:golang/example.com/unknown@1.0.0")},
		{ProductVersion: "d", Components: purls("pkg:golang/stdlib@go1.21.1", "pkg:golang/golang.org/x/net@0.7.0", "pkg:golang/stdlib@go1.20.0")},
	}
	var buf []Finding
	for _, tg := range targets {
		want := mustMatch(t, idx, tg)
		got, err := idx.MatchInto(context.Background(), tg, Options{}, buf)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(summary(want), summary(got)); diff != "" {
			t.Errorf("target %s (-Match +MatchInto):\n%s", tg.ProductVersion, diff)
		}
		if cap(buf) >= len(want) && len(got) > 0 && &got[0] != &buf[:1][0] {
			t.Errorf("target %s: %d findings not stored in the buffer of %d", tg.ProductVersion, len(got), cap(buf))
		}
		buf = got
	}
	if len(mustMatch(t, idx, targets[0])) == 0 || len(mustMatch(t, idx, targets[2])) != 0 {
		t.Fatal("fixtures: the first target must have findings, the third none")
	}
}

// AppendComponents appends a version's components to what dst holds; Components is it on nil.
func TestAppendComponents(t *testing.T) {
	ci := NewComponentIndex()
	ci.Add("1", purls("pkg:npm/a@1", "pkg:npm/b@2"))
	ci.Add("2", purls("pkg:npm/c@3"))
	got := ci.AppendComponents([]sbom.Component{{Name: "kept"}}, "1")
	got = ci.AppendComponents(got, "2")
	got = ci.AppendComponents(got, "missing")
	var names []string
	for _, c := range got {
		names = append(names, c.Name+c.PURL)
	}
	if diff := cmp.Diff([]string{"kept", "pkg:npm/a@1", "pkg:npm/b@2", "pkg:npm/c@3"}, names); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if ci.Components("missing") != nil || len(ci.Components("1")) != 2 {
		t.Errorf("Components: %v, %v", ci.Components("missing"), ci.Components("1"))
	}
}
