// Package risk scores the risk of vulnerabilities on medical devices in a way a clinician and an
// auditor can follow.
//
// # Formula (FormulaVersion "vigil-risk/1")
//
// A finding is one vulnerability on one asset. Its score, 0–100, is
//
//	risk           = 100 × exploitability × exposure × impact
//	exploitability = severity × threat
//	severity       = CVSS score / 10
//	threat         = floor + (1 − floor) × evidence
//	evidence       = max(KEV_CISA if listed, KEV_EU if listed, w_p × EPSS probability, w_pct × EPSS percentile)
//	exposure       = zone value × Π_kinds (1 − reduction_kind × credit)
//	impact         = 1 − (1 − criticality × safety) × (1 − patient data)
//
// Severity uses the newest-version valid CVSS vector (4.0 > 3.1 > 3.0 > 2.0), scored by
// github.com/pandatix/go-cvss with its temporal/threat metrics removed (EPSS and KEV carry the threat
// evidence, so exploit maturity is not counted twice) and with the hospital's answers to MITRE's
// medical-device CVSS rubric applied as modified (environmental) metrics; see RubricQuestions.
//
// Exposure starts from the zone's value on an ordered scale (internet-facing > remote access >
// enterprise LAN > clinical LAN > isolated VLAN > standalone). Each kind of compensating control
// removes a documented fraction of it: network access removed 80 %, segmentation 40 %, firewall
// rules 30 %, allow-listing 25 %, disabled services 20 %, monitoring 10 % (default weights). Only the
// strongest control of each kind counts. A control whose review is current counts in full; one whose
// review is overdue by up to 90 days, or that has no review date, counts half; one overdue longer
// counts for nothing. Controls therefore never raise a score.
//
// Impact combines the device's clinical criticality (life-sustaining > critical > important >
// supportive), the assessed patient-safety impact of this vulnerability (catastrophic … negligible)
// and the data-protection impact of the patient data it holds, as "either harm" (a probabilistic or).
//
// An asset's score combines its findings, highest first, as 100 × (1 − Π_k (1 − d^(k−1) × s_k/100));
// see AssetScore.
//
// All numbers live in Weights, which carry a Version; every score records FormulaVersion and the
// weights version, and its Factors explain each input in a sentence (FindingScore.Explain).
//
// Unrecorded inputs take the weights' "unknown" values, which by default are conservative: an
// unknown zone counts as the enterprise LAN, an unknown criticality as critical, an unknown safety
// impact in full.
package risk
