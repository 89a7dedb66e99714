package e2e

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/station"
	"fieldsync/syncproto"
)

// The kill test runs a station in a child process (this test binary again,
// as the replica's crash test and the initial-sync benchmark do): its
// database, its sync client connected to the test hub, and SaveProgramme
// writing courses, enrolling people in batches and then completing each
// enrolment with its certificate. The parent SIGKILLs it in the middle of
// the writes and checks the reopened database: every write the child saw
// succeed is there, no enrolment is there in part (completed without its
// certificate, or a certificate without completion), and, once the
// station syncs again, the hub holds the same.

const servicesKillEnv = "FIELDSYNC_SERVICES_KILL"

// killStationConfig is the configuration of the station of enrollment e,
// as init writes it.
func killStationConfig(e syncproto.Enrollment) station.Config {
	return station.Config{Name: e.StationID, Site: e.Site.String(), Key: hex.EncodeToString(e.Key),
		Enrollment: e.String(), Older: records.DefaultOlder, Addr: station.DefaultAddr}
}

// openKillStation opens the station directory dir of enrollment e in
// process, syncing with h.
func openKillStation(t *testing.T, h *hubtest.Server, e syncproto.Enrollment, dir string) (*progStation, func()) {
	t.Helper()
	cfg := killStationConfig(e)
	rep, err := station.OpenReplica(context.Background(), dir, cfg, nil)
	if err != nil {
		t.Fatalf("reopen the station: %v", err)
	}
	s := &apiStation{t: t, name: e.StationID, enr: e, rep: rep}
	s.startSync()
	core, err := station.New(station.Options{Replica: rep, Config: cfg, Sync: s.client})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	closeFn := func() {
		if !closed {
			closed = true
			s.stopSync()
			rep.Close()
		}
	}
	t.Cleanup(closeFn)
	return &progStation{apiStation: s, core: core}, closeFn
}

// TestServicesKillStationChild is the child's body; it does nothing in a
// normal run. $FIELDSYNC_SERVICES_KILL is "DIR,ROUND"; the enrollment code
// comes on standard input. It prints "ok course|enrol ID" and
// "ok done ID CERTNO" after each write SaveProgramme returned.
func TestServicesKillStationChild(t *testing.T) {
	spec := os.Getenv(servicesKillEnv)
	if spec == "" {
		t.Skip("runs only as the kill test's child process")
	}
	dir, roundText, _ := strings.Cut(spec, ",")
	round, err := strconv.Atoi(roundText)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	e, err := syncproto.ParseEnrollment(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg := killStationConfig(e)
	rep, err := station.OpenReplica(ctx, dir, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &apiStation{t: t, name: e.StationID, enr: e, rep: rep}
	s.startSync()
	core, err := station.New(station.Options{Replica: rep, Config: cfg, Sync: s.client})
	if err != nil {
		t.Fatal(err)
	}
	var people []string
	rows, err := rep.DB().Query(`SELECT lower(hex(id)) FROM workers WHERE fs_deleted = 0 ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		people = append(people, id)
	}
	rows.Close()
	out := bufio.NewWriter(os.Stdout)
	say := func(format string, args ...any) {
		fmt.Fprintf(out, format+"\n", args...)
		out.Flush()
	}
	fail := func(what string, err error) {
		say("error %s: %v", what, err)
		os.Exit(3)
	}
	paid := 1500.0
	// The parent kills the child long before this; a child whose parent
	// is gone ends by itself.
	deadline := time.Now().Add(2 * time.Minute)
	for b := 0; time.Now().Before(deadline); b++ {
		course, err := core.SaveProgramme(ctx, records.Trainings, ident.Zero, &records.Training{
			Course: fmt.Sprintf("焊工培训第%d轮第%d期", round, b), Kind: "技能", Skill: "焊工", StartOn: "2026-03-01",
			EndOn: "2026-03-20", Subsidy: &paid})
		if err != nil {
			fail("course", err)
		}
		say("ok course %s", course)
		var enrolled []ident.ID
		for _, w := range people {
			id, err := core.SaveProgramme(ctx, records.TrainingEnrolments, ident.Zero, &records.TrainingEnrolment{
				WorkerID: w, TrainingID: course.String()})
			if err != nil {
				fail("enrol", err)
			}
			say("ok enrol %s", id)
			enrolled = append(enrolled, id)
		}
		for i, id := range enrolled {
			no := fmt.Sprintf("K%02d%04d%03d", round, b, i)
			if _, err := core.SaveProgramme(ctx, records.TrainingEnrolments, id, &records.TrainingEnrolment{
				WorkerID: people[i], TrainingID: course.String(), Completed: true, CompletedOn: "2026-03-20",
				CertificateKind: records.CertificateSkillLevel, CertificateNo: no,
				CertificateLevel: records.CertificateLevels[0], SubsidyPaid: &paid, PaidOn: "2026-04-01"}); err != nil {
				fail("complete", err)
			}
			say("ok done %s %s", id, no)
		}
	}
	fail("writes", fmt.Errorf("not killed within two minutes"))
}

// acked is what the children saw succeed, over every round.
type acked struct {
	courses, enrolled map[ident.ID]bool
	done              map[ident.ID]string // enrolment → its certificate number
}

// checkEnrolments checks a database after a kill (the station's, or the
// hub's with only the station's rows): every acknowledged write is there,
// every enrolment whole, and it returns how many enrolments it holds.
func checkEnrolments(t *testing.T, where string, db *sql.DB, a acked) int {
	t.Helper()
	var ok string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("%s: integrity check: %v %s", where, err, ok)
	}
	for id := range a.courses {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM trainings WHERE id = ? AND fs_deleted = 0 AND course IS NOT NULL
			AND kind = '技能' AND start_on IS NOT NULL AND station IS NOT NULL`, id[:]).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%s: the acknowledged course %s is missing or in part", where, id)
		}
	}
	rows, err := db.Query(`SELECT e.id, coalesce(e.worker_id, ''), coalesce(e.training_id, ''), coalesce(e.station, ''),
		coalesce(e.completed, 0), coalesce(e.completed_on, ''), coalesce(e.certificate_kind, ''),
		coalesce(e.certificate_no, ''), coalesce(e.certificate_level, ''), coalesce(e.subsidy_paid, 0),
		(SELECT count(*) FROM trainings c WHERE lower(hex(c.id)) = e.training_id AND c.fs_deleted = 0)
		FROM training_enrolments e WHERE e.fs_deleted = 0`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[ident.ID]string{}
	n := 0
	for rows.Next() {
		var raw []byte
		var worker, course, st, on, kind, no, level string
		var completed, courses int
		var subsidy float64
		if err := rows.Scan(&raw, &worker, &course, &st, &completed, &on, &kind, &no, &level, &subsidy, &courses); err != nil {
			t.Fatal(err)
		}
		var id ident.ID
		copy(id[:], raw)
		n++
		if worker == "" || course == "" || st == "" || courses != 1 {
			t.Errorf("%s: enrolment %s in part: worker %q course %q (%d) station %q", where, id, worker, course, courses, st)
		}
		whole := completed == 1 && on != "" && kind != "" && no != "" && level != "" && subsidy > 0
		none := completed == 0 && on == "" && kind == "" && no == "" && level == "" && subsidy == 0
		if !whole && !none {
			t.Errorf("%s: enrolment %s half-written: completed %d on %q certificate %q %q %q subsidy %v",
				where, id, completed, on, kind, no, level, subsidy)
		}
		seen[id] = no
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for id := range a.enrolled {
		if _, ok := seen[id]; !ok {
			t.Errorf("%s: the acknowledged enrolment %s is missing", where, id)
		}
	}
	for id, no := range a.done {
		if seen[id] != no {
			t.Errorf("%s: the acknowledged completion of %s: certificate %q, want %q", where, id, seen[id], no)
		}
	}
	return n
}

// A station killed (SIGKILL) while writing enrolments loses none it
// acknowledged and half-writes none, at the station and, once it syncs
// again, at the hub.
func TestServicesKillStation(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	h := hubtest.NewServer(t, "http", hub.Options{})
	e := h.Enroll("站K")
	dir := t.TempDir()
	st, closeStation := openKillStation(t, h, e, dir)
	for i := range 12 {
		if _, err := st.core.CreateWorker(context.Background(), records.Worker{IDNumber: hubtest.IDNumber(3700 + i),
			Name: fmt.Sprintf("学员%d", i), Phone: "13800138000", Ethnicity: "蒙古族", HukouVillage: "150421100201",
			Education: "初中", LabourAbility: "普通劳动力", Tags: []string{"农民工"}}); err != nil {
			t.Fatal(err)
		}
	}
	hubtest.WaitFor(t, 30*time.Second, "the people at the hub", func() bool { return inSync(t, h, st.apiStation) })
	closeStation()

	a := acked{courses: map[ident.ID]bool{}, enrolled: map[ident.ID]bool{}, done: map[ident.ID]string{}}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 19))
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestServicesKillStationChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s,%d", servicesKillEnv, dir, round))
		cmd.Stdin = strings.NewReader(e.String() + "\n")
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill() }) // a test that failed before its kill leaves no child
		killAfter := 20 + rng.IntN(120)
		seen := 0
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) > 0 && f[0] == "error" {
				t.Fatalf("round %d: the station: %s", round, sc.Text())
			}
			if len(f) < 3 || f[0] != "ok" {
				continue
			}
			id := mustParseID(t, f[2])
			switch f[1] {
			case "course":
				a.courses[id] = true
			case "enrol":
				a.enrolled[id] = true
			case "done":
				a.done[id] = f[3]
			}
			if seen++; seen == killAfter {
				cmd.Process.Signal(syscall.SIGKILL)
				break
			}
		}
		cmd.Wait()
		if seen < killAfter {
			t.Fatalf("round %d: the station stopped after %d writes, before the kill", round, seen)
		}
		rep, err := station.OpenReplica(context.Background(), dir, killStationConfig(e), nil)
		if err != nil {
			t.Fatalf("round %d: reopen after the kill: %v", round, err)
		}
		n := checkEnrolments(t, fmt.Sprintf("the station after kill %d", round), rep.DB(), a)
		rep.Close()
		t.Logf("round %d: killed after %d writes; %d enrolments, %d acknowledged, %d completed", round, seen, n,
			len(a.enrolled), len(a.done))
		if t.Failed() {
			return
		}
	}

	// The station syncs again: the hub holds every acknowledged write, whole.
	st, _ = openKillStation(t, h, e, dir)
	hubtest.WaitFor(t, 60*time.Second, "the station's writes at the hub", func() bool { return inSync(t, h, st.apiStation) })
	checkEnrolments(t, "the hub", h.Hub.Replica().DB(), a)
	if refused := hubtest.Refusals(t, h.Hub.Replica()); len(refused) > 0 {
		t.Fatalf("the hub refused: %+v", refused)
	}
}
