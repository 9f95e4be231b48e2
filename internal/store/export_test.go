package store

import "context"

// MigrateTo applies the migrations up to version upTo only (tests of a migration).
func (s *Store) MigrateTo(ctx context.Context, upTo int) ([]Migration, error) {
	return s.migrate(ctx, upTo)
}
