package match

import (
	"context"
	"sync"
	"testing"

	"github.com/vigil-med/vigil/internal/vuln"
)

// TestConcurrentMatchAndUpdate runs matches while the index is updated (meant for -race).
func TestConcurrentMatchAndUpdate(t *testing.T) {
	records := loadOSV(t, goFixtures)
	idx := NewIndex(records, nil)
	comps := SyntheticComponents(idx, 300, 0.8, 7)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if _, err := idx.Match(context.Background(), &Target{Components: comps}, Options{}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 10; i++ {
			idx.Update([]vuln.Vulnerability{records[i%len(records)]}, nil)
			idx.Vulnerabilities()
			_ = idx.AffectedBy(records[:3])
		}
	}()
	wg.Wait()
	if got, want := idx.Stats().Records, len(records); got != want {
		t.Errorf("records after re-applying existing ones: %d, want %d", got, want)
	}
}
