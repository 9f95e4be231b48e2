package lifecycle

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Legacy is the legacy-technology classification of an asset: whether the device or software inside
// it is past or near its end of support, why, and since when.
type Legacy struct {
	AssetID string `json:"asset_id"`
	// Status is the worst status over the items: ended, else ending-soon, else supported; unknown
	// when no item has a known status.
	Status Status `json:"status"`
	// Legacy is true when Status is ended or ending-soon.
	Legacy bool `json:"legacy"`
	// Since is the earliest end-of-support date among the ended items (the asset has been legacy
	// since then); zero when none has ended or no ended item has a date.
	Since time.Time `json:"since,omitempty"`
	// Reasons are the reason sentences of the ended and ending-soon items, worst first.
	Reasons []string `json:"reasons"`
	// Items are all items considered, ended first, then ending soon, supported and unknown; within a
	// status by date, then subject.
	Items []Item `json:"items"`
}

func statusRank(s Status) int {
	switch s {
	case StatusEnded:
		return 0
	case StatusEndingSoon:
		return 1
	case StatusSupported:
		return 2
	}
	return 3
}

// Classify combines the manufacturer's statement for the asset's product (if any) and the resolved
// components of its SBOM into a legacy classification. Duplicate items (same source product and
// cycle, e.g. hundreds of packages of one Debian release) are folded into the first.
func Classify(assetID string, items []Item) Legacy {
	seen := map[string]bool{}
	var kept []Item
	for _, it := range items {
		key := ""
		if it.Source.Kind == SourceEndOfLife && it.Source.Cycle != "" {
			key = it.Source.Product + "\x00" + it.Source.Cycle
		}
		if key != "" && seen[key] {
			continue
		}
		if key != "" {
			seen[key] = true
		}
		kept = append(kept, it)
	}
	slices.SortStableFunc(kept, func(a, b Item) int {
		if c := cmp.Compare(statusRank(a.Status), statusRank(b.Status)); c != 0 {
			return c
		}
		if c := a.Date.Compare(b.Date); c != 0 {
			if a.Date.IsZero() {
				return 1
			}
			if b.Date.IsZero() {
				return -1
			}
			return c
		}
		return cmp.Compare(a.Subject, b.Subject)
	})
	l := Legacy{AssetID: assetID, Status: StatusUnknown, Items: kept}
	for _, it := range kept {
		if statusRank(it.Status) < statusRank(l.Status) {
			l.Status = it.Status
		}
		if it.Status == StatusEnded && !it.Date.IsZero() && (l.Since.IsZero() || it.Date.Before(l.Since)) {
			l.Since = it.Date
		}
		if it.Status == StatusEnded || it.Status == StatusEndingSoon {
			l.Reasons = append(l.Reasons, it.Reason)
		}
	}
	l.Legacy = l.Status == StatusEnded || l.Status == StatusEndingSoon
	return l
}

// Summary is one sentence for lists and reports, e.g. "Legacy since 2020-01-14: Microsoft Windows 7
// SP1 ended (and 2 more)."
func (l Legacy) Summary() string {
	switch l.Status {
	case StatusEnded, StatusEndingSoon:
		var n int
		for _, it := range l.Items {
			if it.Status == StatusEnded || it.Status == StatusEndingSoon {
				n++
			}
		}
		first := l.Items[0]
		s := ""
		if l.Status == StatusEnded {
			if l.Since.IsZero() {
				s = fmt.Sprintf("Legacy: %s is out of support", first.Subject)
			} else {
				s = fmt.Sprintf("Legacy since %s: %s is out of support", ymd(l.Since), first.Subject)
			}
		} else {
			s = fmt.Sprintf("Support ends soon: %s on %s", first.Subject, ymd(first.Date))
		}
		if n > 1 {
			s += fmt.Sprintf(" (and %d more)", n-1)
		}
		return s + "."
	case StatusSupported:
		return "Supported: no product or component is past or near its end of support."
	}
	return "Support status unknown: no end-of-support date is known for the product or its components."
}
