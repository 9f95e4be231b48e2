package exchange

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Ask records a question to a manufacturer.
func Ask(ctx context.Context, sc *store.Scope, q *domain.Question) error {
	return sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateQuestion(ctx, q) })
}

// AnswerInput records a manufacturer's answer.
type AnswerInput struct {
	Answer        string     `json:"answer"`
	Status        string     `json:"status,omitempty" doc:"what the answer states: not_affected, affected, fixed or under_investigation"`
	Justification string     `json:"justification,omitempty" doc:"for not_affected: component_not_present, vulnerable_code_not_present, …"`
	AnsweredAt    *time.Time `json:"answered_at,omitempty" doc:"when the manufacturer answered (default: now)"`
	MakeVEX       bool       `json:"make_vex,omitempty" doc:"record the answer as a VEX statement on the question's product version"`
}

// Answer records the answer to a question; with MakeVEX the answer becomes a VEX statement (source: the
// manufacturer's answer) on the question's product version, in the same transaction.
func Answer(ctx context.Context, sc *store.Scope, id int64, in AnswerInput, now time.Time) (domain.Question, error) {
	q, err := sc.Question(ctx, id)
	if err != nil {
		return q, err
	}
	at := now
	if in.AnsweredAt != nil {
		at = *in.AnsweredAt
	}
	if in.Status != "" && in.Status != "not_affected" && in.Status != "affected" && in.Status != "fixed" && in.Status != "under_investigation" {
		return q, domain.Invalid("status", "unknown status %q (allowed: not_affected, affected, fixed, under_investigation)", in.Status)
	}
	if in.MakeVEX {
		switch {
		case q.ProductVersionID == 0:
			return q, domain.Invalid("make_vex", "the question names no product version: a VEX statement needs one")
		case q.Vulnerability == "":
			return q, domain.Invalid("make_vex", "the question names no vulnerability: a VEX statement needs one")
		case in.Status == "":
			return q, domain.Invalid("status", "say what the answer states (not_affected, affected, fixed, under_investigation) to make a VEX statement")
		}
	}
	err = sc.Write(ctx, func(tx *store.Tx) error {
		var vexID int64
		if in.MakeVEX {
			st := domain.VEXStatement{SourceKind: domain.VEXManufacturer, SourceFormat: "manual",
				Source:        fmt.Sprintf("%s, answer of %s to question %d", q.Manufacturer, at.UTC().Format("2006-01-02"), q.ID),
				Vulnerability: q.Vulnerability, ProductVersionID: q.ProductVersionID, Status: in.Status, Justification: in.Justification, Stated: at}
			if in.Status == "not_affected" {
				st.Impact = in.Answer
			} else {
				st.Action = in.Answer
			}
			if err := tx.AddVEXStatement(ctx, &st); err != nil {
				return err
			}
			vexID = st.ID
		}
		return tx.AnswerQuestion(ctx, id, in.Answer, in.Status, in.Justification, at, vexID)
	})
	if err != nil {
		return q, err
	}
	return sc.Question(ctx, id)
}

// ResolveVersion finds a product version of the organisation by "Product@version" (the product's name
// or model number, case-insensitive) or by its numeric id.
func ResolveVersion(ctx context.Context, sc *store.Scope, ref string) (int64, error) {
	var id int64
	if _, err := fmt.Sscanf(ref, "%d", &id); err == nil && fmt.Sprint(id) == ref {
		if _, err := sc.ProductVersion(ctx, id); err != nil {
			return 0, err
		}
		return id, nil
	}
	name, version, ok := strings.Cut(ref, "@")
	if !ok || strings.TrimSpace(name) == "" {
		return 0, domain.Invalid("version", "%q: write PRODUCT@VERSION (e.g. \"VitaFlow 300@3.2.0\") or a version id", ref)
	}
	name, version = strings.TrimSpace(name), strings.TrimSpace(version)
	ps, err := sc.Products(ctx, domain.ProductFilter{ListParams: domain.ListParams{Q: name, Limit: domain.MaxPageSize}})
	if err != nil {
		return 0, err
	}
	for _, p := range ps.Items {
		if !strings.EqualFold(p.Name, name) && !strings.EqualFold(p.ModelNumber, name) {
			continue
		}
		vs, err := sc.ProductVersions(ctx, p.ID)
		if err != nil {
			return 0, err
		}
		for _, v := range vs {
			if v.Version == version {
				return v.ID, nil
			}
		}
		return 0, domain.Invalid("version", "%s has no version %q", p.Name, version)
	}
	return 0, domain.Invalid("version", "no product named %q", name)
}
