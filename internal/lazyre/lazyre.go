// Package lazyre holds regular expressions that are compiled when first used.
//
// Vigil is one binary: every command initialises every package, so a pattern compiled in a
// package-level variable costs every start — vigil version and vigil scan included — whether or
// not the command uses it (Vigil's ~80 patterns: ~3 ms and ~1 MB at each start). Go's own command
// does the same with its internal/lazyregexp. In test binaries the patterns compile at once, so an
// invalid one still fails the package's tests rather than the first user who reaches it.
package lazyre

import (
	"os"
	"regexp"
	"strings"
	"sync"
)

// Regexp is a regexp.Regexp compiled on first use; its methods are those of regexp.Regexp that Vigil
// uses (Regexp gives the compiled expression for the others).
type Regexp struct {
	expr string
	once sync.Once
	rx   *regexp.Regexp
}

// inTest is true in a test binary (its name ends in ".test"), where New compiles at once.
var inTest = len(os.Args) > 0 && strings.HasSuffix(strings.TrimSuffix(os.Args[0], ".exe"), ".test")

// New returns expr, to be compiled with regexp.MustCompile when first used.
func New(expr string) *Regexp {
	r := &Regexp{expr: expr}
	if inTest {
		r.Regexp()
	}
	return r
}

// Regexp returns the compiled expression; it panics, as regexp.MustCompile does, when expr is invalid.
func (r *Regexp) Regexp() *regexp.Regexp {
	r.once.Do(func() { r.rx = regexp.MustCompile(r.expr) })
	return r.rx
}

func (r *Regexp) MatchString(s string) bool              { return r.Regexp().MatchString(s) }
func (r *Regexp) FindString(s string) string             { return r.Regexp().FindString(s) }
func (r *Regexp) FindStringIndex(s string) []int         { return r.Regexp().FindStringIndex(s) }
func (r *Regexp) FindStringSubmatch(s string) []string   { return r.Regexp().FindStringSubmatch(s) }
func (r *Regexp) FindAllString(s string, n int) []string { return r.Regexp().FindAllString(s, n) }
func (r *Regexp) FindAllStringSubmatch(s string, n int) [][]string {
	return r.Regexp().FindAllStringSubmatch(s, n)
}
func (r *Regexp) ReplaceAllString(src, repl string) string {
	return r.Regexp().ReplaceAllString(src, repl)
}
func (r *Regexp) Split(s string, n int) []string { return r.Regexp().Split(s, n) }
