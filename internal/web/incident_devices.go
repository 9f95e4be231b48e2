package web

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// The device picker of the incident forms: linked inventory devices as checkboxes, a search that adds
// more (htmx, GET /incidents/device-search) and, without JavaScript, a box for asset tags or host names.

// incidentDeviceOption is one device of the picker.
type incidentDeviceOption struct {
	ID          int64
	Name        string // asset tag, else serial
	What        string // manufacturer, product, version
	Hostname    string
	Criticality domain.Criticality
	Zone        string
	Department  string
	Checked     bool
}

func deviceOptionOfLink(a domain.IncidentAsset) incidentDeviceOption {
	return incidentDeviceOption{ID: a.AssetID, Name: a.Name(), What: strings.TrimSpace(a.Manufacturer + " " + a.Product + " " + a.Version),
		Hostname: a.Hostname, Criticality: a.Criticality, Zone: a.Zone, Department: a.Department, Checked: true}
}

func deviceOptionOfAsset(a domain.Asset) incidentDeviceOption {
	o := incidentDeviceOption{ID: a.ID, Name: a.Name(), Hostname: a.Hostname, Criticality: a.Criticality}
	if a.Ref != nil {
		o.What = strings.TrimSpace(a.Ref.Manufacturer + " " + a.Ref.Product + " " + a.Ref.Version)
		o.Zone, o.Department = a.Ref.Zone, a.Ref.Department
	}
	return o
}

// incidentPickerView is the picker's state in a form.
type incidentPickerView struct {
	Devices    []incidentDeviceOption // linked (checked) devices
	AddDevices string                 // the no-JavaScript box, as typed
}

// formDevices reads the picker of a submitted form: the ticked devices (asset_id) and the asset tags or
// host names typed into add_devices, each resolved in the organisation's inventory. It returns the ids
// (never nil) and the picker's state for showing the form again; an unknown tag or host name is an
// error on add_devices naming it.
func formDevices(ctx context.Context, c *Ctx) ([]int64, incidentPickerView, error) {
	v := incidentPickerView{AddDevices: c.Form("add_devices")}
	ids := []int64{}
	seen := map[int64]bool{}
	add := func(a domain.Asset) {
		if seen[a.ID] {
			return
		}
		seen[a.ID] = true
		ids = append(ids, a.ID)
		o := deviceOptionOfAsset(a)
		o.Checked = true
		v.Devices = append(v.Devices, o)
	}
	for _, s := range c.R.PostForm["asset_id"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return ids, v, domain.Invalid("add_devices", "unknown device %q", s)
		}
		a, err := c.Scope.Asset(ctx, id)
		if domain.ErrorCode(err) == domain.ENotFound {
			return ids, v, domain.Invalid("add_devices", "there is no device with id %d", id)
		}
		if err != nil {
			return ids, v, err
		}
		add(a)
	}
	var unknown []string
	for _, ref := range c.formLines("add_devices") {
		a, err := c.Scope.FindAsset(ctx, ref)
		switch code := domain.ErrorCode(err); {
		case err == nil:
			add(a)
		case code == domain.ENotFound:
			unknown = append(unknown, ref)
		case code == domain.EConflict:
			return ids, v, domain.Invalid("add_devices", "%s", domain.ErrorMessage(err))
		default:
			return ids, v, err
		}
	}
	if len(unknown) > 0 {
		return ids, v, domain.Invalid("add_devices", "no device with the asset tag or host name %s in the inventory; "+
			"name systems that are not in the inventory under other affected systems", strings.Join(unknown, ", "))
	}
	v.AddDevices = ""
	return ids, v, nil
}

// linkedDevices is the picker's state from an incident's stored links.
func linkedDevices(links []domain.IncidentAsset) incidentPickerView {
	v := incidentPickerView{}
	for _, l := range links {
		v.Devices = append(v.Devices, deviceOptionOfLink(l))
	}
	return v
}

type incidentDeviceSearchView struct {
	Q       string
	Results []incidentDeviceOption
	More    bool
}

// incidentDeviceSearch lists devices matching q (tag, serial, host name, address, product …) for the
// picker; htmx asks for the fragment, a browser without JavaScript gets a page.
func (s *Server) incidentDeviceSearch(c *Ctx) error {
	q := strings.TrimSpace(c.R.URL.Query().Get("q"))
	v := incidentDeviceSearchView{Q: q}
	if q != "" {
		page, err := c.Scope.Assets(c.R.Context(), domain.AssetFilter{ListParams: domain.ListParams{Q: q, Limit: 12, Sort: "tag"}, Today: c.today()})
		if err != nil {
			var de *domain.Error
			if errors.As(err, &de) {
				return c.Render("incidents/device_search", "Find devices", v)
			}
			return err
		}
		for _, a := range page.Items {
			v.Results = append(v.Results, deviceOptionOfAsset(a))
		}
		v.More = page.Total > len(page.Items)
	}
	return c.Render("incidents/device_search", "Find devices", v)
}

// patientCriticalNames names the linked devices whose criticality is life-sustaining or critical.
func patientCriticalNames(links []domain.IncidentAsset) []string {
	var out []string
	for _, l := range links {
		if l.PatientCritical() {
			out = append(out, l.Name()+" ("+l.Criticality.Label()+")")
		}
	}
	return out
}
