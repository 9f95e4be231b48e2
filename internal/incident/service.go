package incident

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/regulation/deadline"
	"github.com/vigil-med/vigil/internal/store"
)

// The write flows. Each runs in one transaction: the change, its timeline entries and audit events and
// the recomputed clocks commit together or not at all.

// Create opens an incident with optional answers to the guided questions and computes its clocks.
func Create(ctx context.Context, sc *store.Scope, in *domain.Incident, answers map[string]string) error {
	return CreateWithDevices(ctx, sc, in, answers, nil)
}

// CreateWithDevices opens an incident linked to inventory devices (asset ids of the organisation), with
// optional answers, and computes its clocks, in one transaction. The devices' defaults (DeviceAnswers)
// apply to the questions not answered.
func CreateWithDevices(ctx context.Context, sc *store.Scope, in *domain.Incident, answers map[string]string, assetIDs []int64) error {
	if err := validateAnswers(answers); err != nil {
		return err
	}
	return sc.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateIncident(ctx, in); err != nil {
			return err
		}
		if len(assetIDs) > 0 {
			if _, err := tx.SetIncidentAssets(ctx, in.ID, assetIDs); err != nil {
				return err
			}
		}
		for _, q := range sortedKeys(answers) {
			if _, err := tx.SetIncidentAnswer(ctx, in.ID, q, answers[q], ""); err != nil {
				return err
			}
		}
		return Recompute(ctx, tx, in.ID, "incident opened")
	})
}

// Update changes the facts of an incident and recomputes the clocks (the awareness or fix-available
// time may have moved).
func Update(ctx context.Context, sc *store.Scope, in domain.Incident) error {
	return UpdateWithDevices(ctx, sc, in, nil)
}

// UpdateWithDevices changes the facts of an incident and, when assetIDs is not nil, replaces its linked
// devices, then recomputes the clocks, in one transaction.
func UpdateWithDevices(ctx context.Context, sc *store.Scope, in domain.Incident, assetIDs []int64) error {
	return sc.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateIncident(ctx, in); err != nil {
			return err
		}
		if assetIDs != nil {
			if _, err := tx.SetIncidentAssets(ctx, in.ID, assetIDs); err != nil {
				return err
			}
		}
		return Recompute(ctx, tx, in.ID, "incident facts changed")
	})
}

// SetDevices replaces the inventory devices linked to an incident and recomputes the clocks when the
// links changed (the devices' default answers may differ). It reports whether they changed.
func SetDevices(ctx context.Context, sc *store.Scope, id int64, assetIDs []int64) (bool, error) {
	changed := false
	err := sc.Write(ctx, func(tx *store.Tx) error {
		var err error
		if changed, err = tx.SetIncidentAssets(ctx, id, assetIDs); err != nil || !changed {
			return err
		}
		return Recompute(ctx, tx, id, "affected devices changed")
	})
	return changed, err
}

// SetStatus moves an incident to another status with an optional note.
func SetStatus(ctx context.Context, sc *store.Scope, id int64, status domain.IncidentStatus, note string) error {
	return sc.Write(ctx, func(tx *store.Tx) error { return tx.SetIncidentStatus(ctx, id, status, note) })
}

// SetAnswers records the answers that differ from the current ones (each with who and when, shown on the
// timeline) and recomputes the clocks. It returns how many answers changed.
func SetAnswers(ctx context.Context, sc *store.Scope, id int64, answers map[string]string, note string) (int, error) {
	if err := validateAnswers(answers); err != nil {
		return 0, err
	}
	n := 0
	err := sc.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Incident(ctx, id); err != nil {
			return err
		}
		for _, q := range sortedKeys(answers) {
			changed, err := tx.SetIncidentAnswer(ctx, id, q, answers[q], note)
			if err != nil {
				return err
			}
			if changed {
				n++
			}
		}
		if n == 0 {
			return nil
		}
		return Recompute(ctx, tx, id, fmt.Sprintf("%d answer(s) changed", n))
	})
	return n, err
}

// RecordSubmission records a submission (closing its deadline) and recomputes the clocks: the
// notification's submission starts the final report's period.
func RecordSubmission(ctx context.Context, sc *store.Scope, s *domain.IncidentSubmission) error {
	return sc.Write(ctx, func(tx *store.Tx) error {
		if err := tx.AddIncidentSubmission(ctx, s); err != nil {
			return err
		}
		return Recompute(ctx, tx, s.IncidentID, "submission of "+s.DeadlineID+" recorded")
	})
}

func validateAnswers(answers map[string]string) error {
	var errs []error
	for _, q := range sortedKeys(answers) {
		if err := ValidateAnswer(q, answers[q]); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 1 {
		return errs[0]
	}
	if len(errs) > 1 {
		return &domain.Error{Code: domain.EInvalid, Field: domain.ErrorField(errs[0]), Message: domain.ErrorMessage(errors.Join(errs...))}
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Record is an incident with everything shown about it: answers (effective and their history), the
// regime decisions, deadlines, submissions, timeline, actions, decisions taken, attachments, report
// versions, review, participants and the organisation's contacts for report drafts.
type Record struct {
	Incident      domain.Incident         `json:"incident"`
	Org           domain.Organisation     `json:"-"`
	Answers       deadline.Answers        `json:"answers"`
	AnswerSources map[string]string       `json:"answer_sources"`
	AnswerHistory []domain.IncidentAnswer `json:"answer_history"`
	// Assets are the inventory devices linked to the incident, most critical first.
	Assets        []domain.IncidentAsset      `json:"assets"`
	Applicability []deadline.Decision         `json:"applicability"`
	Deadlines     []domain.IncidentDeadline   `json:"deadlines"`
	Submissions   []domain.IncidentSubmission `json:"submissions"`
	Timeline      []domain.IncidentEvent      `json:"timeline"`
	Actions       []domain.IncidentAction     `json:"actions"`
	Decisions     []domain.IncidentDecision   `json:"decisions"`
	Attachments   []domain.IncidentAttachment `json:"attachments"`
	Reports       []domain.IncidentReport     `json:"reports"`
	Review        *domain.IncidentReview      `json:"review,omitempty"`
	Participants  []int64                     `json:"participants,omitempty"`
	// Contacts for report drafts: the first security officer and data-protection officer.
	SecurityContact string `json:"-"`
	DPOContact      string `json:"-"`
}

// Load reads an incident record (ENotFound for another organisation's id).
func Load(ctx context.Context, sc *store.Scope, id int64) (*Record, error) {
	in, err := sc.Incident(ctx, id)
	if err != nil {
		return nil, err
	}
	r := &Record{Incident: in}
	if r.Org, err = sc.Organisation(ctx); err != nil {
		return nil, err
	}
	if r.AnswerHistory, err = sc.IncidentAnswers(ctx, id); err != nil {
		return nil, err
	}
	if r.Assets, err = sc.IncidentAssets(ctx, id); err != nil {
		return nil, err
	}
	r.Answers, r.AnswerSources = EffectiveAnswers(r.Org, r.AnswerHistory, r.Assets)
	r.Applicability = deadline.DecideAt(r.Answers, in.AwareAt)
	steps := []func() error{
		func() (err error) { r.Deadlines, err = sc.IncidentDeadlines(ctx, id); return },
		func() (err error) { r.Submissions, err = sc.IncidentSubmissions(ctx, id); return },
		func() (err error) { r.Timeline, err = sc.IncidentEvents(ctx, id); return },
		func() (err error) { r.Actions, err = sc.IncidentActions(ctx, id); return },
		func() (err error) { r.Decisions, err = sc.IncidentDecisions(ctx, id); return },
		func() (err error) { r.Attachments, err = sc.IncidentAttachments(ctx, id); return },
		func() (err error) { r.Reports, err = sc.IncidentReports(ctx, id); return },
		func() (err error) { r.Participants, err = sc.IncidentParticipants(ctx, id); return },
		func() error {
			rv, err := sc.IncidentReview(ctx, id)
			if domain.ErrorCode(err) == domain.ENotFound {
				return nil
			}
			r.Review = &rv
			return err
		},
		func() error {
			for role, dst := range map[domain.Role]*string{domain.RoleSecurityOfficer: &r.SecurityContact, domain.RoleDPO: &r.DPOContact} {
				us, err := sc.UsersWithRoles(ctx, role)
				if err != nil {
					return err
				}
				if len(us) > 0 {
					*dst = us[0].Name + " <" + us[0].Email + ">"
				}
			}
			return nil
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Active returns the deadlines that currently apply.
func (r *Record) Active() []domain.IncidentDeadline {
	var out []domain.IncidentDeadline
	for _, d := range r.Deadlines {
		if d.Active {
			out = append(out, d)
		}
	}
	return out
}

// Clock is the incident's clock.
func (r *Record) Clock() Clock { return ClockOf(r.Incident) }

// MaxAttachmentBytes bounds one uploaded file.
const MaxAttachmentBytes = 20 << 20

// ReadAttachment reads an upload of at most MaxAttachmentBytes, refusing larger ones with ETooLarge and
// empty ones with EInvalid.
func ReadAttachment(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxAttachmentBytes+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &domain.Error{Code: domain.ETooLarge, Field: "file", Message: fmt.Sprintf("is larger than the upload limit (%d bytes)", mbe.Limit)}
		}
		return nil, fmt.Errorf("read upload: %w", err)
	}
	if len(b) > MaxAttachmentBytes {
		return nil, &domain.Error{Code: domain.ETooLarge, Field: "file", Message: fmt.Sprintf("is larger than %d MiB", MaxAttachmentBytes>>20)}
	}
	if len(b) == 0 {
		return nil, domain.Invalid("file", "is empty")
	}
	return b, nil
}

// AddAttachment stores an uploaded file (evidence or context) with its SHA-256.
func AddAttachment(ctx context.Context, sc *store.Scope, a *domain.IncidentAttachment, content []byte) error {
	return sc.Write(ctx, func(tx *store.Tx) error { return tx.AddIncidentAttachment(ctx, a, content) })
}
