package syncclient

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"
)

// The station's log holds its own changes until the hub has them, and the
// hub's changes relayed to it. Once the hub has acknowledged a change and
// LogRetention has passed since that acknowledgement, nobody needs the station's copy of the log row:
// the rows' merge state stays, and the hub keeps every version. Trimming
// keeps a station's database near the size of its records (the target: at
// most twice a plain table's).

// DefaultLogRetention is how long a station keeps log rows after the hub
// acknowledged them (counted from the acknowledgement), when
// Config.LogRetention is 0: long enough that a hub restored from a backup
// of the last weeks still gets every change again.
const DefaultLogRetention = 90 * 24 * time.Hour

// trimEvery is how often, at most, a session trims the log.
const trimEvery = 6 * time.Hour

// trimmedState is the highest acknowledged sequence a trim has deleted up
// to: a hub resuming below it has lost changes the station no longer has.
const trimmedState = "sync.trimmed_through"

// trimLog deletes the log rows up to acked whose acknowledgement by the hub
// is older than the retention (acks.go), at most once per trimEvery, and
// records how far it went.
func (c *Client) trimLog(ctx context.Context, acked uint64) {
	if c.cfg.LogRetention < 0 || acked == 0 {
		return
	}
	now := c.cfg.Now()
	c.mu.Lock()
	due := now.Sub(c.trimmedAt) >= trimEvery || now.Before(c.trimmedAt)
	c.mu.Unlock()
	if !due {
		return
	}
	rep := c.cfg.Replica
	before := rep.Clock().Wall().Add(-c.cfg.LogRetention)
	limit := min(acked, ackedBy(c.ackTimes(ctx), before))
	if limit == 0 {
		return // nothing acknowledged long enough ago: look again at the next ack
	}
	c.mu.Lock()
	c.trimmedAt = now
	c.mu.Unlock()
	// How far the trim really goes: the last row old enough, acked long
	// enough ago.
	var through sql.NullInt64
	if err := rep.DB().QueryRowContext(ctx, `SELECT max(seq) FROM fs_log WHERE seq <= ? AND at < ?`,
		int64(limit), before.UnixMilli()).Scan(&through); err != nil {
		c.log.Warn("trim log", "err", err)
		return
	}
	if !through.Valid {
		return
	}
	// Recorded before the rows go: a crash in between warns too early,
	// never too late.
	if err := rep.SetState(ctx, trimmedState, []byte(strconv.FormatInt(through.Int64, 10))); err != nil {
		c.log.Warn("trim log: record how far", "err", err)
		return
	}
	n, err := rep.TrimLog(ctx, uint64(through.Int64), before)
	if err != nil {
		c.log.Warn("trim log", "err", err)
		return
	}
	c.log.Info("trimmed the log", "changes", n, "through", through.Int64)
}

// checkResume warns when the hub resumes below what this station trimmed:
// the hub lost changes it had acknowledged (restored from an older backup),
// and the station cannot send them again from its log.
func (c *Client) checkResume(ctx context.Context, resume uint64) {
	b, err := c.cfg.Replica.State(ctx, trimmedState)
	if err != nil || b == nil {
		return
	}
	through, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return
	}
	if resume >= through {
		c.mu.Lock()
		c.st.Warning = "" // a hub that has everything again
		c.mu.Unlock()
		return
	}
	c.log.Error("the hub resumes below this station's trimmed log: it lost changes it had acknowledged",
		"resume", resume, "trimmed_through", through)
	c.mu.Lock()
	c.st.Warning = "县级集线器的数据比本站旧（可能从旧备份恢复），本站已清理的部分更改无法重新上传，请联系县级管理员。" +
		" The hub's data is older than this station's (restored from an old backup?); changes this station already trimmed cannot be sent again: call the county administrator."
	c.mu.Unlock()
}

// resumeWarning starts the warning shown while the hub's resume point lies
// beyond this station's log.
const resumeWarning = "县级集线器记录的本站上传进度超出了本站的日志"

// checkResumeInLog refuses a resume point beyond the last sequence this
// station's log ever had (sqlite_sequence keeps it after trims): the hub
// would acknowledge changes it never received, and this station would skip
// or trim them. The station's staff see a warning until the hub resumes
// within the log again.
func (c *Client) checkResumeInLog(ctx context.Context, resume uint64) error {
	rep := c.cfg.Replica
	last, err := rep.MaxSeq(ctx)
	if err != nil {
		return err
	}
	var high sql.NullInt64
	if err := rep.DB().QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = 'fs_log'`).Scan(&high); err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("read the log's last sequence: %w", err)
	}
	last = max(last, uint64(max(high.Int64, 0)))
	c.mu.Lock()
	defer c.mu.Unlock()
	if resume <= last {
		if len(c.st.Warning) >= len(resumeWarning) && c.st.Warning[:len(resumeWarning)] == resumeWarning {
			c.st.Warning = ""
		}
		return nil
	}
	c.log.Error("the hub resumes beyond this station's log: refused, nothing trimmed or skipped",
		"resume", resume, "log_last", last)
	c.st.Warning = fmt.Sprintf("%s（集线器：%d，本站日志：%d），本站未删除或跳过任何更改，已拒绝同步，请联系县级管理员。"+
		" The hub says it holds this station's changes through %d, beyond this station's log (%d): sync refused, nothing trimmed or skipped; call the county administrator.",
		resumeWarning, resume, last, resume, last)
	return fmt.Errorf("the hub's resume point %d is beyond this station's log (%d)", resume, last)
}
