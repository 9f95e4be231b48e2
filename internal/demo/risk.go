package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/feeds/endoflife"
	"github.com/vigil-med/vigil/internal/procurement"
	"github.com/vigil-med/vigil/internal/risk"
	"github.com/vigil-med/vigil/internal/riskmgr"
	"github.com/vigil-med/vigil/internal/store"
)

// riskDemo gives the demo hospital a plausible legacy situation to plan with: compensating controls
// on the imaging and cardiology workstations still on Windows XP/7 (one review overdue), end-of-support
// records from the manufacturer, an MDS2 form and a contract, an old Java and OpenSSL inside two
// systems, a device that must stay and one that stays until the cath lab is rebuilt, two models that
// are replaced together, the hospital's own weights (two versions) and 90 days of snapshots for the
// trend charts.
func riskDemo(ctx context.Context, e *Env) error {
	org := e.Hospital
	ctx = e.Ctx(ctx, org)
	sc := e.Store.Scope(org.ID)
	assets, err := sc.RiskAssets(ctx)
	if err != nil {
		return err
	}
	products := map[string]int64{}
	byProduct := map[string][]domain.RiskAsset{}
	for _, a := range assets {
		products[a.Product] = a.ProductID
		byProduct[a.Product] = append(byProduct[a.Product], a)
	}
	pid := func(name string) (int64, error) {
		id, ok := products[name]
		if !ok {
			return 0, fmt.Errorf("demo product %q not found", name)
		}
		return id, nil
	}
	day := func(months int) *time.Time {
		t := time.Date(e.Now.Year(), e.Now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, months, 0)
		return &t
	}
	date := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }

	controls := []struct {
		product, kind, desc, owner string
		review                     *time.Time
		firstAssetOnly             bool
	}{
		{"Brilliance 64", domain.ControlSegmentation, "VLAN 231 (legacy imaging): only DICOM C-STORE to the PACS and the worklist allowed", "Radiology IT (PACS team)", day(5), false},
		{"Brilliance 64", domain.ControlFirewall, "Firewall rule set LEGACY-CT: no internet, no SMB, vendor remote access by ticket only", "Network team", day(5), false},
		{"LOGIQ 9", domain.ControlSegmentation, "Ultrasound VLAN 240, DICOM to PACS only", "Radiology IT (PACS team)", day(-3), false},
		{"Vivid 7", domain.ControlDisabledServices, "SMBv1, RDP and the web server switched off by the vendor service (2019)", "Medical Engineering", nil, false},
		{"Artis zee", domain.ControlAllowListing, "Application allow-listing (McAfee Embedded Control) installed by the manufacturer", "Cardiac Catheterisation Lab", day(8), false},
		{"Symbia.net SPECT Workplace", domain.ControlMonitoring, "Network monitoring with alerts on new connections (NDR sensor in the imaging core)", "IT Security", day(2), false},
		{"EchoPAC (Turnkey)", domain.ControlNetworkRemoved, "Network cable removed; studies moved by encrypted USB under the cardiology SOP", "Cardiology", day(1), true},
	}
	supports := []domain.RiskSupport{
		{Component: "Oracle Java SE 6", EndOfSupport: date("2013-04-16"), Source: domain.SupportEndOfLife, Reference: "bundled JRE 1.6.0_31 (SBOM of VA60A)"},
		{Component: "OpenSSL 1.0.2", EndOfSupport: date("2019-12-31"), Source: domain.SupportEndOfLife, Reference: "openssl 1.0.2k in the telemetry server"},
		{EndOfSupport: date("2018-12-31"), Source: domain.SupportMDS2, Reference: "MDS2 form GE Vivid 7 BT06, 2017 (DOC-7)"},
		{EndOfSupport: date("2022-12-31"), Source: domain.SupportContract, Reference: "service contract 2015-044 §7: security patches until end of 2022"},
	}
	supportProducts := []string{"Symbia.net SPECT Workplace", "ApexPro Telemetry Server", "Vivid 7", "Artis zee"}

	return sc.Write(ctx, func(tx *store.Tx) error {
		for _, c := range controls {
			id, err := pid(c.product)
			if err != nil {
				return err
			}
			rc := domain.RiskControl{ProductID: id, Kind: c.kind, Description: c.desc, Owner: c.owner, ReviewDue: c.review}
			if c.firstAssetOnly {
				rc.ProductID, rc.AssetID = 0, byProduct[c.product][0].ID
			}
			if err := tx.CreateRiskControl(ctx, &rc); err != nil {
				return fmt.Errorf("control %s: %w", c.product, err)
			}
		}
		for i, s := range supports {
			id, err := pid(supportProducts[i])
			if err != nil {
				return err
			}
			s.ProductID = id
			if err := tx.SaveRiskSupport(ctx, &s); err != nil {
				return err
			}
		}
		angio := byProduct["Artis zee"]
		bb := byProduct["Brilliance CT Big Bore"]
		if len(angio) == 0 || len(bb) == 0 {
			return fmt.Errorf("demo: Artis zee or Brilliance CT Big Bore missing")
		}
		until := time.Date(e.Now.Year()+1, 6, 30, 0, 0, 0, 0, time.UTC)
		if err := tx.SaveRiskKeep(ctx, &domain.RiskKeep{AssetID: angio[0].ID, Until: &until,
			Reason: "Only biplane system for paediatric cardiac interventions; it is replaced with the cath lab rebuild"}); err != nil {
			return err
		}
		if err := tx.SaveRiskKeep(ctx, &domain.RiskKeep{AssetID: bb[0].ID,
			Reason: "Commissioned CT of the radiotherapy planning chain; a replacement needs the whole chain re-commissioned (outside this plan)"}); err != nil {
			return err
		}
		vivid, _ := pid("Vivid 7")
		echopac, _ := pid("EchoPAC (Turnkey)")
		if err := tx.CreateRiskGroup(ctx, &domain.RiskGroup{Name: "Echocardiography: Vivid 7 with EchoPAC",
			Reason: "The EchoPAC review stations read only the Vivid 7 raw data format", ProductIDs: []int64{vivid, echopac}}); err != nil {
			return err
		}
		old := risk.DefaultWeights()
		old.Version = "nordstadt-2025.2"
		cur := risk.DefaultWeights()
		cur.Version = "nordstadt-2026.1"
		cur.PatientData[string(risk.PatientDataLimited)] = 0.25
		cur.Exposure[string(risk.ExposureRemote)] = 0.9
		for _, v := range []struct {
			w    risk.Weights
			note string
		}{{old, "Vigil defaults adopted by the information security board"}, {cur, "Remote access weighs more after the 2026 vendor-VPN incident; limited patient data 0.25 (DPO)"}} {
			data, _ := json.Marshal(v.w)
			if err := tx.SaveRiskWeights(ctx, &domain.RiskWeightsVersion{Version: v.w.Version, Note: v.note, Weights: data}); err != nil {
				return err
			}
		}
		return nil
	})
}

// riskSnapshotsDemo takes today's snapshot and writes the 89 days before it: the risk fell as the
// controls went in (a step down when the legacy CT was segmented six weeks ago) with small daily noise.
func riskSnapshotsDemo(ctx context.Context, e *Env) error {
	org := e.Hospital
	ctx = e.Ctx(ctx, org)
	svc := &riskmgr.Service{Store: e.Store, Findings: e.Store, Now: func() time.Time { return e.Now },
		EOL: func() *endoflife.Catalog { cat, _ := procurement.EmbeddedEOL(); return cat }}
	a, err := svc.Assess(ctx, org.ID)
	if err != nil {
		return err
	}
	var all []domain.RiskSnapshot
	for d := 89; d >= 0; d-- {
		dayTime := e.Now.AddDate(0, 0, -d)
		factor := 1 + 0.12*float64(d)/89
		if d > 42 {
			factor += 0.08
		}
		for _, s := range a.Snapshots(dayTime.Format(time.DateOnly)) {
			if d > 0 {
				noise := 1 + 0.015*math.Sin(float64(d)*1.7+float64(len(s.Name)))
				s.Risk = math.Round(s.Risk*factor*noise*10) / 10
				if d > 42 && s.Legacy > 0 {
					s.Legacy++
				}
				s.WeightsVersion = "nordstadt-2025.2"
			}
			all = append(all, s)
		}
	}
	return e.Store.Scope(org.ID).Write(ctx, func(tx *store.Tx) error { return tx.SaveRiskSnapshots(ctx, all) })
}
