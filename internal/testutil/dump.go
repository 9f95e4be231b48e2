package testutil

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/store"
)

// Tables lists the store's tables (without schema_migrations), sorted.
func Tables(tb testing.TB, st *store.Store) []string {
	tb.Helper()
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	if st.Engine() == "postgres" {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
	}
	rows, err := st.Read().Query(context.Background(), q)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			tb.Fatal(err)
		}
		if n != "schema_migrations" {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// DumpTables returns every row of every table as text, comparable across engines: times in UTC
// RFC 3339, booleans as 0/1, columns named. Rows are sorted, so the order of insertion does not matter.
func DumpTables(tb testing.TB, st *store.Store) map[string][]string {
	tb.Helper()
	out := map[string][]string{}
	for _, t := range Tables(tb, st) {
		rows, err := st.Read().Query(context.Background(), `SELECT * FROM "`+t+`"`)
		if err != nil {
			tb.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		lines := []string{}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			parts := make([]string, len(cols))
			for i, v := range vals {
				var s string
				switch x := v.(type) {
				case nil:
					s = "NULL"
				case time.Time:
					s = x.UTC().Format(time.RFC3339Nano)
				case bool:
					s = map[bool]string{true: "1", false: "0"}[x]
				case []byte:
					s = string(x)
				default:
					s = fmt.Sprint(x)
				}
				parts[i] = cols[i] + "=" + s
			}
			lines = append(lines, strings.Join(parts, " | "))
		}
		if err := rows.Err(); err != nil {
			tb.Fatal(err)
		}
		rows.Close()
		sort.Strings(lines)
		out[t] = lines
	}
	return out
}
