package store

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Helpers shared by the inventory's store code.

// nullID stores 0 as NULL (an optional reference).
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// dateArg stores the zero Date as NULL.
func dateArg(d domain.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.Time()
}

// dateOf turns a scanned nullable timestamp into a Date.
func dateOf(t *time.Time) domain.Date {
	if t == nil {
		return domain.Date{}
	}
	return domain.DateOf(t.UTC())
}

// likeArg turns user text into a LIKE pattern that matches it anywhere, with % and _ taken literally
// (the queries say ESCAPE '\').
func likeArg(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// searchTerms splits a free-text search into at most five lower-case terms.
func searchTerms(q string) []string {
	f := strings.Fields(strings.ToLower(q))
	if len(f) > 5 {
		f = f[:5]
	}
	return f
}

// changes lists the JSON fields that differ between two values of the same type, as
// {"field": [before, after]}, for audit events of updates. Read-only context fields are skipped.
func changes(before, after any) map[string][2]any {
	var b, a map[string]any
	bb, _ := json.Marshal(before)
	ab, _ := json.Marshal(after)
	_ = json.Unmarshal(bb, &b)
	_ = json.Unmarshal(ab, &a)
	out := map[string][2]any{}
	for _, skip := range []string{"id", "org_id", "created", "updated", "ref", "assets", "installed", "products", "versions", "site", "manufacturer", "product"} {
		delete(a, skip)
		delete(b, skip)
	}
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	for k := range keys {
		if !reflect.DeepEqual(a[k], b[k]) {
			out[k] = [2]any{b[k], a[k]}
		}
	}
	return out
}

// changedFields names the fields of a change set in order, for audit summaries.
func changedFields(c map[string][2]any) string {
	var ks []string
	for k := range c {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

// exists reports whether the table has a row with the id in the organisation.
func (q Q) exists(ctx context.Context, table string, org, id int64) (bool, error) {
	n, err := q.Count(ctx, "SELECT COUNT(*) FROM "+table+" WHERE org_id = ? AND id = ?", org, id)
	return n > 0, err
}

// refCheck returns an EInvalid error for the field when id is set but not a row of the organisation.
func (q Q) refCheck(ctx context.Context, org int64, field, table, what string, id int64) error {
	if id == 0 {
		return nil
	}
	ok, err := q.exists(ctx, table, org, id)
	if err != nil {
		return err
	}
	if !ok {
		return domain.Invalid(field, "there is no %s with id %d", what, id)
	}
	return nil
}

// inUse returns an EConflict error when rows of other tables still refer to the record.
func (q Q) inUse(ctx context.Context, what string, checks ...useCheck) error {
	var parts []string
	for _, c := range checks {
		n, err := q.Count(ctx, c.query, c.args...)
		if err != nil {
			return err
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, c.noun))
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return domain.Errorf(domain.EConflict, "%s is still used by %s; move or remove those first", what, strings.Join(parts, " and "))
}

type useCheck struct {
	noun  string
	query string
	args  []any
}

// uniqueName turns a unique-key conflict into an EInvalid error on the name field.
func uniqueName(err error, format string, args ...any) error {
	if domain.ErrorCode(err) == domain.EConflict {
		return domain.Invalid("name", format, args...)
	}
	return err
}

// affected returns ENotFound when an UPDATE or DELETE touched no row.
func affected(res interface{ RowsAffected() (int64, error) }, what string) error {
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound(what)
	}
	return nil
}
