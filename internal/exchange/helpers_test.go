package exchange_test

import "github.com/vigil-med/vigil/internal/csaf"

func csafPublisher() csaf.Publisher {
	return csaf.Publisher{Name: "Meridian Medical Systems", Namespace: "https://meridian.example", Category: "vendor"}
}
