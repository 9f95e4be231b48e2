package inventory

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/tabular"
)

// Record is one row of the file as typed values. Empty values mean "not given": an import never clears
// a field of an existing device.
type Record struct {
	Row             int
	AssetTag        string
	Serial          string
	Manufacturer    string
	Product         string
	ModelNumber     string
	Version         string
	OperatingSystem string
	Category        string // a category id
	DeviceClass     domain.DeviceClass
	MedicalDevice   *bool
	UDIDI           string
	Site            string
	Building        string
	Floor           string
	Room            string
	Location        string
	Department      string
	DepartmentCode  string
	Zone            string
	IP              string
	MAC             string
	Hostname        string
	Owner           string
	Criticality     domain.Criticality
	PatientData     *bool
	PurchaseDate    domain.Date
	ReplacementCost domain.Money
	Status          domain.AssetStatus
	Notes           string
}

// Problem is a rejected row or a warning: where (row, and the column's header and letter, e.g.
// "IP-Adresse (K)") and why. It is the shared rejection of table imports (internal/tabular) with the
// inventory's fields and wording.
type Problem struct {
	tabular.Rejection[Field]
}

func problem(row int, column string, col int, f Field, value, msg string) Problem {
	return Problem{tabular.Rejection[Field]{Row: row, Column: column, Col: col, Field: f, Value: value, Message: msg}}
}

// String is "row 17, column IP (C): 10.0.300.1 is not an IP address".
func (p Problem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("row %d: %s", p.Row, p.Message)
	}
	return fmt.Sprintf("row %d, column %s: %s", p.Row, p.Column, p.Message)
}

// columnsByField indexes the used columns by their field.
func columnsByField(cols []Column) map[Field]Column {
	m := map[Field]Column{}
	for _, c := range cols {
		if c.Field != "" {
			m[c.Field] = c
		}
	}
	return m
}

// maxText are the lengths of the text fields (as the domain allows them).
var maxText = map[Field]int{FAssetTag: 64, FSerial: 64, FManufacturer: 200, FProduct: 200, FModelNumber: 100, FVersion: 100,
	FOperatingSystem: 200, FSite: 200, FBuilding: 100, FFloor: 100, FRoom: 100, FLocation: 200, FDepartment: 200, FDepartmentCode: 40,
	FZone: 200, FOwner: 200, FNotes: 4000}

// parseRows turns the rows below the header into records. A row with any cell that cannot be read is
// rejected as a whole, with every such cell named; rows whose used cells are all empty are skipped.
func parseRows(t *Table, header int, cols []Column) (recs []Record, rejected, warnings []Problem) {
	byField := columnsByField(cols)
	for i := header + 1; i < len(t.Rows); i++ {
		row, cells := t.RowNumbers[i], t.Rows[i]
		r := Record{Row: row}
		var probs []Problem
		empty := true
		for f, c := range byField {
			if c.Index >= len(cells) || cells[c.Index] == "" {
				continue
			}
			v := cells[c.Index]
			empty = false
			bad := func(err error) {
				probs = append(probs, problem(row, c.Name(), c.Index+1, f, v, err.Error()))
			}
			if n, ok := maxText[f]; ok {
				if f != FNotes {
					v = strings.Join(strings.Fields(v), " ")
				}
				if len(v) > n {
					bad(fmt.Errorf("is longer than %d characters", n))
					continue
				}
			}
			var err error
			switch f {
			case FAssetTag:
				r.AssetTag = v
			case FSerial:
				r.Serial = v
			case FManufacturer:
				r.Manufacturer = v
			case FProduct:
				r.Product = v
			case FModelNumber:
				r.ModelNumber = v
			case FVersion:
				r.Version = v
			case FOperatingSystem:
				r.OperatingSystem = v
			case FCategory:
				if cat, ok := domain.FindCategory(v); ok {
					r.Category = cat.ID
				} else {
					r.Category = "other"
					warnings = append(warnings, problem(row, c.Name(), c.Index+1, f, v, v+" is not a known device category; taken as Other"))
				}
			case FDeviceClass:
				r.DeviceClass, err = domain.ParseDeviceClass(v)
				if err != nil {
					err = fmt.Errorf("%s is not an MDR/IVDR class (I, Is, Im, Ir, IIa, IIb, III; IVDR A–D)", v)
				}
			case FMedicalDevice:
				r.MedicalDevice, err = ParseBool(v)
			case FUDIDI:
				v = strings.ToUpper(v)
				if err = domain.ValidUDIDI(v); err != nil {
					err = errors.New(message(err))
				}
				r.UDIDI = v
			case FSite:
				r.Site = v
			case FBuilding:
				r.Building = v
			case FFloor:
				r.Floor = v
			case FRoom:
				r.Room = v
			case FLocation:
				r.Location = v
			case FDepartment:
				r.Department = v
			case FDepartmentCode:
				r.DepartmentCode = v
			case FZone:
				r.Zone = v
			case FIP:
				r.IP, err = domain.NormalizeIP(v)
			case FMAC:
				r.MAC, err = domain.NormalizeMAC(v)
			case FHostname:
				r.Hostname, err = v, domain.ValidHostname(v)
			case FOwner:
				r.Owner = v
			case FCriticality:
				r.Criticality, err = ParseCriticality(v)
			case FPatientData:
				r.PatientData, err = ParseBool(v)
			case FPurchaseDate:
				r.PurchaseDate, err = ParseDate(v)
			case FReplacementCost:
				r.ReplacementCost, err = ParseAmount(v)
			case FStatus:
				r.Status, err = ParseStatus(v)
			case FNotes:
				r.Notes = v
			}
			if err != nil {
				bad(err)
			}
		}
		if empty {
			continue
		}
		if len(probs) > 0 {
			sortProblems(probs)
			rejected = append(rejected, probs...)
			recs = append(recs, Record{Row: -row}) // keeps the row counted; negative = rejected while reading
			continue
		}
		recs = append(recs, r)
	}
	return recs, rejected, warnings
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Row != ps[j].Row {
			return ps[i].Row < ps[j].Row
		}
		return ps[i].Col < ps[j].Col
	})
}

// message is an error's text without the field name the domain puts in front.
func message(err error) string {
	var de *domain.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return err.Error()
}
