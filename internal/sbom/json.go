package sbom

import (
	"bytes"
	"fmt"
)

// CheckJSONDepth scans data once (without decoding it) and returns an error wrapping ErrInvalid when
// arrays and objects are nested deeper than max, naming the line. Decoders call it before handing the
// document to encoding/json, whose own limit (10,000 levels) is far above what any SBOM or VEX needs.
func CheckJSONDepth(data []byte, max int) error {
	depth := 0
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > max {
				return fmt.Errorf("%w: line %d: nested deeper than %d", ErrInvalid, LineOf(data, int64(i)), max)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// LineOf returns the 1-based line number of byte offset off in data.
func LineOf(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	return 1 + bytes.Count(data[:off], []byte("\n"))
}

// HashAlg returns the CycloneDX spelling of a hash algorithm name given in CycloneDX or SPDX spelling
// ("SHA256", "sha-256" and "SHA-256" all give "SHA-256"), or alg in upper case when it is not one of the
// algorithms CycloneDX knows.
func HashAlg(alg string) string {
	key := bytes.ToUpper([]byte(alg))
	key = bytes.ReplaceAll(bytes.ReplaceAll(key, []byte("-"), nil), []byte("_"), nil)
	switch string(key) {
	case "MD5":
		return "MD5"
	case "SHA1":
		return "SHA-1"
	case "SHA256":
		return "SHA-256"
	case "SHA384":
		return "SHA-384"
	case "SHA512":
		return "SHA-512"
	case "SHA3256":
		return "SHA3-256"
	case "SHA3384":
		return "SHA3-384"
	case "SHA3512":
		return "SHA3-512"
	case "BLAKE2B256":
		return "BLAKE2b-256"
	case "BLAKE2B384":
		return "BLAKE2b-384"
	case "BLAKE2B512":
		return "BLAKE2b-512"
	case "BLAKE3":
		return "BLAKE3"
	}
	return string(bytes.ToUpper([]byte(alg)))
}
