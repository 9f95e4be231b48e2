// Package exchange is the shared responsibility between manufacturers and hospitals in machine-readable
// form. A manufacturer organisation writes security advisories in Vigil and publishes them as CSAF 2.0
// (validated with gocsaf, signed with the organisation's OpenPGP key) from a trusted provider served per
// organisation, together with VEX (OpenVEX, CycloneDX) and SBOMs per product version, operator guidance
// and a public product security page. A hospital subscribes to such providers (another Vigil or any CSAF
// trusted provider), syncs on a schedule or on demand with every document's hashes and signature checked,
// imports through the disclosures' CSAF import (which maps advisories to product versions), and notifies
// the owners of the affected installed devices. Questions to manufacturers are tracked with their
// answers, and an answer can become a VEX statement. Groups and authorities see aggregate figures of the
// organisations that share with them, suppressed below domain.AggregateMinOrgs organisations.
//
// URL layout of a manufacturer organisation with slug S on an instance at BASE:
//
//	BASE/exchange/S/.well-known/csaf/provider-metadata.json   the organisation's trusted provider
//	BASE/exchange/S/.well-known/csaf/<tlp>/…                   advisories, hashes, signatures, ROLIE, index.txt, changes.csv
//	BASE/exchange/S/files/<id>/<name>                          published VEX and SBOM files (+ .sha256, .sha512, .asc)
//	BASE/exchange/S/products/<id>                              public product security page
//	BASE/.well-known/csaf/provider-metadata.json              the same provider at the well-known place, when exactly
//	                                                           one organisation of the instance publishes advisories
package exchange
