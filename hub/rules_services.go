package hub

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// The services' merge rule (DESIGN "Conflicts"): a certificate number is
// unique per kind across the county. A station refuses a second enrolment
// with a number it already holds (records.KeyCertificateTaken), but two
// stations each holding one, offline, break the rule together: neither is
// wrong by itself (the same person enrolled at two stations, or a number
// mistyped at one), so the hub keeps both and asks the county, as for two
// open registrations. The conflict is keyed on the certificate (its kind
// and number), not on a person, since two people may hold the one number;
// it is settled as soon as at most one live enrolment holds it.

// KindCertificateDuplicate: one certificate number of a kind on two or more
// live enrolments.
const KindCertificateDuplicate = "certificate_duplicate"

func init() { ConflictKinds = append(ConflictKinds, KindCertificateDuplicate) }

// certificate is a certificate's key: its kind and number.
type certificate struct{ kind, no string }

// row is the conflict's key row: an id derived from the kind and number,
// the same at every check (no row of the table has it).
func (c certificate) row() ident.ID {
	sum := sha256.Sum256([]byte("certificate\x00" + c.kind + "\x00" + c.no))
	var id ident.ID
	copy(id[:], sum[:len(id)])
	return id
}

// checkServices checks the certificate rule for what changes touched:
// the certificates the changed enrolments hold now, and those of the open
// conflicts naming them (an enrolment whose number changed or that was
// deleted may settle one).
func (rc *recorder) checkServices(ctx context.Context, changes []replica.Change, by string) error {
	var rows []ident.ID
	for i := range changes {
		if changes[i].Table == records.TrainingEnrolments && !slices.Contains(rows, changes[i].Row) {
			rows = append(rows, changes[i].Row)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	var certs []certificate
	add := func(c certificate) {
		if c.kind != "" && c.no != "" && !slices.Contains(certs, c) {
			certs = append(certs, c)
		}
	}
	for _, id := range rows {
		row, err := rc.tx.Row(ctx, records.TrainingEnrolments, id)
		if err != nil {
			return fmt.Errorf("enrolment %s: %w", id, err)
		}
		if row != nil && row[replica.DeletedColumn] != int64(1) {
			add(certificate{ValueText(row["certificate_kind"]), ValueText(row["certificate_no"])})
		}
	}
	open, err := rc.openCertificates(ctx, rows)
	if err != nil {
		return err
	}
	for _, c := range open {
		add(c)
	}
	for _, c := range certs {
		if err := rc.ruleCertificate(ctx, c, by, Resolution{How: "cleared", Station: by}); err != nil {
			return err
		}
	}
	return nil
}

// openCertificates lists the certificates of the open conflicts whose
// values name one of rows.
func (rc *recorder) openCertificates(ctx context.Context, rows []ident.ID) ([]certificate, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.String()
	}
	list, _ := json.Marshal(ids)
	q, err := rc.tx.Query(ctx, `SELECT vals FROM hub_conflicts WHERE kind = ? AND status = 'open'
		AND EXISTS (SELECT 1 FROM json_each(hub_conflicts.vals) v, json_each(?) r WHERE json_extract(v.value, '$.row') = r.value)`,
		KindCertificateDuplicate, string(list))
	if err != nil {
		return nil, fmt.Errorf("open certificate conflicts: %w", err)
	}
	defer q.Close()
	var out []certificate
	for q.Next() {
		var js string
		if err := q.Scan(&js); err != nil {
			return nil, fmt.Errorf("open certificate conflicts: %w", err)
		}
		if c, ok := certificateOf(js); ok {
			out = append(out, c)
		}
	}
	return out, q.Err()
}

// certificateOf reads a conflict's certificate from its values (each holds
// the number, and the kind as its note).
func certificateOf(vals string) (certificate, bool) {
	var vs []ConflictValue
	if json.Unmarshal([]byte(vals), &vs) != nil || len(vs) == 0 {
		return certificate{}, false
	}
	no, _ := vs[0].Value.(string)
	return certificate{kind: vs[0].Note, no: no}, no != ""
}

// recheckCertificate runs the rule again for a conflict an administrator
// acted on.
func (rc *recorder) recheckCertificate(ctx context.Context, c Conflict, by string, how Resolution) error {
	js, err := json.Marshal(c.Values)
	if err != nil {
		return fmt.Errorf("conflict %d: %w", c.ID, err)
	}
	cert, ok := certificateOf(string(js))
	if !ok {
		return nil
	}
	return rc.ruleCertificate(ctx, cert, by, how)
}

// ruleCertificate raises or settles the conflict of one certificate: every
// live enrolment holding it, each with its station.
func (rc *recorder) ruleCertificate(ctx context.Context, c certificate, by string, how Resolution) error {
	key := c.row()
	rows, err := rc.tx.Query(ctx, `SELECT e.id, coalesce(e.station, '') FROM training_enrolments e
		WHERE e.certificate_no = ? AND e.certificate_kind = ? AND e.fs_deleted = 0 ORDER BY e.id`, c.no, c.kind)
	if err != nil {
		return fmt.Errorf("enrolments holding a certificate: %w", err)
	}
	var vals []ConflictValue
	var stations []string
	var first ident.ID
	for rows.Next() {
		var id []byte
		var station string
		if err := rows.Scan(&id, &station); err != nil {
			rows.Close()
			return fmt.Errorf("enrolments holding a certificate: %w", err)
		}
		var rid ident.ID
		copy(rid[:], id)
		if len(vals) == 0 {
			first = rid
		}
		vals = append(vals, ConflictValue{Index: len(vals), Value: c.no, Column: "certificate_no", Row: rid.String(),
			Station: station, Note: c.kind})
		if !slices.Contains(stations, station) {
			stations = append(stations, station)
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("enrolments holding a certificate: %w", err)
	}
	if len(vals) < 2 {
		return rc.settle(ctx, KindCertificateDuplicate, records.TrainingEnrolments, key, "", by, how)
	}
	var n int
	if err := rc.tx.QueryRow(ctx, `SELECT count(*) FROM hub_conflicts WHERE row = ? AND kind = ? AND status = 'open'`,
		key.String(), KindCertificateDuplicate).Scan(&n); err != nil {
		return fmt.Errorf("open certificate conflict: %w", err)
	}
	if n == 0 {
		dismissed, err := rc.dismissedBefore(ctx, KindCertificateDuplicate, records.TrainingEnrolments, key, vals)
		if err != nil || dismissed {
			return err
		}
	}
	if err := rc.upsert(ctx, KindCertificateDuplicate, records.TrainingEnrolments, key, "", stations, vals); err != nil {
		return err
	}
	// The key row is no enrolment: the conflict shows the first holder and
	// the certificate.
	l, err := labelOf(ctx, rc.tx.Row, records.TrainingEnrolments, first)
	if err != nil {
		return fmt.Errorf("label certificate conflict: %w", err)
	}
	worker := ""
	if !l.id.IsZero() {
		worker = l.id.String()
	}
	if _, err := rc.tx.Exec(ctx, `UPDATE hub_conflicts SET worker = ?, worker_name = ?, id_masked = ?, label = ?
		WHERE row = ? AND kind = ? AND status = 'open'`, worker, l.name, l.masked, c.kind+" "+c.no,
		key.String(), KindCertificateDuplicate); err != nil {
		return fmt.Errorf("label certificate conflict: %w", err)
	}
	return nil
}
