// Package netguard gives the HTTP clients Vigil uses for addresses that users enter (webhooks,
// exchange subscriptions, CSAF providers, feed sources): they refuse to connect to link-local,
// unspecified and multicast addresses and to the cloud metadata services, so that a user allowed to
// set such an address cannot make the server read its cloud credentials or talk to link-local
// devices (server-side request forgery). The check runs on the address actually dialled, after name
// resolution, so a name that resolves to a refused address (DNS rebinding included) is refused too.
// Private and loopback addresses stay allowed: hospital mirrors and feed proxies live there, and an
// air-gapped site serves its feeds from the same machine. Through an HTTP proxy the proxy decides.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrRefused is returned (wrapped) for a connection to a refused address.
var ErrRefused = errors.New("address refused")

// metadata are cloud instance-metadata addresses outside the link-local ranges.
var metadata = []netip.Addr{
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
	netip.MustParseAddr("fd00:ec2::254"),   // AWS over IPv6
}

// Check reports why a connection to addr ("host:port" with an IP host) is refused, or nil.
func Check(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %q is not an IP address", ErrRefused, host)
	}
	ip = ip.Unmap().WithZone("")
	switch {
	case ip.IsUnspecified():
		return fmt.Errorf("%w: %s is unspecified", ErrRefused, ip)
	case ip.IsLinkLocalUnicast():
		return fmt.Errorf("%w: %s is link-local (cloud metadata services live there)", ErrRefused, ip)
	case ip.IsMulticast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		return fmt.Errorf("%w: %s is multicast", ErrRefused, ip)
	}
	for _, m := range metadata {
		if ip == m {
			return fmt.Errorf("%w: %s is a cloud metadata service", ErrRefused, ip)
		}
	}
	return nil
}

// Dialer returns a dialer that refuses what Check refuses.
func Dialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error { return Check(address) }}
}

// Transport returns a copy of http.DefaultTransport (proxy from the environment, HTTP/2, pooling)
// whose connections go through Dialer.
func Transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	d := Dialer(30 * time.Second)
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}
	return t
}

// Client returns an HTTP client with the guarded transport and the timeout.
func Client(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: Transport()}
}
