package station

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
)

// Match is a worker who fits a gig, or a gig that fits a worker, with how well.
type Match struct {
	Worker *WorkerView `json:"worker,omitempty"`
	Gig    *GigView    `json:"gig,omitempty"`
	Score  int         `json:"score"`
	// Skills are the gig's wanted skills the worker has, on their record
	// or through training.
	Skills []string `json:"skills"`
	// Trained are the skills of Skills (and the gig's occupation) the
	// worker holds only through training: a completed course, or a
	// certificate from one (training.go).
	Trained []string `json:"trained"`
	// Locality is "village", "township", "county" or "away" (the worker
	// would have to work away, and is willing to).
	Locality string `json:"locality"`
}

// locality says how near a worker living at village code home is to a gig at
// place (a 6-, 9- or 12-digit division code).
func locality(home, place string) string {
	switch {
	case home == "" || place == "":
		return "away"
	case len(place) == 12 && home == place:
		return "village"
	case strings.HasPrefix(home, place) && len(place) == 9, len(home) >= 9 && len(place) >= 9 && home[:9] == place[:9]:
		return "township"
	case len(home) >= 6 && home[:6] == place[:6]:
		return "county"
	}
	return "away"
}

var localityScore = map[string]int{"village": 3, "township": 2, "county": 1, "away": 0}

// score says whether worker w fits gig g, and how well; trained are the
// skills w holds through training, which count as w's own.
func score(w *WorkerView, trained []string, g *GigView) (Match, bool) {
	home := w.ResidenceVillage
	if home == "" {
		home = w.HukouVillage
	}
	m := Match{Skills: []string{}, Trained: []string{}, Locality: locality(home, g.Place)}
	if m.Locality == "away" && !w.WillingAway {
		return m, false
	}
	if g.AgeMin > 0 && int64(w.Age) < g.AgeMin || g.AgeMax > 0 && int64(w.Age) > g.AgeMax || w.Age < 16 {
		return m, false
	}
	if w.LabourAbility == "丧失劳动力" || w.LabourAbility == "无劳动力" {
		return m, false
	}
	has := func(sk string) bool {
		if slices.Contains(w.Skills, sk) {
			return true
		}
		if slices.Contains(trained, sk) {
			if !slices.Contains(m.Trained, sk) {
				m.Trained = append(m.Trained, sk)
			}
			return true
		}
		return false
	}
	for _, sk := range g.Skills {
		if has(sk) {
			m.Skills = append(m.Skills, sk)
		}
	}
	occupation := has(g.Occupation)
	if len(g.Skills) > 0 && len(m.Skills) == 0 && !occupation {
		// A gig that names skills wants someone who has one of them.
		return m, false
	}
	m.Score = 10*len(m.Skills) + localityScore[m.Locality]
	if occupation {
		m.Score += 5
	}
	return m, true
}

// birthBound is the id-number date (YYYYMMDD) of someone who turns age on day now.
func birthBound(now time.Time, age int64) string {
	return now.AddDate(-int(age), 0, 0).Format("20060102")
}

// GigMatches ranks the workers who fit a gig: age range (from the id number's
// birth date), place (or willing to work away), skills, not employed in the
// gig's month, not already placed in it.
func (s *Station) GigMatches(ctx context.Context, gid ident.ID, limit int) ([]Match, error) {
	g, err := s.Gig(ctx, gid)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxLimit {
		limit = 50
	}
	now := s.now()
	month := g.StartDate
	if len(month) >= 7 {
		month = month[:7]
	}
	// First pass, in SQL over a plain scan of the table (every worker is a
	// candidate, so an index would only add lookups): the filters and the
	// score, keeping the ids of the best. Second pass: read those workers and
	// score them again in Go, which also says why they fit.
	where := []string{"w.fs_deleted = 0"}
	args := []any{}
	if g.AgeMin > 0 {
		where = append(where, "substr(w.id_number, 7, 8) <= ?")
		args = append(args, birthBound(now, g.AgeMin))
	}
	if g.AgeMax > 0 {
		where = append(where, "substr(w.id_number, 7, 8) > ?")
		args = append(args, birthBound(now, g.AgeMax+1))
	}
	const home = `coalesce(nullif(w.residence_village, ''), w.hukou_village)`
	where = append(where,
		`(w.willing_away = 1 OR substr(`+home+`, 1, 6) = substr(?, 1, 6))`,
		`coalesce(w.labour_ability, '') NOT IN ('丧失劳动力', '无劳动力')`)
	args = append(args, g.Place)
	// The skills held through training (a completed course, or a
	// certificate from one) count as the worker's own: one query through the
	// enrolments' index finds who holds any the gig wants, and the scan below
	// looks each worker up in that set (none held: the scan is as before).
	wanted := append(slices.Clone(g.Skills), g.Occupation)
	trained, err := s.trainedSkills(ctx, trainedBySkillSQL+`(?`+strings.Repeat(", ?", len(wanted)-1)+`)`,
		anyOf(wanted)...)
	if err != nil {
		return nil, fmt.Errorf("match gig: %w", err)
	}
	holders := map[string][]string{} // skill: the workers (hex ids) trained in it
	for w, sks := range trained {
		for _, sk := range sks {
			holders[sk] = append(holders[sk], w)
		}
	}
	// A set column reads back as a sorted JSON array: an element is matched
	// by its JSON form between the array's quotes.
	hasSkill := func(sk string) (string, []any) {
		j, _ := json.Marshal(sk) // a string always marshals
		like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(string(j))
		if len(holders[sk]) == 0 {
			return `(w.skills LIKE ? ESCAPE '\')`, []any{"%" + like + "%"}
		}
		ids, _ := json.Marshal(holders[sk]) // strings always marshal
		return `(w.skills LIKE ? ESCAPE '\' OR w.id IN (SELECT unhex(value) FROM json_each(?)))`,
			[]any{"%" + like + "%", string(ids)}
	}
	scoreSQL := `CASE WHEN ` + home + ` = ? THEN 3 WHEN substr(` + home + `, 1, 9) = substr(?, 1, 9) THEN 2
		WHEN substr(` + home + `, 1, 6) = substr(?, 1, 6) THEN 1 ELSE 0 END`
	scoreArgs := []any{g.Place, g.Place, g.Place}
	if len(g.Skills) > 0 {
		var conds []string
		for _, sk := range wanted {
			cond, arg := hasSkill(sk)
			conds = append(conds, cond)
			args = append(args, arg...)
		}
		where = append(where, "("+strings.Join(conds, " OR ")+")")
		for _, sk := range g.Skills {
			cond, arg := hasSkill(sk)
			scoreSQL += " + 10 * " + cond
			scoreArgs = append(scoreArgs, arg...)
		}
	}
	cond, arg := hasSkill(g.Occupation)
	scoreSQL += " + 5 * " + cond
	scoreArgs = append(scoreArgs, arg...)
	where = append(where, `w.left_reason IS NULL`, `NOT EXISTS (SELECT 1 FROM monthly_status m WHERE m.worker_id = lower(hex(w.id))
		AND m.month = ? AND m.list_type = ? AND m.fs_deleted = 0 AND m.void_reason IS NULL)`,
		`NOT EXISTS (SELECT 1 FROM placements p WHERE p.worker_id = lower(hex(w.id)) AND p.gig_id = ?
		AND p.status = ? AND p.fs_deleted = 0)`)
	args = append(args, month, records.ListEmployed, gid.String(), records.PlacementPlaced)
	idRows, err := s.r.DB().QueryContext(ctx, `SELECT w.id FROM workers w NOT INDEXED WHERE `+
		strings.Join(where, " AND ")+` ORDER BY (`+scoreSQL+`) DESC, w.name LIMIT ?`,
		append(append(args, scoreArgs...), 2*limit+10)...)
	if err != nil {
		return nil, fmt.Errorf("match gig: %w", err)
	}
	var ids []any
	for idRows.Next() {
		var id []byte
		if err := idRows.Scan(&id); err != nil {
			idRows.Close()
			return nil, fmt.Errorf("match gig: %w", err)
		}
		ids = append(ids, id)
	}
	idRows.Close()
	if err := idRows.Err(); err != nil {
		return nil, fmt.Errorf("match gig: %w", err)
	}
	out := []Match{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.r.DB().QueryContext(ctx, `SELECT `+workerCols+` FROM workers w WHERE w.id IN (?`+
		strings.Repeat(", ?", len(ids)-1)+`)`, ids...)
	if err != nil {
		return nil, fmt.Errorf("match gig: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		w, err := scanWorker(rows)
		if err != nil {
			return nil, fmt.Errorf("match gig: %w", err)
		}
		w.derive(now, s.cfg.Older)
		if m, ok := score(w, trained[w.ID.String()], g); ok {
			m.Worker = w
			out = append(out, m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("match gig: %w", err)
	}
	slices.SortStableFunc(out, func(a, b Match) int {
		if a.Score != b.Score {
			return b.Score - a.Score
		}
		return strings.Compare(a.Worker.Name, b.Worker.Name)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// WorkerMatches ranks the open gigs and jobs that fit a worker and are not
// full; an older worker's (WorkerView.Older, by the station's thresholds)
// list the postings that suit older workers first.
func (s *Station) WorkerMatches(ctx context.Context, wid ident.ID) ([]Match, error) {
	w, err := s.Worker(ctx, wid)
	if err != nil {
		return nil, err
	}
	trained, err := s.TrainedSkills(ctx, wid)
	if err != nil {
		return nil, fmt.Errorf("match worker: %w", err)
	}
	today := s.Today()
	rows, err := s.r.DB().QueryContext(ctx, `SELECT `+gigCols+` FROM gigs g WHERE g.fs_deleted = 0 AND g.status = ?
		AND (coalesce(g.expires_on, '') = '' OR g.expires_on >= ?)`, records.GigOpen, today)
	if err != nil {
		return nil, fmt.Errorf("match worker: %w", err)
	}
	defer rows.Close()
	var gigs []*GigView
	for rows.Next() {
		g, err := scanGig(rows)
		if err != nil {
			return nil, fmt.Errorf("match worker: %w", err)
		}
		gigs = append(gigs, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("match worker: %w", err)
	}
	rows.Close()
	placed := map[string]bool{}
	prow, err := s.r.DB().QueryContext(ctx, `SELECT gig_id FROM placements WHERE worker_id = ? AND status = ? AND fs_deleted = 0`,
		wid.String(), records.PlacementPlaced)
	if err != nil {
		return nil, fmt.Errorf("match worker: %w", err)
	}
	defer prow.Close()
	for prow.Next() {
		var g string
		if err := prow.Scan(&g); err != nil {
			return nil, fmt.Errorf("match worker: %w", err)
		}
		placed[g] = true
	}
	out := []Match{}
	for _, g := range gigs {
		if placed[g.ID.String()] || g.EndDate != "" && g.EndDate < today {
			continue
		}
		if g.Headcount > 0 && int64(g.Placed) >= g.Headcount {
			continue // full by the county's count (GigView.Placed): Place would refuse it
		}
		if m, ok := score(w, trained, g); ok {
			m.Gig = g
			out = append(out, m)
		}
	}
	slices.SortStableFunc(out, func(a, b Match) int {
		if w.Older && a.Gig.SuitsOlder != b.Gig.SuitsOlder {
			if a.Gig.SuitsOlder {
				return -1
			}
			return 1
		}
		return b.Score - a.Score
	})
	return out, nil
}

// anyOf is ss as query arguments.
func anyOf(ss []string) []any {
	out := make([]any, len(ss))
	for i, v := range ss {
		out[i] = v
	}
	return out
}
