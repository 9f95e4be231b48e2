package testutil

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"sync"
	"testing"
)

// SMTPMessage is one message the test SMTP server accepted.
type SMTPMessage struct {
	From string
	To   []string
	Data string // headers and body as received, dot-stuffing undone, CRLF line ends
	TLS  bool   // whether the session had switched to TLS with STARTTLS
}

// SMTP is a tiny SMTP server for tests: it accepts every message on 127.0.0.1 and records it. It speaks
// just enough ESMTP for net/smtp: EHLO/HELO, optional STARTTLS, AUTH PLAIN (any credentials), MAIL, RCPT,
// DATA, RSET, NOOP, QUIT.
type SMTP struct {
	Host string
	Port int

	ln       net.Listener
	tlsCfg   *tls.Config
	mu       sync.Mutex
	msgs     []SMTPMessage
	failNext int
	wg       sync.WaitGroup
}

// SMTPOption configures the test server.
type SMTPOption func(*SMTP)

// WithSTARTTLS offers STARTTLS with the certificate.
func WithSTARTTLS(c Cert) SMTPOption {
	return func(s *SMTP) { s.tlsCfg = &tls.Config{Certificates: []tls.Certificate{c.TLS}} }
}

// SMTPServer starts a test SMTP server that stops when the test ends.
func SMTPServer(tb testing.TB, opts ...SMTPOption) *SMTP {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &SMTP{ln: ln, Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port}
	for _, o := range opts {
		o(s)
	}
	s.wg.Add(1)
	go s.serve()
	tb.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

// Messages returns the messages accepted so far.
func (s *SMTP) Messages() []SMTPMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SMTPMessage(nil), s.msgs...)
}

// FailNext makes the server refuse the next n messages with a temporary error (451) at MAIL FROM.
func (s *SMTP) FailNext(n int) {
	s.mu.Lock()
	s.failNext = n
	s.mu.Unlock()
}

func (s *SMTP) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			s.session(c)
		}()
	}
}

func (s *SMTP) session(c net.Conn) {
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	reply := func(lines ...string) bool {
		for _, l := range lines {
			w.WriteString(l + "\r\n")
		}
		return w.Flush() == nil
	}
	var msg SMTPMessage
	isTLS := false
	reply("220 localhost ESMTP vigil-test")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			ext := []string{"250-localhost", "250-8BITMIME", "250-AUTH PLAIN"}
			if s.tlsCfg != nil && !isTLS {
				ext = append(ext, "250-STARTTLS")
			}
			reply(append(ext, "250 OK")...)
		case "HELO":
			reply("250 localhost")
		case "STARTTLS":
			if s.tlsCfg == nil || isTLS {
				reply("502 not offered")
				continue
			}
			reply("220 go ahead")
			tc := tls.Server(c, s.tlsCfg)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, isTLS = tc, true
			r, w = bufio.NewReader(tc), bufio.NewWriter(tc)
			msg = SMTPMessage{}
		case "AUTH":
			reply("235 authenticated")
		case "MAIL":
			s.mu.Lock()
			fail := s.failNext > 0
			if fail {
				s.failNext--
			}
			s.mu.Unlock()
			if fail {
				reply("451 try again later")
				continue
			}
			msg = SMTPMessage{From: addr(arg), TLS: isTLS}
			reply("250 OK")
		case "RCPT":
			msg.To = append(msg.To, addr(arg))
			reply("250 OK")
		case "DATA":
			reply("354 end with <CRLF>.<CRLF>")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" || l == ".\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			msg.Data = b.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, msg)
			s.mu.Unlock()
			msg = SMTPMessage{}
			reply("250 queued")
		case "RSET":
			msg = SMTPMessage{}
			reply("250 OK")
		case "NOOP":
			reply("250 OK")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("500 unknown command")
		}
	}
}

// addr takes the address out of "FROM:<a@b>" or "TO:<a@b> SIZE=…".
func addr(arg string) string {
	if i := strings.Index(arg, "<"); i >= 0 {
		if j := strings.Index(arg[i:], ">"); j >= 0 {
			return arg[i+1 : i+j]
		}
	}
	_, a, _ := strings.Cut(arg, ":")
	return strings.TrimSpace(a)
}
