package store

// Scope returns the organisation's read methods running inside the transaction, so a change can read
// what it wrote before it commits (a Scope from Store.Scope reads committed data only).
func (tx *Tx) Scope() *Scope { return &Scope{Q: tx.Q, org: tx.org} }
