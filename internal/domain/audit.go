package domain

import (
	"encoding/json"
	"time"
)

// AuditEvent is one entry of the append-only, hash-chained audit log of an organisation.
type AuditEvent struct {
	ID        int64           `json:"id"`
	OrgID     int64           `json:"org_id"`
	Seq       int64           `json:"seq"` // position in the organisation's chain, from 1
	Time      time.Time       `json:"time"`
	ActorKind ActorKind       `json:"actor_kind"`
	ActorID   int64           `json:"actor_id"`
	ActorName string          `json:"actor_name"`
	IP        string          `json:"ip"`
	RequestID string          `json:"request_id"`
	Action    string          `json:"action"` // e.g. "user.create", "asset.update"
	Entity    string          `json:"entity"` // e.g. "user", "asset"
	EntityID  string          `json:"entity_id"`
	Summary   string          `json:"summary"`
	Data      json.RawMessage `json:"data,omitempty"` // what changed
	PrevHash  string          `json:"prev_hash"`
	Hash      string          `json:"hash"`
}

// AuditFilter selects audit events.
type AuditFilter struct {
	ListParams
	Action string
	Entity string
	Actor  string
	Since  time.Time
	Until  time.Time
}
