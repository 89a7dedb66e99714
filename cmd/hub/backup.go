package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"fieldsync/hub"
)

// cmdBackup writes a consistent copy of the hub's database, also while the
// hub serves.
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dir := newFlags("backup", stderr)
	out := fs.String("out", "", "the backup file to write (must not exist; a folder gets a dated file)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := needDir(*dir); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("backup: --out is required")
	}
	file, err := hub.Backup(ctx, *dir, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已备份到 %s。请把备份复制到另一台机器或U盘保存。\nBacked up to %s. Copy it off this machine.\n", file, file)
	return nil
}

// cmdRestore puts a backup back as the hub's database, while the hub is
// stopped, and says what happens next.
func cmdRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dir := newFlags("restore", stderr)
	from := fs.String("from", "", "the backup file to restore")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := needDir(*dir); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("restore: --from is required")
	}
	res, err := hub.Restore(ctx, *dir, *from, time.Now())
	if err != nil {
		return err
	}
	if res.Aside != "" {
		fmt.Fprintf(stdout, "原数据库已移到 %s（未删除）。\nThe database it replaced was moved to %s (not deleted).\n", res.Aside, res.Aside)
	}
	fmt.Fprintf(stdout, `已从 %s 恢复县级集线器的数据库（新的运行编号 %016x）。接下来：
  1. 启动集线器（hub serve）。各服务站下次连接时会自动重新同步：把备份之后本站做的工作重新上传，并重新下载集线器上的全部数据。服务站无需任何操作；旧版本的服务站会提示先升级软件。
  2. 备份之后在集线器上直接做的修改已丢失，需要重新操作：县级发布的零工岗位、冲突处理结果、县级分配（分配服务站）等。
  3. 在“服务站”页面查看每个服务站是否已重新连接。
The hub's database was restored from %s (new incarnation %016x). Next:
  1. Start the hub (hub serve). Each station syncs again by itself when it next connects: it sends the work it did after the backup again and downloads everything the hub holds. Stations need do nothing; a station of an earlier release is asked to upgrade first.
  2. Changes made at the hub itself after the backup are lost and must be done again: county gig postings, conflict resolutions, assignments of people to stations.
  3. Watch the stations page until every station has connected again.
`, *from, res.Incarnation.ID, *from, res.Incarnation.ID)
	return nil
}
