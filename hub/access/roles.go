package access

import (
	"fmt"
	"slices"
)

// Role is what an administrator of the hub may do. The roles are not a
// ladder: a resolver does not manage stations, a station manager does not
// resolve conflicts; both read, and the owner does everything.
type Role string

// The roles of hub administrators.
const (
	RoleViewer         Role = "viewer"
	RoleResolver       Role = "resolver"
	RoleStationManager Role = "station_manager"
	RoleOwner          Role = "owner"
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
)

// rolePermissions is the one place that says which role may do what.
var rolePermissions = map[Role][]Permission{
	RoleViewer:         {PermView},
	RoleResolver:       {PermView, PermResolve},
	RoleStationManager: {PermView, PermStations},
	RoleOwner:          {PermView, PermResolve, PermStations, PermAdmins, PermAudit},
}

// Roles lists the roles, least powerful first.
func Roles() []Role {
	return []Role{RoleViewer, RoleResolver, RoleStationManager, RoleOwner}
}

// ParseRole checks a role's name. "station-manager" and "station manager"
// are accepted for station_manager.
func ParseRole(s string) (Role, error) {
	switch s {
	case "station-manager", "station manager":
		s = string(RoleStationManager)
	}
	if _, ok := rolePermissions[Role(s)]; !ok {
		return "", fmt.Errorf("role %q: want one of viewer, resolver, station_manager, owner", s)
	}
	return Role(s), nil
}

// Can reports whether the role holds the permission.
func (r Role) Can(p Permission) bool {
	return slices.Contains(rolePermissions[r], p)
}
