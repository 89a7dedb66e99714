package fieldsim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/records/sample"
)

// write is one write sent to a station's API, with what was written in the
// columns the simulator checks.
type write struct {
	Station string
	Op      string
	Table   string
	Row     ident.ID
	Fields  map[string]any
	Start   time.Time
	End     time.Time
	// Acked: the station answered 2xx, so the write must never be lost.
	Acked bool
}

// ledger records every write the clients sent.
type ledger struct {
	mu     sync.Mutex
	writes []*write
	// ids numbers handed out, so that fresh ones never repeat.
	ids map[string]bool
}

func (l *ledger) add(w *write) {
	l.mu.Lock()
	l.writes = append(l.writes, w)
	l.mu.Unlock()
}

func (l *ledger) all() []*write {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*write(nil), l.writes...)
}

// freshIDNumber returns a valid id number never handed out before.
func (l *ledger) freshIDNumber(rng *rand.Rand) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ids == nil {
		l.ids = map[string]bool{}
	}
	for {
		birth := time.Date(1966, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(365*38))
		first17 := fmt.Sprintf("%s%s%03d", sample.County, birth.Format("20060102"), rng.IntN(1000))
		n := first17 + string(ident.CheckDigit(first17))
		if !l.ids[n] {
			l.ids[n] = true
			return n
		}
	}
}

// stationAPI talks to one station's JSON API.
type stationAPI struct {
	name string
	base string // http://127.0.0.1:PORT
	hc   *http.Client
}

// apiResult is a station's answer.
type apiResult struct {
	Status int
	Body   map[string]any
}

func (a *stationAPI) do(ctx context.Context, method, path string, body any) (apiResult, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return apiResult{}, fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return apiResult{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return apiResult{}, fmt.Errorf("%s %s at %s: %w", method, path, a.name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return apiResult{}, fmt.Errorf("%s %s at %s: read: %w", method, path, a.name, err)
	}
	res := apiResult{Status: resp.StatusCode}
	if len(b) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &res.Body); err != nil {
			return res, fmt.Errorf("%s %s at %s: decode %q: %w", method, path, a.name, b, err)
		}
	}
	return res, nil
}

// syncState is GET /api/sync.
type syncState struct {
	Connected    bool       `json:"connected"`
	Pending      int        `json:"pending"`
	LastSync     *time.Time `json:"last_sync"`
	LastError    string     `json:"last_error"`
	ClockWarning bool       `json:"clock_warning"`
	ClockOffset  int64      `json:"clock_offset_ms"`
	Warning      string     `json:"warning"`
}

func (a *stationAPI) sync(ctx context.Context) (syncState, error) {
	var st syncState
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/api/sync", nil)
	if err != nil {
		return st, err
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return st, fmt.Errorf("sync state of %s: %w", a.name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("sync state of %s: %s", a.name, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return st, fmt.Errorf("sync state of %s: %w", a.name, err)
	}
	return st, nil
}

// page fetches a web page of the station.
func (a *stationAPI) page(ctx context.Context, path string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+path, nil)
	if err != nil {
		return "", err
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("page %s of %s: %w", path, a.name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return "", fmt.Errorf("page %s of %s: %w", path, a.name, err)
	}
	if resp.StatusCode != http.StatusOK {
		return string(b), fmt.Errorf("page %s of %s: %s", path, a.name, resp.Status)
	}
	return string(b), nil
}

// csrfField is the CSRF token in a station form.
var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// importCSV posts a CSV of workers to the web import, with the cookie and
// CSRF token the import page hands out, as a browser would, and returns the
// HTTP status.
func (a *stationAPI) importCSV(ctx context.Context, csv string) (int, string, error) {
	preq, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/import", nil)
	if err != nil {
		return 0, "", err
	}
	presp, err := a.hc.Do(preq)
	if err != nil {
		return 0, "", fmt.Errorf("import page at %s: %w", a.name, err)
	}
	page, err := io.ReadAll(io.LimitReader(presp.Body, 1<<20))
	presp.Body.Close()
	if err != nil {
		return 0, "", fmt.Errorf("import page at %s: %w", a.name, err)
	}
	if presp.StatusCode != http.StatusOK {
		return presp.StatusCode, string(page), nil
	}
	m := csrfField.FindSubmatch(page)
	if m == nil {
		return presp.StatusCode, string(page), fmt.Errorf("import page at %s: no form token", a.name)
	}
	tok := string(m[1])
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("csrf", tok); err != nil {
		return 0, "", err
	}
	fw, err := mw.CreateFormFile("file", "workers.csv")
	if err != nil {
		return 0, "", err
	}
	if _, err := io.WriteString(fw, csv); err != nil {
		return 0, "", err
	}
	if err := mw.Close(); err != nil {
		return 0, "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/import", &body)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for _, c := range presp.Cookies() {
		req.AddCookie(c)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("import at %s: %w", a.name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return resp.StatusCode, "", fmt.Errorf("import at %s: %w", a.name, err)
	}
	return resp.StatusCode, string(b), nil
}

// workload makes random edits at one station until ctx ends.
type workload struct {
	sim *sim
	st  *simStation
	rng *rand.Rand
	own []ident.ID // workers registered here (acked or maybe)
	// lastStatus is the HTTP status of the last write (0: no answer).
	lastStatus int
	gigs       []ident.ID // gigs known here
	count      int
}

var (
	notes    = []string{"", "家中有老人需照顾", "想去呼市打工", "会开拖拉机", "电话常关机，请入户", "已培训电焊", "羊群转场期间不在家"}
	contents = []string{"电话了解务工意向", "入户走访，宣传政策", "推荐零工岗位", "核实就业状态", "送岗位信息上门"}
	titles   = []string{"摘枸杞", "剪羊毛", "建筑小工", "餐厅帮厨", "护林巡查", "羊绒分拣", "农机手"}
)

func (w *workload) phone() string {
	return fmt.Sprintf("13%d%08d", 5+w.rng.IntN(5), w.rng.IntN(100_000_000))
}

// run performs one edit after another, pausing between them.
func (w *workload) run(ctx context.Context) {
	for ctx.Err() == nil {
		if w.st.proc.running() && !w.st.holdEdits.Load() {
			w.step(ctx)
		}
		sleep(ctx, time.Duration(150+w.rng.IntN(500))*time.Millisecond)
	}
}

func (w *workload) today() string { return time.Now().Format(records.DateLayout) }

// step picks one edit.
func (w *workload) step(ctx context.Context) {
	r := w.rng.IntN(100)
	switch {
	case r < 25 || len(w.own) == 0:
		idn := ""
		if w.rng.IntN(4) == 0 && len(w.sim.sharedIDs) > 0 {
			idn = w.sim.sharedIDs[w.rng.IntN(len(w.sim.sharedIDs))] // also registered elsewhere
		} else {
			idn = w.sim.ledger.freshIDNumber(w.rng)
		}
		w.register(ctx, idn, w.phone())
	case r < 45:
		id := w.own[w.rng.IntN(len(w.own))]
		var f map[string]any
		switch w.rng.IntN(3) {
		case 0:
			f = map[string]any{"phone": w.phone()}
		case 1:
			f = map[string]any{"notes": notes[w.rng.IntN(len(notes))] + fmt.Sprint(w.rng.IntN(100))}
		default:
			f = map[string]any{"willing_away": w.rng.IntN(2) == 0}
		}
		w.send(ctx, "patch worker", records.Workers, http.MethodPatch, "/api/workers/"+id.String(), f, id, f)
	case r < 60:
		id := w.own[w.rng.IntN(len(w.own))]
		f := map[string]any{"worker_id": id.String(), "date": w.today(), "method": "电话",
			"service_type": "政策宣传", "content": contents[w.rng.IntN(len(contents))]}
		w.send(ctx, "followup", records.Followups, http.MethodPost, "/api/followups", f, ident.Zero,
			map[string]any{"content": f["content"], "worker_id": f["worker_id"]})
	case r < 70:
		id := w.own[w.rng.IntN(len(w.own))]
		// 就业, 失业, or 失业 and willing to work away this month (the
		// month's flag: the three lists overlap).
		k := w.rng.IntN(3)
		lt, willing := []string{"就业", "失业", "失业"}[k], k == 2
		f := map[string]any{"worker_id": id.String(), "month": time.Now().Format("2006-01"), "list_type": lt,
			"willing_away": willing, "verified_by_method": "电话", "verified_by": "李四", "verified_at": w.today()}
		if lt == "就业" {
			f["work_scope"], f["employment_form"] = "本村", "灵活就业"
		}
		w.send(ctx, "monthly status", records.MonthlyStatus, http.MethodPost, "/api/monthly-status", f, ident.Zero,
			map[string]any{"list_type": lt, "willing_away": willing})
	case r < 80:
		f := map[string]any{"title": titles[w.rng.IntN(len(titles))], "occupation": "采摘", "headcount": 1 + w.rng.IntN(9),
			"wage": 150, "wage_unit": "元/天", "settlement": "日结", "place": "150421100", "start_date": w.today(),
			"employer": "绿源农业公司", "contact": "13800138000", "status": "open"}
		if id, ok := w.send(ctx, "gig", records.Gigs, http.MethodPost, "/api/gigs", f, ident.Zero,
			map[string]any{"title": f["title"], "headcount": f["headcount"]}); ok {
			w.gigs = append(w.gigs, id)
		}
	case r < 90:
		w.refreshGigs(ctx)
		if len(w.gigs) == 0 {
			return
		}
		id := w.gigs[w.rng.IntN(len(w.gigs))]
		f := map[string]any{"headcount": 1 + w.rng.IntN(20)}
		w.send(ctx, "patch gig", records.Gigs, http.MethodPatch, "/api/gigs/"+id.String(), f, id, f)
	default:
		// A shared worker edited here and elsewhere: concurrent edits.
		if len(w.sim.sharedIDs) == 0 {
			return
		}
		idn := w.sim.sharedIDs[w.rng.IntN(len(w.sim.sharedIDs))]
		id := w.sim.workerID(idn)
		f := map[string]any{"phone": w.phone()}
		w.send(ctx, "patch shared worker", records.Workers, http.MethodPatch, "/api/workers/"+id.String(), f, id, f)
	}
}

// refreshGigs learns the gigs the station holds (its own and the hub's).
func (w *workload) refreshGigs(ctx context.Context) {
	res, err := w.st.api.do(ctx, http.MethodGet, "/api/gigs?limit=50", nil)
	if err != nil || res.Status != http.StatusOK {
		return
	}
	list, _ := res.Body["gigs"].([]any)
	for _, g := range list {
		m, _ := g.(map[string]any)
		s, _ := m["id"].(string)
		if m["station"] != w.st.name {
			continue // only the posting station edits a gig
		}
		if id, err := ident.ParseID(s); err == nil && !contains(w.gigs, id) {
			w.gigs = append(w.gigs, id)
		}
	}
}

func contains(ids []ident.ID, id ident.ID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// workerBody is a registration with canonical values (stored as sent).
func (w *workload) workerBody(idn, phone string) map[string]any {
	return map[string]any{"id_number": idn, "name": sample.Name(w.rng), "phone": phone, "ethnicity": "蒙古族",
		"hukou_village": sample.Village(w.rng.IntN(50)), "education": "初中", "labour_ability": "普通劳动力",
		"willing_away": w.rng.IntN(2) == 0, "notes": notes[w.rng.IntN(len(notes))]}
}

// register registers a worker; 409 (already registered here) is no write.
func (w *workload) register(ctx context.Context, idn, phone string) (ident.ID, bool) {
	f := w.workerBody(idn, phone)
	id := w.sim.workerID(idn)
	checked := map[string]any{"name": f["name"], "phone": f["phone"], "willing_away": f["willing_away"]}
	if f["notes"] != "" {
		checked["notes"] = f["notes"] // an empty field is not written
	}
	_, ok := w.send(ctx, "register", records.Workers, http.MethodPost, "/api/workers", f, id, checked)
	if !contains(w.own, id) && (ok || w.lastStatus == http.StatusConflict) {
		w.own = append(w.own, id)
	}
	return id, ok
}

// send makes one write and records it; it returns the row id and whether
// the station acknowledged it.
func (w *workload) send(ctx context.Context, op, table, method, path string, body any, row ident.ID, checked map[string]any) (ident.ID, bool) {
	wr := &write{Station: w.st.name, Op: op, Table: table, Row: row, Fields: checked, Start: time.Now()}
	rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	res, err := w.st.api.do(rctx, method, path, body)
	cancel()
	w.lastStatus = res.Status
	wr.End = time.Now()
	if s, ok := res.Body["id"].(string); ok {
		if id, perr := ident.ParseID(s); perr == nil {
			if wr.Row.IsZero() {
				wr.Row = id
			} else if id != wr.Row && res.Status < 300 {
				w.sim.problem("%s %s at %s answered id %s, want %s", op, path, w.st.name, id, wr.Row)
			}
		}
	}
	switch {
	case err != nil:
		// No answer (the station was killed, or ctx ended): maybe written.
	case res.Status >= 200 && res.Status < 300:
		wr.Acked = true
	case res.Status == http.StatusConflict || res.Status == http.StatusNotFound:
		// Already registered here / not (yet) held here: nothing written.
		return wr.Row, false
	case res.Status >= 500 && op == "register" && slices.Contains(w.sim.sharedIDs, fmt.Sprint(body.(map[string]any)["id_number"])):
		// Known bug (station/regress_register_twice_registered_test.go):
		// a person registered at two stations cannot be registered at a
		// third once both records reached it.
		w.sim.knownBug("register-twice-registered")
		return wr.Row, false
	case res.Status >= 500:
		w.sim.problem("%s %s at %s: %d %v", op, path, w.st.name, res.Status, res.Body)
		return wr.Row, false
	default:
		w.sim.problem("%s %s at %s refused a valid write: %d %v (body %v)", op, path, w.st.name, res.Status, res.Body, body)
		return wr.Row, false
	}
	if wr.Row.IsZero() {
		return wr.Row, false // unacknowledged creation: its id is unknown
	}
	w.sim.ledger.add(wr)
	if wr.Acked {
		w.count++
	}
	return wr.Row, wr.Acked
}

// importRows is a CSV of n fresh workers for the web import, and their ids.
func (w *workload) importRows(n int) (string, []string) {
	var b strings.Builder
	b.WriteString("公民身份号码,姓名,联系电话,民族,户籍村,文化程度,劳动能力,备注\n")
	var idns []string
	for range n {
		idn := w.sim.ledger.freshIDNumber(w.rng)
		idns = append(idns, idn)
		fmt.Fprintf(&b, "%s,%s,%s,汉族,%s,初中,普通劳动力,导入\n", idn, sample.Name(w.rng), w.phone(), sample.Village(w.rng.IntN(50)))
	}
	return b.String(), idns
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
