package fleet

import (
	"context"
	"io"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vex"
)

// VEX export formats.
const (
	VEXOpenVEX   = "openvex"
	VEXCycloneDX = "cyclonedx"
)

// HospitalStatements returns the hospital's own VEX statements (triage decisions and statements made
// by hand) as VEX statements about its product versions: the product is "manufacturer product" at
// the version (with the SBOM subject's package URL or CPE when known), the component as the finding
// names it.
func (s *Service) HospitalStatements(ctx context.Context, org int64) ([]vex.Statement, error) {
	sc := s.Store.Scope(org)
	xs, err := sc.FleetVEX(ctx, nil)
	if err != nil {
		return nil, err
	}
	subjects, err := sc.SBOMSubjects(ctx)
	if err != nil {
		return nil, err
	}
	var out []vex.Statement
	for _, x := range xs {
		if x.SourceKind != domain.VEXHospital {
			continue
		}
		st := vex.Statement{Vulnerability: x.Vulnerability, Aliases: x.Aliases, Status: vex.Status(x.Status),
			Justification: vex.Justification(x.Justification), ImpactStatement: x.Impact, ActionStatement: x.Action, Timestamp: x.Stated,
			Source: x.Source, SourceFormat: x.SourceFormat,
			Product: vex.Product{Name: x.Manufacturer + " " + x.Product, Version: x.Version}}
		if sb, ok := subjects[x.ProductVersionID]; ok {
			st.Product.PURL, st.Product.CPE = sb.SubjectPURL, sb.SubjectCPE
		}
		if x.ComponentName != "" || x.ComponentPURL != "" {
			st.Component = &vex.Product{Name: x.ComponentName, Version: x.ComponentVersion, PURL: x.ComponentPURL}
		}
		if st.Status == vex.NotAffected && st.Justification == "" && st.ImpactStatement == "" {
			st.ImpactStatement = "Assessed by the hospital."
		}
		out = append(out, st)
	}
	return out, nil
}

// ExportVEX writes the hospital's statements as one OpenVEX or CycloneDX VEX document.
func (s *Service) ExportVEX(ctx context.Context, org int64, format, author string, w io.Writer) error {
	if format != VEXOpenVEX && format != VEXCycloneDX {
		return domain.Invalid("format", "must be openvex or cyclonedx")
	}
	stmts, err := s.HospitalStatements(ctx, org)
	if err != nil {
		return err
	}
	now := time.Now()
	if format == VEXOpenVEX {
		return vex.EncodeOpenVEX(w, stmts, author, now)
	}
	return vex.EncodeCycloneDX(w, stmts, now)
}
