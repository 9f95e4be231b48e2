package store

import "context"

// MigrateTo applies the migrations up to version upTo only (tests of a migration).
func (s *Store) MigrateTo(ctx context.Context, upTo int) ([]Migration, error) {
	return s.migrate(ctx, upTo)
}

// SetMaxSearchNames sets how many candidate names a fleet search by text takes from its keys (the
// rest reads every component); restore puts the limit back.
func SetMaxSearchNames(n int) (restore func()) {
	old := maxSearchNames
	maxSearchNames = n
	return func() { maxSearchNames = old }
}
