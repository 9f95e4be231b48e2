package sbom

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Formats that Detect recognises but Decode refuses, and the zero value for "nothing recognised".
const (
	// Unknown is returned by Detect when the bytes are no SBOM format it knows.
	Unknown Format = ""
	// SPDX3JSONLD is an SPDX 3.0 JSON-LD document (recognised, not supported yet).
	SPDX3JSONLD Format = "spdx-3-jsonld"
	// SPDXRDF is an SPDX 2.x RDF/XML document (recognised, not supported).
	SPDXRDF Format = "spdx-rdf"
)

// HeadSize is how many leading bytes Detect needs to recognise a format reliably. Decode passes the whole
// document; a caller that sniffs a stream should pass at least this many bytes (or the whole input when
// it is shorter).
const HeadSize = 64 << 10

// Supported reports whether Decode reads documents of format f.
func (f Format) Supported() bool {
	switch f {
	case CycloneDXJSON, CycloneDXXML, SPDXJSON, SPDXTagValue:
		return true
	}
	return false
}

// Detect recognises the SBOM format of a document from its first bytes (see HeadSize) without parsing it:
// CycloneDX JSON or XML, SPDX 2.x JSON or tag-value, and, to refuse them by name, SPDX 3.0 JSON-LD and
// SPDX RDF/XML. It returns Unknown for anything else. A UTF-8 byte order mark and leading white space are
// ignored.
func Detect(head []byte) Format {
	f, _ := sniff(head)
	return f
}

// sniff returns the format and, for an unknown or unsupported one, a short description of what was found
// ("an OpenVEX document", "text beginning \"hello\"", "a ZIP archive" …) for the error message.
func sniff(data []byte) (Format, string) {
	if len(data) > HeadSize {
		data = data[:HeadSize]
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return Unknown, "an empty file"
	}
	switch trimmed[0] {
	case '{':
		return sniffJSON(trimmed)
	case '[':
		return Unknown, "a JSON array"
	case '<':
		return sniffXML(trimmed)
	}
	if f, ok := sniffTagValue(trimmed); ok {
		return f, ""
	}
	return Unknown, describeOther(data)
}

// jsonMarkers are the top-level keys that identify a JSON document, in no particular order; the one
// that occurs first in the document decides.
var jsonMarkers = []string{`"bomFormat"`, `"spdxVersion"`, `"@context"`, `"csaf_version"`, `"schema_version"`}

func sniffJSON(data []byte) (Format, string) {
	best, bestAt := "", len(data)
	for _, m := range jsonMarkers {
		if i := bytes.Index(data[:bestAt], []byte(m)); i >= 0 && i < bestAt {
			best, bestAt = m, i
		}
	}
	if best == "" {
		return Unknown, "a JSON document without bomFormat or spdxVersion"
	}
	value := jsonStringAfter(data[bestAt+len(best):])
	switch best {
	case `"bomFormat"`:
		if value == "CycloneDX" {
			return CycloneDXJSON, ""
		}
		return Unknown, fmt.Sprintf("a JSON document with bomFormat %q", value)
	case `"spdxVersion"`:
		if strings.HasPrefix(value, "SPDX-3") {
			return SPDX3JSONLD, "an SPDX 3 document"
		}
		return SPDXJSON, ""
	case `"@context"`:
		switch {
		case strings.Contains(value, "spdx.org/rdf/3"):
			return SPDX3JSONLD, "an SPDX 3 JSON-LD document"
		case strings.Contains(value, "openvex"):
			return Unknown, "an OpenVEX document (import it as VEX)"
		}
		return Unknown, fmt.Sprintf("a JSON-LD document with @context %q", value)
	case `"csaf_version"`:
		return Unknown, "a CSAF document (import it as an advisory or VEX)"
	case `"schema_version"`:
		return Unknown, "a JSON document with schema_version (an OSV record?)"
	}
	return Unknown, "a JSON document"
}

// jsonStringAfter returns the JSON string value that follows a key (`: "value"`), unescaped only as far as
// detection needs, or "" when the value is not a string.
func jsonStringAfter(b []byte) string {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 || b[0] != ':' {
		return ""
	}
	b = bytes.TrimLeft(b[1:], " \t\r\n")
	if len(b) == 0 || b[0] != '"' {
		return ""
	}
	end := bytes.IndexByte(b[1:], '"')
	if end < 0 || end > 200 {
		return ""
	}
	return string(b[1 : 1+end])
}

func sniffXML(data []byte) (Format, string) {
	rest := data
	for {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		switch {
		case bytes.HasPrefix(rest, []byte("<?")):
			i := bytes.Index(rest, []byte("?>"))
			if i < 0 {
				return Unknown, "an incomplete XML declaration"
			}
			rest = rest[i+2:]
			continue
		case bytes.HasPrefix(rest, []byte("<!--")):
			i := bytes.Index(rest, []byte("-->"))
			if i < 0 {
				return Unknown, "an XML document that starts with an unclosed comment"
			}
			rest = rest[i+3:]
			continue
		case bytes.HasPrefix(rest, []byte("<!")):
			// DOCTYPE: skip to its end, including an internal subset; the decoder refuses it later.
			depth, i := 0, 2
			for ; i < len(rest); i++ {
				if rest[i] == '[' {
					depth++
				} else if rest[i] == ']' {
					depth--
				} else if rest[i] == '>' && depth <= 0 {
					break
				}
			}
			if i >= len(rest) {
				return Unknown, "an XML document whose DOCTYPE does not end"
			}
			rest = rest[i+1:]
			continue
		}
		break
	}
	if len(rest) < 2 || rest[0] != '<' {
		return Unknown, "an XML document without a root element"
	}
	end := bytes.IndexByte(rest, '>')
	if end < 0 {
		end = len(rest)
	}
	tag := string(rest[1:end])
	name := tag
	if i := strings.IndexAny(name, " \t\r\n/"); i >= 0 {
		name = name[:i]
	}
	local := name
	if i := strings.IndexByte(local, ':'); i >= 0 {
		local = local[i+1:]
	}
	switch {
	case local == "bom" && strings.Contains(tag, "cyclonedx.org/schema/bom"):
		return CycloneDXXML, ""
	case local == "RDF" && strings.Contains(string(data), "spdx.org/rdf"):
		return SPDXRDF, "an SPDX RDF/XML document"
	case local == "html" || local == "HTML":
		return Unknown, "an HTML page"
	}
	return Unknown, fmt.Sprintf("an XML document with root element <%s>", truncate(name, 40))
}

// sniffTagValue looks for "SPDXVersion:" on the first non-comment line.
func sniffTagValue(data []byte) (Format, bool) {
	for range 50 {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		line = bytes.TrimSpace(line)
		switch {
		case len(line) == 0 || line[0] == '#':
		case bytes.HasPrefix(line, []byte("SPDXVersion:")):
			return SPDXTagValue, true
		default:
			return Unknown, false
		}
		if len(rest) == 0 {
			break
		}
		data = rest
	}
	return Unknown, false
}

func describeOther(data []byte) string {
	ct := http.DetectContentType(data)
	switch {
	case strings.HasPrefix(ct, "text/plain"):
		line, _, _ := bytes.Cut(data, []byte("\n"))
		line = bytes.TrimSpace(line)
		if !utf8.Valid(line) {
			return "text in an unknown encoding"
		}
		return "text beginning " + strconv.Quote(truncate(string(line), 40))
	case ct == "application/zip":
		return "a ZIP archive"
	case ct == "application/x-gzip":
		return "a gzip archive"
	case ct == "application/pdf":
		return "a PDF document"
	case strings.HasPrefix(ct, "image/"):
		return "an image (" + ct + ")"
	}
	return "binary data (" + ct + ")"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
