package domain

import (
	"fmt"
	"slices"
)

// Role is what a user or API token may do within its organisation.
type Role string

// The roles of Vigil. Auditors read everything of their organisation and change nothing.
const (
	RoleAdmin            Role = "admin"
	RoleSecurityOfficer  Role = "security-officer"
	RoleClinicalEngineer Role = "clinical-engineer"
	RoleProcurement      Role = "procurement"
	RoleDPO              Role = "dpo"
	RoleAuditor          Role = "auditor"
	RoleManufacturer     Role = "manufacturer"
)

// Roles lists every role in a stable order (for forms and documentation).
var Roles = []Role{RoleAdmin, RoleSecurityOfficer, RoleClinicalEngineer, RoleProcurement, RoleDPO, RoleAuditor, RoleManufacturer}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if slices.Contains(Roles, r) {
		return r, nil
	}
	return "", Invalid("role", "unknown role %q (allowed: %v)", s, Roles)
}

// Label is the role's name for people.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Administrator"
	case RoleSecurityOfficer:
		return "Security officer"
	case RoleClinicalEngineer:
		return "Clinical engineer"
	case RoleProcurement:
		return "Procurement"
	case RoleDPO:
		return "Data-protection officer"
	case RoleAuditor:
		return "Auditor (read-only)"
	case RoleManufacturer:
		return "Manufacturer (product security)"
	}
	return string(r)
}

// Permission names an action that roles may be granted. Modules add their permissions here so that the
// whole access matrix stays in one place and can be reviewed at once.
type Permission string

// Permissions.
const (
	PermRead         Permission = "read"         // read everything of the organisation
	PermManageUsers  Permission = "users:manage" // users, tokens, organisation settings
	PermManageOrgs   Permission = "orgs:manage"  // create organisations (admins of the operator)
	PermReadAudit    Permission = "audit:read"   // the audit log
	PermManageJobs   Permission = "jobs:manage"  // retry or cancel background jobs
	PermInventory    Permission = "inventory:write"
	PermDisclosures  Permission = "disclosures:write"
	PermVulns        Permission = "vulnerabilities:write" // triage findings
	PermFeeds        Permission = "feeds:manage"
	PermRisk         Permission = "risk:write"
	PermRegulation   Permission = "regulation:write"
	PermIncidents    Permission = "incidents:write"
	PermProcurement  Permission = "procurement:write"
	PermTraining     Permission = "training:write"
	PermPublish      Permission = "publish:write" // manufacturer publications (CSAF, VEX, SBOM)
	PermSubscription Permission = "subscriptions:manage"
)

var grants = map[Role][]Permission{
	RoleAdmin: {PermRead, PermManageUsers, PermManageOrgs, PermReadAudit, PermManageJobs, PermInventory, PermDisclosures,
		PermVulns, PermFeeds, PermRisk, PermRegulation, PermIncidents, PermProcurement, PermTraining, PermPublish, PermSubscription},
	RoleSecurityOfficer: {PermRead, PermReadAudit, PermManageJobs, PermInventory, PermDisclosures, PermVulns, PermFeeds,
		PermRisk, PermRegulation, PermIncidents, PermProcurement, PermTraining, PermSubscription},
	RoleClinicalEngineer: {PermRead, PermInventory, PermDisclosures, PermVulns, PermRisk, PermIncidents, PermSubscription},
	RoleProcurement:      {PermRead, PermProcurement, PermDisclosures},
	RoleDPO:              {PermRead, PermReadAudit, PermIncidents, PermRegulation, PermTraining},
	RoleAuditor:          {PermRead, PermReadAudit},
	RoleManufacturer:     {PermRead, PermInventory, PermDisclosures, PermVulns, PermPublish, PermIncidents},
}

// Can reports whether the role holds the permission.
func (r Role) Can(p Permission) bool {
	return slices.Contains(grants[r], p)
}

// Require returns an EForbidden error when the role lacks the permission.
func (r Role) Require(p Permission) error {
	if r.Can(p) {
		return nil
	}
	return &Error{Code: EForbidden, Message: fmt.Sprintf("your role (%s) may not do this (%s)", r.Label(), p)}
}
