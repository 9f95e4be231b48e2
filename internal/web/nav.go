package web

import (
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/httpx"
)

// NavSection is a group of navigation links.
type NavSection struct {
	Label string
	Items []NavItem
}

// NavItem is one link; it is shown only to roles holding Perm.
type NavItem struct {
	Label string
	Path  string
	Perm  domain.Permission
	// OrgTypes limits the item to some organisation types (empty: all).
	OrgTypes []domain.OrgType
}

// navigation lists every page reachable from the menu. A module adds its items when its pages exist, so
// the menu never has dead links (a test follows every item).
func navigation() []NavSection {
	return []NavSection{
		{Label: "Overview", Items: []NavItem{
			{Label: "Dashboard", Path: "/dashboard", Perm: domain.PermRead},
		}},
		{Label: "Inventory", Items: []NavItem{
			{Label: "Devices", Path: "/inventory/assets", Perm: domain.PermRead},
			{Label: "Products", Path: "/inventory/products", Perm: domain.PermRead},
			{Label: "Manufacturers", Path: "/inventory/manufacturers", Perm: domain.PermRead},
			{Label: "Sites and locations", Path: "/inventory/sites", Perm: domain.PermRead},
			{Label: "Departments", Path: "/inventory/departments", Perm: domain.PermRead},
			{Label: "Network zones", Path: "/inventory/zones", Perm: domain.PermRead},
			{Label: "Import", Path: "/import/inventory", Perm: domain.PermInventory},
		}},
		{Label: "Disclosures", Items: []NavItem{
			{Label: "Overview", Path: "/disclosures/overview", Perm: domain.PermRead},
			{Label: "Where is this component?", Path: "/disclosures/components", Perm: domain.PermRead},
			{Label: "SBOMs", Path: "/disclosures/sboms", Perm: domain.PermRead},
			{Label: "MDS2 forms", Path: "/disclosures/mds2", Perm: domain.PermRead},
			{Label: "Advisories", Path: "/disclosures/advisories", Perm: domain.PermRead},
			{Label: "Mapping queue", Path: "/disclosures/mapping", Perm: domain.PermRead},
			{Label: "VEX statements", Path: "/disclosures/vex", Perm: domain.PermRead},
			{Label: "Documents", Path: "/disclosures/documents", Perm: domain.PermRead},
			{Label: "Upload", Path: "/import/disclosures", Perm: domain.PermDisclosures},
		}},
		{Label: "Vulnerabilities", Items: []NavItem{
			{Label: "Findings", Path: "/vulnerabilities", Perm: domain.PermRead},
			{Label: "Vulnerability database", Path: "/vulnerabilities/db", Perm: domain.PermRead},
			{Label: "Feeds", Path: "/vulnerabilities/feeds", Perm: domain.PermRead},
		}},
		{Label: "Risk", Items: []NavItem{
			{Label: "Risk overview", Path: "/risk", Perm: domain.PermRead},
			{Label: "Legacy register", Path: "/risk/legacy", Perm: domain.PermRead},
			{Label: "Compensating controls", Path: "/risk/controls", Perm: domain.PermRead},
			{Label: "Replacement plan", Path: "/risk/plan", Perm: domain.PermRead},
			{Label: "Risk weights", Path: "/risk/weights", Perm: domain.PermRead},
		}},
		{Label: "Incidents", Items: []NavItem{
			{Label: "Incidents", Path: "/incidents", Perm: domain.PermRead},
			{Label: "Exercises", Path: "/exercises", Perm: domain.PermRead},
		}},
		{Label: "Compliance", Items: []NavItem{
			{Label: "Regulation", Path: "/regulation", Perm: domain.PermRead},
			{Label: "Products and EU law", Path: "/regulation/products", Perm: domain.PermRead},
			{Label: "Art. 21 assessment", Path: "/regulation/assessments", Perm: domain.PermRead},
			{Label: "Gap report", Path: "/regulation/report", Perm: domain.PermRead},
		}},
		{Label: "People", Items: []NavItem{
			{Label: "Training overview", Path: "/training/overview", Perm: domain.PermRead},
			{Label: "Staff register", Path: "/training/people", Perm: domain.PermRead},
			{Label: "Curricula and modules", Path: "/training/curricula", Perm: domain.PermRead},
			{Label: "Assignments", Path: "/training/assignments", Perm: domain.PermRead},
			{Label: "Record completion", Path: "/training/records", Perm: domain.PermTraining},
			{Label: "Imports", Path: "/training/import", Perm: domain.PermTraining},
			{Label: "Board training", Path: "/training/board", Perm: domain.PermRead},
			{Label: "Tabletop exercises", Path: "/training/exercises", Perm: domain.PermRead},
		}},
		{Label: "Procurement", Items: []NavItem{
			{Label: "Overview", Path: "/procurement/overview", Perm: domain.PermRead},
			{Label: "Tenders", Path: "/procurement/tenders", Perm: domain.PermRead},
			{Label: "Requirement catalogue", Path: "/procurement/catalogue", Perm: domain.PermRead},
			{Label: "Cloud services", Path: "/procurement/cloud", Perm: domain.PermRead},
		}},
		{Label: "Exchange", Items: []NavItem{
			{Label: "Advisories we publish", Path: "/publish/advisories", Perm: domain.PermRead, OrgTypes: []domain.OrgType{domain.OrgManufacturer}},
			{Label: "Product documents", Path: "/publish/products", Perm: domain.PermRead, OrgTypes: []domain.OrgType{domain.OrgManufacturer}},
			{Label: "Our CSAF provider", Path: "/publish/provider", Perm: domain.PermRead, OrgTypes: []domain.OrgType{domain.OrgManufacturer}},
			{Label: "Subscriptions", Path: "/subscriptions", Perm: domain.PermRead, OrgTypes: []domain.OrgType{domain.OrgHospital, domain.OrgGroup}},
			{Label: "Questions to manufacturers", Path: "/questions", Perm: domain.PermRead, OrgTypes: []domain.OrgType{domain.OrgHospital, domain.OrgGroup}},
			{Label: "Sharing", Path: "/sharing", Perm: domain.PermRead, OrgTypes: []domain.OrgType{domain.OrgHospital, domain.OrgGroup, domain.OrgAuthority}},
		}},
		{Label: "Administration", Items: []NavItem{
			{Label: "Users", Path: "/admin/users", Perm: domain.PermManageUsers},
			{Label: "Organisation", Path: "/admin/organisation", Perm: domain.PermManageUsers},
			{Label: "API tokens", Path: "/admin/tokens", Perm: domain.PermManageUsers},
			{Label: "Webhooks", Path: "/admin/webhooks", Perm: domain.PermManageUsers},
			{Label: "Background jobs", Path: "/admin/jobs", Perm: domain.PermManageJobs},
			{Label: "Audit log", Path: "/admin/audit", Perm: domain.PermReadAudit},
		}},
	}
}

// navFor returns the sections and items the principal may see.
func (s *Server) navFor(p *httpx.Principal) []NavSection {
	var out []NavSection
	for _, sec := range navigation() {
		var items []NavItem
		for _, it := range sec.Items {
			if !p.Can(it.Perm) {
				continue
			}
			if len(it.OrgTypes) > 0 && !containsType(it.OrgTypes, p.Org.Type) {
				continue
			}
			items = append(items, it)
		}
		if len(items) > 0 {
			out = append(out, NavSection{Label: sec.Label, Items: items})
		}
	}
	return out
}

func containsType(ts []domain.OrgType, t domain.OrgType) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// isActive reports whether a navigation path is the current page or its parent.
func isActive(item, current string) bool {
	return current == item || strings.HasPrefix(current, item+"/")
}
