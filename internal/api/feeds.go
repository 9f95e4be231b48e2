package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/httpx"
	"github.com/vigil-med/vigil/internal/jobs"
	"github.com/vigil-med/vigil/internal/vuln"
	"github.com/vigil-med/vigil/internal/vulndb"
)

// FeedsStatus is the state of the vulnerability feeds.
type FeedsStatus struct {
	Sources         []domain.FeedSource `json:"sources"`
	Vulnerabilities int                 `json:"vulnerabilities"`
	Generation      int64               `json:"generation" doc:"the feed generation: id of the last feed change"`
	SnapshotFresh   bool                `json:"snapshot_fresh" doc:"the match snapshot of the data directory holds the current generation"`
	NextSync        *time.Time          `json:"next_sync,omitempty" doc:"when the background sync runs next; absent when feeds.sync_interval is 0"`
}

// FeedsSyncInput asks for a sync.
type FeedsSyncInput struct {
	Sources []string `json:"sources,omitempty" doc:"osv, nvd, kev, eukev, epss, endoflife; default: feeds.sources"`
}

// JobQueued answers a request that queued a background job.
type JobQueued struct {
	JobID int64 `json:"job_id" doc:"0 when the same job was queued a moment ago"`
}

// VulnDetail is a vulnerability of the database: the merged view and the merged data of its
// source records (affected packages and ranges, CPE configurations, references).
type VulnDetail struct {
	Vulnerability domain.Vulnerability `json:"vulnerability"`
	Data          vuln.Vulnerability   `json:"data"`
}

// FeedsRoutes registers the operations of the vulnerability database: feed status, sync and
// upload (feeds:manage), the change log, and the vulnerability search and detail. The data is
// shared by every organisation; no path id belongs to one.
func (a *API) FeedsRoutes(svc *vulndb.Service, runner *jobs.Runner, uploadLimit int64) {
	Handle(a, Op{Method: http.MethodGet, Path: "/feeds", ID: "getFeeds", Tag: "vulnerabilities", Perm: domain.PermRead,
		Summary: "Status of every vulnerability feed source: last update, records, errors, next sync"},
		func(c *Call, _ Empty) (FeedsStatus, error) {
			st, err := svc.Status(c.Ctx())
			if err != nil {
				return FeedsStatus{}, err
			}
			out := FeedsStatus{Sources: st.Sources, Vulnerabilities: st.Vulnerabilities, Generation: st.Generation, SnapshotFresh: st.SnapshotFresh}
			if !st.NextSync.IsZero() {
				out.NextSync = &st.NextSync
			}
			return out, nil
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/feeds/sync", ID: "syncFeeds", Tag: "vulnerabilities", Perm: domain.PermFeeds, Status: http.StatusAccepted,
		Summary: "Queue a sync of the feeds from their sources (a background job; GET /jobs/{id} shows its progress)"},
		func(c *Call, in FeedsSyncInput) (JobQueued, error) {
			for _, s := range in.Sources {
				if !validSyncSource(s) {
					return JobQueued{}, domain.Invalid("sources", "unknown source %q (allowed: osv, nvd, kev, eukev, epss, endoflife)", s)
				}
			}
			id, err := svc.EnqueueSync(c.Ctx(), runner, in.Sources)
			return JobQueued{JobID: id}, err
		})
	HandleRaw(a, Op{Method: http.MethodPost, Path: "/feeds/import", ID: "importFeeds", Tag: "vulnerabilities", Perm: domain.PermFeeds, Upload: true,
		Status: http.StatusAccepted, Response: JobQueued{},
		Params:  []Param{{Name: "filename", In: "query", Description: "file name when the body is the raw file"}},
		Summary: "Upload a feed file or an offline bundle (multipart field \"file\"); it is imported by a background job"},
		func(w http.ResponseWriter, c *Call) error {
			up, err := c.Upload(uploadLimit)
			if err != nil {
				return err
			}
			name := up.Name
			if name == "" {
				name = "upload"
			}
			id, err := svc.EnqueueImport(c.Ctx(), runner, name, up.Data)
			if err != nil {
				return err
			}
			httpx.JSON(w, http.StatusAccepted, JobQueued{JobID: id})
			return nil
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/feeds/changes", ID: "listFeedChanges", Tag: "vulnerabilities", Perm: domain.PermRead,
		Params: []Param{{Name: "after", In: "query", Type: "integer", Description: "only changes with a larger id (the feed generation)"},
			{Name: "limit", In: "query", Type: "integer", Description: "at most this many (default 100, at most 1000)"}},
		Summary: "The feed change log: which vulnerabilities and packages each change touched, oldest first"},
		func(c *Call, _ Empty) ([]domain.FeedChange, error) {
			after, err := c.QueryInt("after", 0)
			if err != nil {
				return nil, err
			}
			limit, err := c.QueryInt("limit", 100)
			if err != nil {
				return nil, err
			}
			return svc.Store.FeedChanges(c.Ctx(), int64(after), min(max(limit, 1), 1000))
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/vulndb", ID: "searchVulnerabilityDatabase", Tag: "vulnerabilities", Perm: domain.PermRead,
		Params: append(append([]Param{}, ListParams...),
			Param{Name: "kev", In: "query", Type: "boolean", Description: "only vulnerabilities in CISA KEV or EU KEV"},
			Param{Name: "severity", In: "query", Type: "string", Enum: []string{"low", "medium", "high", "critical"}, Description: "at least this severity"},
			Param{Name: "min_epss", In: "query", Type: "number", Description: "EPSS score at least (0–1)"},
			Param{Name: "package", In: "query", Type: "string", Description: "affects this package (name in any ecosystem, or CPE vendor:product)"}),
		Summary: "Search the vulnerability database by id, alias or words; sort by id, severity, epss, published, modified, kev"},
		func(c *Call, _ Empty) (domain.Page[domain.Vulnerability], error) {
			f, err := vulnFilter(c)
			if err != nil {
				return domain.Page[domain.Vulnerability]{}, err
			}
			return svc.Store.Vulnerabilities(c.Ctx(), f)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/vulndb/{id}", ID: "getVulnerabilityDatabaseEntry", Tag: "vulnerabilities", Perm: domain.PermRead,
		Params:  []Param{{Name: "id", In: "path", Description: "the canonical id or any alias (CVE, GHSA, GO, PYSEC, EUVD …)"}},
		Summary: "One vulnerability with its aliases, severity, KEV, EPSS, affected packages and ranges, CPE configurations and references"},
		func(c *Call, _ Empty) (VulnDetail, error) {
			v, data, err := svc.Vulnerability(c.Ctx(), c.R.PathValue("id"))
			return VulnDetail{Vulnerability: v, Data: data}, err
		})
}

func validSyncSource(s string) bool {
	switch s {
	case domain.FeedOSV, domain.FeedNVD, domain.FeedKEV, domain.FeedEUKEV, domain.FeedEPSS, domain.FeedEndOfLife:
		return true
	}
	return false
}

func vulnFilter(c *Call) (domain.VulnFilter, error) {
	lp, err := c.List()
	if err != nil {
		return domain.VulnFilter{}, err
	}
	f := domain.VulnFilter{ListParams: lp, Package: c.Query("package")}
	if f.KEV, err = c.QueryBool("kev"); err != nil {
		return f, err
	}
	if s := c.Query("severity"); s != "" {
		l, err := vuln.ParseLevel(s)
		if err != nil || l < vuln.Low {
			return f, domain.Invalid("severity", "must be low, medium, high or critical")
		}
		f.MinSeverity = int(l)
	}
	if s := c.Query("min_epss"); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v < 0 || v > 1 {
			return f, domain.Invalid("min_epss", "must be a number from 0 to 1")
		}
		f.MinEPSS = v
	}
	return f, nil
}
