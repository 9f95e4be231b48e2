package notify_test

import (
	"context"
	"errors"
	"testing"

	"github.com/vigil-med/vigil/internal/netguard"
	"github.com/vigil-med/vigil/internal/notify"
)

// A webhook URL pointing at the cloud metadata service is refused before any connection is made.
func TestWebhookRefusesMetadataService(t *testing.T) {
	t.Setenv("HTTP_PROXY", "")
	t.Setenv("http_proxy", "")
	for _, url := range []string{"http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/hook", "http://0.0.0.0:8080/hook"} {
		err := (&notify.WebhookSender{}).Send(context.Background(), url, "secret", "test", "1", map[string]string{"x": "y"})
		if !errors.Is(err, netguard.ErrRefused) {
			t.Errorf("%s: err = %v, want refused", url, err)
		}
	}
}
