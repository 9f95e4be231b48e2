package domain

// ListParams are the paging, sorting and search parameters every list accepts.
type ListParams struct {
	Limit  int    // page size; 0 means the default
	Offset int    // rows to skip
	Sort   string // a column name the list allows; "-" prefix for descending
	Q      string // free-text search
}

// Defaults of ListParams.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// Normalize clamps the limit and offset to allowed values.
func (p ListParams) Normalize() ListParams {
	if p.Limit <= 0 {
		p.Limit = DefaultPageSize
	}
	if p.Limit > MaxPageSize {
		p.Limit = MaxPageSize
	}
	if p.Offset < 0 {
		p.Offset = 0
	}
	return p
}

// Page is one page of a list.
type Page[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}
