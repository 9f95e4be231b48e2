package version

import "strings"

// CompareGeneric orders free-form vendor versions, as found in CPE names and firmware
// ("1.1.1k", "4.0e", "20d29", "2.0-rc1", "10.0.17763.1", "1.8.0_202"):
//
//   - A version is split into tokens at '.', '-', '_', '+', '~', ':' and wherever digits and
//     letters meet; letters compare case-insensitively.
//   - Numbers compare numerically; missing trailing numbers count as 0 ("1.0" = "1.0.0").
//   - Pre-release words (dev = snapshot < alpha < beta < pre = preview = milestone < rc = cr)
//     sort before the release, so "2.0-rc1" < "2.0" and "2.0beta" < "2.0rc".
//   - Any other word, single letters included, sorts after the release and after numbers
//     ("1.0.1" < "1.0.1a" < "1.0.1g", "4.0" < "4.0e"), as OpenSSL-style letter releases need;
//     such words compare with each other bytewise.
//
// It never fails; equal strings compare 0.
func CompareGeneric(a, b string) int {
	if a == b {
		return 0
	}
	for {
		ta, ra := nextToken(a)
		tb, rb := nextToken(b)
		if ta == "" && tb == "" {
			return 0
		}
		if c := compareToken(ta, tb); c != 0 {
			return c
		}
		a, b = ra, rb
	}
}

func isSep(c byte) bool {
	return c == '.' || c == '-' || c == '_' || c == '+' || c == '~' || c == ':' || c == ' '
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// nextToken returns the next token of s and the rest; "" when s is exhausted.
func nextToken(s string) (string, string) {
	for s != "" && isSep(s[0]) {
		s = s[1:]
	}
	if s == "" {
		return "", ""
	}
	digit := isDigit(s[0])
	i := 1
	for i < len(s) && !isSep(s[i]) && isDigit(s[i]) == digit {
		i++
	}
	return s[:i], s[i:]
}

// tokenClass orders token kinds: pre-release words < end of version ≈ 0 < numbers < other words.
func tokenClass(t string) (class int, rank int) {
	if t == "" {
		return 1, 0
	}
	if isDigit(t[0]) {
		return 2, 0
	}
	if r, ok := preRank(t); ok {
		return 0, r
	}
	return 3, 0
}

func preRank(t string) (int, bool) {
	switch strings.ToLower(t) {
	case "dev", "snapshot":
		return 0, true
	case "alpha":
		return 1, true
	case "beta":
		return 2, true
	case "pre", "preview", "milestone":
		return 3, true
	case "rc", "cr":
		return 4, true
	}
	return 0, false
}

func compareToken(a, b string) int {
	ca, ra := tokenClass(a)
	cb, rb := tokenClass(b)
	// A missing token against a number: compare the number with 0.
	if ca == 1 && cb == 2 {
		if strings.Trim(b, "0") == "" {
			return 0
		}
		return -1
	}
	if ca == 2 && cb == 1 {
		if strings.Trim(a, "0") == "" {
			return 0
		}
		return 1
	}
	if ca != cb {
		return cmpInt(ca, cb)
	}
	switch ca {
	case 0:
		return cmpInt(ra, rb)
	case 2:
		return compareDigits(strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0"))
	case 3:
		return strings.Compare(strings.ToLower(a), strings.ToLower(b))
	}
	return 0
}
