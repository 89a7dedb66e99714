package access_test

import (
	"strings"
	"testing"

	"fieldsync/hub/access"
)

// The role table: every role reads; only resolvers and owners resolve, only
// station managers and owners manage stations, only owners manage
// administrators and read the audit log; resolvers and owners export lists
// of people and make the county's own programme rows, viewers and station
// managers do not.
func TestRolePermissions(t *testing.T) {
	want := map[access.Role]string{
		access.RoleViewer:         "view",
		access.RoleResolver:       "view resolve export_people edit_programmes",
		access.RoleStationManager: "view manage_stations",
		access.RoleRightsOfficer:  "view read_rights",
		access.RoleOwner:          "view resolve manage_stations manage_admins read_audit export_people edit_programmes read_rights",
	}
	perms := []access.Permission{access.PermView, access.PermResolve, access.PermStations, access.PermAdmins, access.PermAudit, access.PermExport,
		access.PermProgrammes, access.PermRights}
	for _, r := range access.Roles() {
		var got []string
		for _, p := range perms {
			if r.Can(p) {
				got = append(got, string(p))
			}
		}
		if strings.Join(got, " ") != want[r] {
			t.Errorf("%s can %v, want %s", r, got, want[r])
		}
	}
	if access.Role("king").Can(access.PermView) {
		t.Error("an unknown role can read")
	}
	for _, s := range []string{"station manager", "station-manager", "station_manager"} {
		if r, err := access.ParseRole(s); err != nil || r != access.RoleStationManager {
			t.Errorf("ParseRole(%q) = %q, %v", s, r, err)
		}
	}
	if _, err := access.ParseRole("admin"); err == nil {
		t.Error("ParseRole accepted admin")
	}
}
