// Package csaf reads CSAF 2.0 documents (OASIS Common Security Advisory Framework) into Vigil's own
// flattened model and turns their product status into VEX statements.
//
// Parse is strict about what makes a document a document: the size limit, JSON syntax (position of
// the error), nesting depth, repeated keys, trailing data and the CSAF 2.0 JSON schema (embedded in
// gocsaf, which is used only behind this package's API). Of the mandatory tests (§6.1) it rejects
// failures of those that the model depends on (product and group ids defined exactly once, no
// circular relationship, no contradicting status) and reports the others as Advisory.Warnings:
// real CISA advisories break editorial tests such as 6.1.31 ("vers:all/*" written as a
// product_version) and a hospital still needs their content. provider.Validate, used before a
// manufacturer publishes, treats every warning as an error.
//
// Version ranges (product_version_range) are parsed by ParseRange: vers URIs exactly, common free
// text loosely, the rest kept as text for a person to map.
package csaf
