package sample

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// The demo's conflicts (DESIGN "Conflicts"), made as they arise in a county:
// two stations, or the hub and a station, edit the same record while they
// are not connected, and the hub finds, when the stations upload, the
// columns that hold two values and the merges that break a rule. The plan
// has three parts:
//
//   - before the stations' first sync: a few of station A's people are put
//     in station B's scope too (they live in one village and work in the
//     other), and a gig posted by A with two places;
//   - while the stations are offline: the county's edits at the hub
//     (HubEdits), and requests to each station's JSON API (Requests);
//   - when they connect again, the hub raises: field conflicts on a phone
//     (hub and A; A and B) and on a status's work scope and employment
//     form (hub and A), and the rule conflicts 公益性岗位 with 区外 (that
//     status), two open unemployment registrations (A and B register the
//     same person), a gig with more people than places (A fills it, B
//     places one more), and one person under two id numbers (B registers a
//     namesake of A's person, one digit of the id number different).

// Person is what the plan needs of a sample person.
type Person struct {
	ID       ident.ID
	Name     string
	IDNumber string
	Phone    string
	// OpenRegistration: the person has an open unemployment registration.
	OpenRegistration bool
}

// Cast is who the plan involves: the two stations and their people (in a
// stable order: by id number), the current time in the hub's zone.
type Cast struct {
	A, B       string
	APeople    []Person
	BPeople    []Person
	Now        time.Time
	Key        ident.Key
	HukouOfB   string // a village of station B, for the namesake B registers
	Ethnicity  string
	Education  string
	Labour     string
	VerifiedBy string
}

// Request is one call to a station's JSON API.
type Request struct {
	Station string `json:"station"`
	Method  string `json:"method"`
	Path    string `json:"path"`
	Body    any    `json:"body"`
}

// Plan is the demo's conflicts.
type Plan struct {
	// Shared are A's people that B holds too (hub.AddToScope before the
	// first sync).
	Shared []ident.ID
	// Gig is the gig A posted, with two places (written at the hub before
	// the first sync, as A's upload leaves it).
	Gig replica.Edit
	// HubEdits are the county's edits while the stations are offline.
	HubEdits []replica.Edit
	// Requests are the stations' edits while offline, in order.
	Requests []Request
}

// the roles of A's people in the plan, by index into the eligible ones.
const (
	rolePhone   = iota // phone edited at the hub and at A
	roleWelfare        // this month's status: 区外 at the hub, 公益性岗位 at A
	roleShared         // phone edited at A and at B
	roleTwoOpen        // registered unemployed at A and at B
	rolePlaced1        // placed in A's gig by A
	rolePlaced2
	roleNamesake // B registers a namesake
	roles
)

// DemoGigID is the row id of the gig the plan has A post.
func DemoGigID(key ident.Key) ident.ID { return key.Derive(records.Gigs, "sample/demo-gig") }

// Conflicts returns the plan for cast. It needs at least seven of A's
// people without an open unemployment registration and one of B's.
func Conflicts(c Cast) (Plan, error) {
	var free []Person
	for _, p := range c.APeople {
		if !p.OpenRegistration {
			free = append(free, p)
		}
	}
	if len(free) < roles || len(c.BPeople) == 0 {
		return Plan{}, errors.New("sample conflicts: too few sample people (want 7 at A without an open registration, 1 at B)")
	}
	// Spread the roles over the people, so that they are not all at the
	// top of a list.
	pick := func(role int) Person { return free[role*len(free)/roles] }
	month := c.Now.Format(records.MonthLayout)
	today := c.Now.Format(records.DateLayout)
	var p Plan
	p.Shared = []ident.ID{pick(roleShared).ID, pick(roleTwoOpen).ID}

	g := records.Gig{Title: "羊绒分拣（示例：两站同时安排）", Occupation: "羊绒分拣", Headcount: 2, Wage: 180,
		WageUnit: "元/天", Settlement: "日结", Place: Village(0), Address: "第3组", StartDate: today,
		EndDate: c.Now.AddDate(0, 0, 14).Format(records.DateLayout), Employer: "草原羊绒厂", Contact: "13900000001",
		Status: records.GigOpen, ExpiresOn: c.Now.AddDate(0, 0, 30).Format(records.DateLayout)}
	if err := g.Validate(); err != nil {
		return p, fmt.Errorf("sample conflicts: gig: %w", err)
	}
	p.Gig = replica.Edit{Table: records.Gigs, Row: DemoGigID(c.Key),
		Set: append(g.Columns(), replica.ColumnValue{Column: "station", Value: c.A})}

	// The county corrects a phone and a status at the hub.
	ph := pick(rolePhone)
	p.HubEdits = append(p.HubEdits, replica.Edit{Table: records.Workers, Row: ph.ID,
		Set: []replica.ColumnValue{{Column: "phone", Value: otherPhone(ph.Phone, 1)}}})
	wf := pick(roleWelfare)
	status := records.MonthStatus{WorkerID: wf.ID.String(), Month: month}
	p.HubEdits = append(p.HubEdits, replica.Edit{Table: records.MonthlyStatus, Row: status.ID(c.Key),
		Set: []replica.ColumnValue{{Column: "work_scope", Value: "区外"}, {Column: "employment_form", Value: "单位"}}})

	verify := func(body map[string]any) map[string]any {
		body["verified_by_method"], body["verified_by"], body["verified_at"] = "电话", c.VerifiedBy, today
		return body
	}
	sh, two := pick(roleShared), pick(roleTwoOpen)
	reg := func(station string) Request {
		return Request{station, "POST", "/api/unemployment-registrations", map[string]any{
			"worker_id": two.ID.String(), "place_type": "户籍地", "registered_on": today, "reason": "季节性停工"}}
	}
	place := func(station string, w ident.ID) Request {
		return Request{station, "POST", "/api/placements", map[string]any{
			"gig_id": DemoGigID(c.Key).String(), "worker_id": w.String(), "placed_on": today}}
	}
	ns := pick(roleNamesake)
	nsID, err := NamesakeIDNumber(ns.IDNumber)
	if err != nil {
		return p, err
	}
	p.Requests = []Request{
		{c.A, "PATCH", "/api/workers/" + ph.ID.String(), map[string]any{"phone": otherPhone(ph.Phone, 2)}},
		{c.A, "POST", "/api/monthly-status", verify(map[string]any{"worker_id": wf.ID.String(), "month": month,
			"list_type": records.ListEmployed, "work_scope": "本村", "employment_form": "公益性岗位",
			"industry": "公共管理和社会组织", "monthly_income": 1200})},
		{c.A, "PATCH", "/api/workers/" + sh.ID.String(), map[string]any{"phone": otherPhone(sh.Phone, 3)}},
		{c.B, "PATCH", "/api/workers/" + sh.ID.String(), map[string]any{"phone": otherPhone(sh.Phone, 4)}},
		reg(c.A),
		reg(c.B),
		place(c.A, pick(rolePlaced1).ID),
		place(c.A, pick(rolePlaced2).ID),
		place(c.B, c.BPeople[0].ID),
		{c.B, "POST", "/api/workers", map[string]any{"id_number": nsID, "name": ns.Name, "ethnicity": c.Ethnicity,
			"hukou_village": c.HukouOfB, "education": c.Education, "labour_ability": c.Labour,
			"phone": otherPhone(ns.Phone, 5)}},
	}
	return p, nil
}

// NamesakeIDNumber returns a valid id number that differs from id (a valid,
// normalised one) in its sequence digit and so, mostly, its check digit: at
// most two characters, as a mistyped number does.
func NamesakeIDNumber(id string) (string, error) {
	if n, err := ident.NormalizeIDNumber(id); err != nil || n != id {
		return "", fmt.Errorf("sample namesake: not a normalised id number")
	}
	b := []byte(id[:17])
	b[14] = '0' + (b[14]-'0'+1)%10
	return string(b) + string(ident.CheckDigit(string(b))), nil
}

// otherPhone is a valid mobile number that differs from phone (it ends
// like phone, and its middle digits are n's), the same for the same n.
func otherPhone(phone string, n int) string {
	tail := "0000"
	if len(phone) >= 4 {
		tail = phone[len(phone)-4:]
	}
	for _, head := range []string{"139", "138"} {
		if s := fmt.Sprintf("%s%04d%s", head, n, tail); s != phone {
			return s
		}
	}
	return ""
}

// Waits are the reads (GET requests) that must succeed at each station
// before it goes offline for the plan: the gig at both, and each person
// a request names at the station that makes it.
func (p Plan) Waits() []Request {
	gig := "/api/gigs/" + p.Gig.Row.String()
	var out []Request
	seen := map[string]bool{}
	add := func(station, path string) {
		if !seen[station+path] {
			seen[station+path] = true
			out = append(out, Request{Station: station, Method: "GET", Path: path})
		}
	}
	for _, r := range p.Requests {
		add(r.Station, gig)
		body, _ := r.Body.(map[string]any)
		if w, ok := body["worker_id"].(string); ok {
			add(r.Station, "/api/workers/"+w)
		}
		if strings.HasPrefix(r.Path, "/api/workers/") {
			add(r.Station, r.Path)
		}
	}
	return out
}
