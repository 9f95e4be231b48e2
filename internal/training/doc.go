// Package training runs an organisation's cybersecurity skills programme and proves it: a starter
// catalogue of modules and curricula per audience (shipped as data, copied into an organisation and
// then edited there), the staff register imported from an HR export, assignment rules that give
// newcomers and people who change role their curricula, completion records (entered, imported from
// e-learning and phishing-simulation platforms, or earned in tabletop exercises), expiry after the
// refresh interval, e-mail reminders, and coverage figures per department, audience and module with
// the management body shown apart (NIS2 Art 20(2)). Coverage feeds the Art 21(2)(g) evidence of the
// regulation module (Report.Evidence).
//
// The package holds the module's logic. It reads through a store.Scope and writes through a store.Tx
// handed in by the caller (the CLI, the REST API, the web UI, jobs), so a whole import or a bulk
// assignment is one transaction.
package training
