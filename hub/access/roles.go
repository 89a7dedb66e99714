package access

import (
	"fmt"
	"slices"
)

// Role is what an administrator of the hub may do. The roles are not a
// ladder: a resolver does not manage stations, a station manager does not
// resolve conflicts; both read, and the owner does everything. Exporting a
// list of people goes with resolving: the roles that act on the data.
type Role string

// The roles of hub administrators.
const (
	RoleViewer         Role = "viewer"
	RoleResolver       Role = "resolver"
	RoleStationManager Role = "station_manager"
	RoleOwner          Role = "owner"
	// RoleRightsOfficer reads, and reads labour-rights cases (劳动权益维护):
	// the county's 劳动保障监察 or legal-aid staff.
	RoleRightsOfficer Role = "rights_officer"
)

// Permission is one kind of action on the hub. Every endpoint names the one
// it needs; rolePermissions says which roles hold it.
type Permission string

// The permissions endpoints ask for.
const (
	// PermView reads the status page, the station list, the dashboard and
	// the monthly report, conflicts, workers and their history.
	PermView Permission = "view"
	// PermResolve resolves conflicts.
	PermResolve Permission = "resolve"
	// PermStations enrols, re-enrols and revokes stations.
	PermStations Permission = "manage_stations"
	// PermAdmins adds and disables administrators.
	PermAdmins Permission = "manage_admins"
	// PermAudit reads the audit log.
	PermAudit Permission = "read_audit"
	// PermExport downloads a list of people behind a dashboard figure as a
	// file (names, sex, age, village, the month's status; id numbers masked
	// as on the page). Reading the list on a page needs only PermView; a
	// file leaves the hub, so only the roles that act on the data hold it.
	// The month's report files stay PermView.
	PermExport Permission = "export_people"
	// PermProgrammes makes and edits the county's own programme rows (a
	// welfare post, a workshop, a work-relief project, a partner region,
	// an export batch the county runs itself): the roles that act on the
	// data, as PermResolve.
	PermProgrammes Permission = "edit_programmes"
	// PermRights reads labour-rights cases (records.RightsCases): who
	// complained of which employer, for how much. Without it a case is
	// masked everywhere (a person's history, conflicts, lists, exports);
	// the report's counts of cases stay PermView.
	PermRights Permission = "read_rights"
)

// AuditExport is the audit log's action for a download of a list of people
// (PermExport); its detail names the list, never a person.
const AuditExport = "export_people"

// AuditProgramme is the audit log's action for a county programme row the
// county saved (PermProgrammes); its detail names the table and the row.
const AuditProgramme = "save_programme"

// rolePermissions is the one place that says which role may do what.
var rolePermissions = map[Role][]Permission{
	RoleViewer:         {PermView},
	RoleResolver:       {PermView, PermResolve, PermExport, PermProgrammes},
	RoleStationManager: {PermView, PermStations},
	RoleOwner:          {PermView, PermResolve, PermStations, PermAdmins, PermAudit, PermExport, PermProgrammes, PermRights},
	RoleRightsOfficer:  {PermView, PermRights},
}

// Roles lists the roles, least powerful first.
func Roles() []Role {
	return []Role{RoleViewer, RoleResolver, RoleStationManager, RoleRightsOfficer, RoleOwner}
}

// ParseRole checks a role's name. "station-manager" and "station manager"
// are accepted for station_manager.
func ParseRole(s string) (Role, error) {
	switch s {
	case "station-manager", "station manager":
		s = string(RoleStationManager)
	}
	if _, ok := rolePermissions[Role(s)]; !ok {
		return "", fmt.Errorf("role %q: want one of viewer, resolver, station_manager, rights_officer, owner", s)
	}
	return Role(s), nil
}

// Can reports whether the role holds the permission.
func (r Role) Can(p Permission) bool {
	return slices.Contains(rolePermissions[r], p)
}
