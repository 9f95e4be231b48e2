package vulndb

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// feedServer serves the fixture files the way the real sources do: static files with ETag and
// Last-Modified (conditional and Range requests through http.ServeContent) and an NVD API that
// pages. Failures can be switched on per path.
type feedServer struct {
	t        *testing.T
	mu       sync.Mutex
	files    map[string][]byte
	etags    map[string]string
	nvd      []json.RawMessage // CVE objects
	log      []string          // "GET /path?query [Range: …] [If-None-Match: …]"
	fail     map[string]int    // path → status to answer (once per count)
	failN    map[string]int
	cutOnce  map[string]bool // path → break the connection half-way through the body, once
	modified time.Time
}

func newFeedServer(t *testing.T) (*feedServer, *httptest.Server) {
	fs := &feedServer{t: t, files: map[string][]byte{}, etags: map[string]string{}, fail: map[string]int{}, failN: map[string]int{},
		cutOnce: map[string]bool{}, modified: time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)}
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// OSV: a Go all.zip made of the Go vulnerability database fixtures
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	entries, _ := os.ReadDir(goFixtures)
	for _, e := range entries {
		w, _ := zw.Create(e.Name())
		w.Write(read(filepath.Join(goFixtures, e.Name())))
	}
	zw.Close()
	fs.put("/osv/Go/all.zip", zb.Bytes())
	fs.put("/kev.json", read(kevJSON))
	fs.put("/eukev.json", read(eukevJSON))
	var gz bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write(read(epssSample))
	gw.Close()
	fs.put("/epss.csv.gz", gz.Bytes())
	fs.put("/eol.json", read(eolAPIFixture))
	var page struct {
		Vulnerabilities []json.RawMessage `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(read(filepath.Join(nvdFixtures, "nvd-api-2.0-page-38-cves.json")), &page); err != nil {
		t.Fatal(err)
	}
	fs.nvd = page.Vulnerabilities
	srv := httptest.NewServer(fs)
	t.Cleanup(srv.Close)
	return fs, srv
}

func (fs *feedServer) put(path string, b []byte) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.files[path] = b
	fs.etags[path] = fmt.Sprintf(`"%x-%d"`, len(b), len(fs.etags)+int(time.Now().UnixNano()%1000))
}

func (fs *feedServer) requests(prefix string) []string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var out []string
	for _, l := range fs.log {
		if strings.HasPrefix(l, "GET "+prefix) {
			out = append(out, l)
		}
	}
	return out
}

func (fs *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fs.mu.Lock()
	entry := "GET " + r.URL.RequestURI()
	for _, h := range []string{"Range", "If-Range", "If-None-Match", "apiKey"} {
		if v := r.Header.Get(h); v != "" {
			entry += " [" + h + ": " + v + "]"
		}
	}
	fs.log = append(fs.log, entry)
	status := 0
	key := r.URL.Path
	if r.URL.Path == "/nvd" {
		key = "/nvd?" + r.URL.Query().Get("startIndex")
	}
	if fs.failN[key] > 0 {
		fs.failN[key]--
		status = fs.fail[key]
	}
	cut := fs.cutOnce[r.URL.Path]
	fs.cutOnce[r.URL.Path] = false
	data, ok := fs.files[r.URL.Path]
	etag := fs.etags[r.URL.Path]
	fs.mu.Unlock()
	if status != 0 {
		http.Error(w, "simulated failure", status)
		return
	}
	if r.URL.Path == "/nvd" {
		fs.serveNVD(w, r)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	if cut {
		// announce the whole body, send half of it, break the connection
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(http.StatusOK)
		w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	w.Header().Set("ETag", etag)
	http.ServeContent(w, r, filepath.Base(r.URL.Path), fs.modified, bytes.NewReader(data))
}

func (fs *feedServer) serveNVD(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("resultsPerPage"))
	start, _ := strconv.Atoi(q.Get("startIndex"))
	if (q.Get("lastModStartDate") == "") != (q.Get("lastModEndDate") == "") {
		http.Error(w, "both dates or none", http.StatusBadRequest)
		return
	}
	list := fs.nvd
	if q.Get("lastModStartDate") != "" {
		list = list[:2] // "modified since": two records
	}
	end := min(start+per, len(list))
	if start > len(list) {
		start = len(list)
	}
	page := map[string]any{"resultsPerPage": end - start, "startIndex": start, "totalResults": len(list), "format": "NVD_CVE", "version": "2.0",
		"timestamp": "2026-11-28T08:00:00.000", "vulnerabilities": list[start:end]}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(page)
}

func syncService(t *testing.T, st *store.Store, srv *httptest.Server) *Service {
	s := newService(t, st)
	s.Config.OSVURL = srv.URL + "/osv"
	s.Config.OSVEcosystems = []string{"Go"}
	s.Config.NVDURL = srv.URL + "/nvd"
	s.Config.NVDPageSize = 15
	s.Config.NVDDelay = time.Millisecond
	s.Config.KEVURL = srv.URL + "/kev.json"
	s.Config.EUKEVURL = srv.URL + "/eukev.json"
	s.Config.EPSSURL = srv.URL + "/epss.csv.gz"
	s.Config.EndOfLifeURL = srv.URL + "/eol.json"
	s.Client = srv.Client()
	return s
}

func syncResults(rep *SyncReport) map[string]SyncSource {
	out := map[string]SyncSource{}
	for _, s := range rep.Sources {
		out[s.Source] = s
	}
	return out
}

// A sync fetches every source; the second finds the files unchanged (304) and asks NVD only for
// what changed since; a failing source does not stop the others; NVD pages and resumes from its
// cursor; a broken-off download resumes with a Range request.
func TestSync(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		fs, srv := newFeedServer(t)
		s := syncService(t, st, srv)

		// Round 1: NVD's second page fails once, the KEV download breaks off half-way, EU KEV
		// answers 500: those three fail, the others are stored.
		fs.fail["/nvd?15"], fs.failN["/nvd?15"] = http.StatusServiceUnavailable, 1
		fs.cutOnce["/kev.json"] = true
		fs.fail["/eukev.json"], fs.failN["/eukev.json"] = http.StatusInternalServerError, 1
		rep, err := s.Sync(ctx, SyncOptions{})
		if !errors.Is(err, ErrSyncFailed) || rep.Failed != 3 {
			t.Fatalf("round 1: failed %d, err %v", rep.Failed, err)
		}
		r1 := syncResults(rep)
		if r1["osv"].Error != "" || r1["osv"].Result.Created != 62 || r1["epss"].Result.Created != 1883 || r1["endoflife"].Result.Created != 1 {
			t.Errorf("round 1 results: %+v", rep.Sources)
		}
		if r1["nvd"].Result.Created != 15 || !strings.Contains(r1["nvd"].Error, "503") {
			t.Errorf("round 1 nvd: %+v", r1["nvd"])
		}
		if !strings.Contains(r1["kev"].Error, "broke off") || !strings.Contains(r1["eukev"].Error, "500") {
			t.Errorf("round 1 kev/eukev: %q / %q", r1["kev"].Error, r1["eukev"].Error)
		}
		eu, _ := st.FeedSource(ctx, "eukev")
		if eu.LastError == "" || eu.LastSuccess != nil || eu.LastAttempt == nil {
			t.Errorf("eukev status after the failure: %+v", eu)
		}
		if n, _ := st.Read().CountFeedRecords(ctx, "kev"); n != 0 {
			t.Errorf("kev records after the broken download: %d", n)
		}

		// Round 2: the failed sources are fetched (KEV resumed with a Range request, NVD from
		// startIndex 15), the others are not modified.
		rep, err = s.Sync(ctx, SyncOptions{})
		if err != nil {
			t.Fatalf("round 2: %v (%+v)", err, rep)
		}
		r2 := syncResults(rep)
		for _, src := range []string{"osv", "epss", "endoflife"} {
			if !r2[src].NotModified {
				t.Errorf("round 2 %s: %+v, want not modified", src, r2[src])
			}
		}
		if r2["kev"].Result.Created != 1404 || r2["eukev"].Result.Created != 43 || r2["nvd"].Result.Created != 23 {
			t.Errorf("round 2: kev %+v, eukev %+v, nvd %+v", r2["kev"].Result, r2["eukev"].Result, r2["nvd"].Result)
		}
		kevReqs := fs.requests("/kev.json")
		if len(kevReqs) != 2 || !strings.Contains(kevReqs[1], "[Range: bytes=") || !strings.Contains(kevReqs[1], "[If-Range: ") {
			t.Errorf("kev requests: %q", kevReqs)
		}
		nvdReqs := fs.requests("/nvd")
		if len(nvdReqs) != 4 || !strings.Contains(nvdReqs[2], "startIndex=15") || !strings.Contains(nvdReqs[3], "startIndex=30") ||
			strings.Contains(nvdReqs[3], "lastModStartDate") {
			t.Errorf("nvd requests: %q", nvdReqs)
		}
		for _, req := range fs.requests("/osv") {
			if strings.Contains(req, "If-None-Match") {
				goto found
			}
		}
		t.Errorf("osv: no conditional request: %q", fs.requests("/osv"))
	found:
		if n, _ := st.Read().CountFeedRecords(ctx, "nvd"); n != 38 {
			t.Errorf("nvd records: %d, want 38", n)
		}

		// Round 3: everything unchanged; NVD asked for the window since the last sync.
		s.Now = func() time.Time { return time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC) }
		rep, err = s.Sync(ctx, SyncOptions{})
		if err != nil {
			t.Fatal(err)
		}
		r3 := syncResults(rep)
		for _, src := range []string{"osv", "kev", "eukev", "epss", "endoflife"} {
			if !r3[src].NotModified {
				t.Errorf("round 3 %s: %+v", src, r3[src])
			}
		}
		nvdReqs = fs.requests("/nvd")
		last := nvdReqs[len(nvdReqs)-1]
		if !strings.Contains(last, "lastModStartDate=2026-11-28T09%3A00%3A00.000%2B00%3A00") || !strings.Contains(last, "lastModEndDate=2026-11-29T09%3A00%3A00.000%2B00%3A00") {
			t.Errorf("nvd incremental request: %s", last)
		}
		if r3["nvd"].Result.Unchanged != 2 {
			t.Errorf("round 3 nvd: %+v", r3["nvd"].Result)
		}
		var nst nvdState
		f, _ := st.FeedSource(ctx, domain.FeedNVD)
		json.Unmarshal([]byte(f.State), &nst)
		if !nst.Since.Equal(time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)) || nst.StartIndex != 0 {
			t.Errorf("nvd cursor: %s", f.State)
		}
		m, err := ReadSnapshotMeta(s.SnapshotPath())
		if err != nil || m.Generation != rep.Generation || m.Records != 62+38+1404+43 {
			t.Errorf("snapshot: %+v, %v (generation %d)", m, err, rep.Generation)
		}
	})
}

// NVD windows are at most 120 days: a cursor far in the past is caught up window by window.
func TestSyncNVDWindows(t *testing.T) {
	st := testutil.MustOpenStore(t)
	fs, srv := newFeedServer(t)
	s := syncService(t, st, srv)
	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	state, _ := json.Marshal(nvdState{Since: since})
	if err := st.WriteGlobal(context.Background(), func(tx *store.Tx) error {
		return tx.SaveFeedSource(context.Background(), domain.FeedSource{Name: "nvd", State: string(state)})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sync(context.Background(), SyncOptions{Sources: []string{"nvd"}}); err != nil {
		t.Fatal(err)
	}
	reqs := fs.requests("/nvd")
	// 2026-01-01 → 2026-05-01 → 2026-08-29 → 2026-11-28 09:00
	if len(reqs) != 3 || !strings.Contains(reqs[0], "lastModEndDate=2026-05-01T00") || !strings.Contains(reqs[1], "lastModStartDate=2026-05-01T00") ||
		!strings.Contains(reqs[2], "lastModEndDate=2026-11-28T09") {
		t.Errorf("windows: %q", reqs)
	}
}
