package binpages

import (
	"os"
	"reflect"
	"testing"
)

func TestCleanRealSmaps(t *testing.T) {
	smaps, err := os.ReadFile("testdata/cat.smaps")
	if err != nil {
		t.Fatal(err)
	}
	got := Clean(smaps, "/usr/bin/cat")
	// The header, the text and the read-only data; not the RELRO segment (read-only now, but the
	// loader wrote its relocations: Anonymous 4 kB) nor the writable data.
	want := []Mapping{
		{0x55f91d081000, 0x55f91d083000, 8 << 10},
		{0x55f91d083000, 0x55f91d088000, 20 << 10},
		{0x55f91d088000, 0x55f91d08b000, 12 << 10},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Clean(cat) = %#v, want %#v", got, want)
	}
	if got := Clean(smaps, "/usr/bin/ca"); len(got) != 0 {
		t.Errorf("Clean of a path no mapping has = %v", got)
	}
}

func TestCleanCases(t *testing.T) {
	const exe = "/opt/vigil dir/vigil"
	entry := func(header, rss, anon string) string {
		s := header + "\nSize:                 64 kB\n"
		if rss != "" {
			s += "Rss:                " + rss + " kB\n"
		}
		if anon != "" {
			s += "Anonymous:          " + anon + " kB\n"
		}
		return s + "VmFlags: rd ex mr mw me\n"
	}
	tests := []struct {
		name  string
		smaps string
		want  []Mapping
	}{
		{"text with a space in the path", entry("00400000-00410000 r-xp 00000000 fe:00 12 /opt/vigil dir/vigil", "64", "0"),
			[]Mapping{{0x400000, 0x410000, 64 << 10}}},
		{"nothing resident", entry("00400000-00410000 r-xp 00000000 fe:00 12 /opt/vigil dir/vigil", "0", "0"), nil},
		{"written once", entry("00400000-00410000 r--p 00000000 fe:00 12 /opt/vigil dir/vigil", "64", "4"), nil},
		{"anonymous pages not listed", entry("00400000-00410000 r--p 00000000 fe:00 12 /opt/vigil dir/vigil", "64", ""), nil},
		{"anonymous pages unreadable", entry("00400000-00410000 r--p 00000000 fe:00 12 /opt/vigil dir/vigil", "64", "x"), nil},
		{"writable", entry("00400000-00410000 rw-p 00000000 fe:00 12 /opt/vigil dir/vigil", "64", "0"), nil},
		{"another file", entry("00400000-00410000 r-xp 00000000 fe:00 13 /opt/vigil dir/vigil2", "64", "0"), nil},
		{"anonymous mapping", entry("00400000-00410000 r--p 00000000 00:00 0", "64", "0"), nil},
		{"bad range", entry("00410000-00400000 r-xp 00000000 fe:00 12 /opt/vigil dir/vigil", "64", "0"), nil},
		{"the fields of one mapping do not carry over to the next",
			entry("00400000-00410000 r-xp 00000000 fe:00 12 /opt/vigil dir/vigil", "64", "0") +
				"00410000-00420000 r--p 00010000 fe:00 12 /opt/vigil dir/vigil\nVmFlags: rd mr\n" +
				entry("00420000-00430000 r--p 00020000 fe:00 12 /opt/vigil dir/vigil", "", "0"),
			[]Mapping{{0x400000, 0x410000, 64 << 10}}},
		{"deleted executable", entry("00400000-00410000 r-xp 00000000 fe:00 12 /opt/vigil dir/vigil (deleted)", "8", "0"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clean([]byte(tt.smaps), exe); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Clean = %#v, want %#v", got, tt.want)
			}
		})
	}
	// The executable's name as /proc/self/exe gives it once the file is gone.
	got := Clean([]byte(entry("00400000-00410000 r-xp 00000000 fe:00 12 /opt/vigil dir/vigil (deleted)", "8", "0")), exe+" (deleted)")
	if len(got) != 1 {
		t.Errorf("deleted executable under its /proc/self/exe name: %v", got)
	}
}

func FuzzClean(f *testing.F) {
	if b, err := os.ReadFile("testdata/cat.smaps"); err == nil {
		f.Add(b, "/usr/bin/cat")
	}
	f.Add([]byte("0-1 r-xp 0 0 0 /x\nRss: 4 kB\nAnonymous: 0 kB\n"), "/x")
	f.Fuzz(func(t *testing.T, smaps []byte, path string) {
		for _, m := range Clean(smaps, path) {
			if m.End <= m.Start || m.Rss <= 0 {
				t.Fatalf("Clean returned %#v", m)
			}
		}
	})
}
