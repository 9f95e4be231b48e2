// Package regulation answers which EU law applies to a hospital, a manufacturer or a product, and what
// follows from it: the NIS2 scope check (Scope), the applicability of NIS2, MDR/IVDR, CRA, EHDS and GDPR
// with duties, dates and authorities (Assess), the shared-responsibility matrix of MDCG 2019-16 filled from
// MDS2 answers (Responsibilities), the NIS2 Art 20/21 measures catalogue with maturity levels, mappings and
// evidence kinds (Catalogue), and Member State overlays (Overlays, ApplyOverlay).
//
// Rules and catalogues are data: YAML files under data/, embedded, versioned and carrying their sources.
// The Go code interprets them. Everything is pure: values in, values out. Items whose legal basis could
// not be checked against the text say so (Verified/Status fields); see data/VERIFICATION.md.
//
// Reporting clocks live in the sub-package deadline.
package regulation
