//go:build ignore

// gen writes feeds.tar.gz, the offline vulnerability feed subset the demo imports, from the shared
// public data (/work/shared/data, see its README) and the Go vulnerability database module:
//
//	cd internal/demo/feeddata && go run gen.go [-data /work/shared/data] [-vulndb DIR]
//
// SOURCES.md beside it names every file's origin and licence.
package main

import (
	"archive/tar"
	"compress/gzip"
	"flag"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// goModules are the Go modules whose records of the Go vulnerability database are included: modules
// common in device software and back ends.
var goModules = []string{"golang.org/x/net", "golang.org/x/crypto", "golang.org/x/text", "google.golang.org/grpc", "gopkg.in/yaml.v3",
	"github.com/gin-gonic/gin", "golang.org/x/image", "github.com/golang-jwt/jwt/v4", "google.golang.org/protobuf"}

func main() {
	data := flag.String("data", "/work/shared/data", "the shared data folder")
	vulndb := flag.String("vulndb", "", "the golang.org/x/vulndb module folder (default: from go mod download)")
	flag.Parse()
	if *vulndb == "" {
		out, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			log.Fatal(err)
		}
		*vulndb = filepath.Join(strings.TrimSpace(string(out)), "golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018")
	}
	f, err := os.Create("feeds.tar.gz")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	mod := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	add := func(name, path string) {
		b, err := os.ReadFile(path)
		if err != nil {
			log.Fatal(err)
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), ModTime: mod, Typeflag: tar.TypeReg}); err != nil {
			log.Fatal(err)
		}
		tw.Write(b)
	}
	glob := func(dir, pattern, prefix string) {
		m, _ := filepath.Glob(filepath.Join(dir, pattern))
		sort.Strings(m)
		for _, p := range m {
			add(prefix+filepath.Base(p), p)
		}
	}
	add("kev/known_exploited_vulnerabilities.json", filepath.Join(*data, "kev/known_exploited_vulnerabilities.json"))
	add("eukev/eukev.json", filepath.Join(*data, "eukev/eukev.json"))
	add("epss/epss_sample.csv", filepath.Join(*data, "epss/epss_sample.csv"))
	glob(filepath.Join(*data, "nvd/medical-relevant"), "CVE-*.json", "nvd/")
	glob(filepath.Join(*data, "nvd/fkie-cad"), "CVE-*.json", "nvd/")
	glob(filepath.Join(*data, "osv/ghsa"), "*.json", "osv/ghsa/")
	glob(filepath.Join(*data, "osv/pypi"), "*.json", "osv/pypi/")
	glob(filepath.Join(*data, "endoflife/products"), "*.md", "endoflife/products/")
	recs, _ := filepath.Glob(filepath.Join(*vulndb, "data/osv/*.json"))
	sort.Strings(recs)
	n := 0
	for _, p := range recs {
		b, _ := os.ReadFile(p)
		for _, m := range goModules {
			if strings.Contains(string(b), `"name": "`+m+`"`) {
				add("osv/go/"+filepath.Base(p), p)
				n++
				break
			}
		}
	}
	if err := tw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	log.Printf("feeds.tar.gz written (%d Go records)", n)
}
