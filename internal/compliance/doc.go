// Package compliance puts the rules of package regulation to work for one organisation: its regulatory
// profile (the NIS2 scope inputs it keeps in the store), which laws apply to it and to its products, NIS2
// Art 21 assessment campaigns with evidence, automatic evidence drawn from Vigil's own data, the
// management body's sign-off and the gap report (web, JSON and PDF).
//
// The law itself stays in package regulation (rules and catalogues as data); this package only reads and
// writes the store and combines the two. Automatic evidence comes from EvidenceProviders that the other
// modules register in a Registry at start (internal/app); products for the per-product applicability
// come from a ProductSource registered the same way by the inventory module.
package compliance
