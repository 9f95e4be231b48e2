module github.com/vigil-med/vigil

go 1.26.3

require github.com/google/osv-scalibr v0.5.3

require (
	github.com/CycloneDX/cyclonedx-go v0.12.0 // indirect
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/package-url/packageurl-go v0.1.7 // indirect
	github.com/pandatix/go-cvss v0.6.4 // indirect
	golang.org/x/mod v0.36.0 // indirect
)
