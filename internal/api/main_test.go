package api_test

import (
	"testing"

	"github.com/vigil-med/vigil/internal/demo/demotest"
)

func TestMain(m *testing.M) { demotest.Main(m) }
