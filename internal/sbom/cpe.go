package sbom

import (
	"errors"
	"fmt"
	"strings"

	"github.com/knqyf263/go-cpe/naming"
)

// NormalizeCPE returns s as a CPE 2.3 formatted string ("cpe:2.3:a:vendor:product:version:…") in lower
// case (CPE names compare case-insensitively, and the NVD dictionary writes them in lower case). A CPE 2.2
// URI ("cpe:/a:vendor:product:version") is converted; a 2.3 formatted string is re-bound so that escaping
// is canonical. It returns an error for anything that is not a well-formed CPE.
func NormalizeCPE(s string) (out string, err error) {
	s = strings.TrimSpace(s)
	if fast, ok := simpleCPE23(s); ok {
		return fast, nil
	}
	defer func() {
		// go-cpe is not hardened against every malformed input.
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("malformed CPE: %v", r)
		}
	}()
	s = lowerASCII(s)
	switch {
	case strings.HasPrefix(s, "cpe:2.3:"):
		wfn, err := naming.UnbindFS(s)
		if err != nil {
			return "", err
		}
		return lowerASCII(naming.BindToFS(wfn)), nil
	case strings.HasPrefix(s, "cpe:/"):
		wfn, err := naming.UnbindURI(s)
		if err != nil {
			return "", err
		}
		return lowerASCII(naming.BindToFS(wfn)), nil
	}
	return "", errors.New("not a CPE 2.2 URI or 2.3 formatted string")
}

// simpleCPE23 handles the common case without go-cpe (which is slow): a 2.3 formatted string with 13
// components, part a/o/h, and every other component either "*", "-" or made only of letters, digits,
// ".", "_" and "-". Its canonical form is the string in lower case.
func simpleCPE23(s string) (string, bool) {
	if len(s) < 8 || !hasPrefixFold(s, "cpe:2.3:") {
		return "", false
	}
	rest := s[8:]
	n := 0
	start := 0
	for i := 0; i <= len(rest); i++ {
		if i < len(rest) && rest[i] != ':' {
			c := rest[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '*') {
				return "", false
			}
			continue
		}
		comp := rest[start:i]
		start = i + 1
		n++
		if comp == "" {
			return "", false
		}
		if strings.IndexByte(comp, '*') >= 0 && comp != "*" {
			return "", false
		}
		if n == 1 && comp != "a" && comp != "o" && comp != "h" && comp != "A" && comp != "O" && comp != "H" {
			return "", false
		}
	}
	if n != 11 {
		return "", false
	}
	return lowerASCII(s), true
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
