package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"fieldsync/station"
	"fieldsync/syncproto"
)

// cmdSetHub runs `station set-hub`: a new enrollment line for this station
// from a hub that moved, was renamed, changed its key or re-issued the
// line (`hub station code`). Only station.json's enrollment changes: the
// database, site, cursors and unsent changes stay.
func cmdSetHub(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("station set-hub", "station set-hub --dir DIR (--enroll-file FILE | --enroll -)", stderr)
	dir := fs.String("dir", "", "station directory")
	code := fs.String("enroll", "", `"-": read the new enrollment line from standard input`)
	codeFile := fs.String("enroll-file", "", "file holding the new enrollment line (`hub station code`)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		fs.Usage()
		return errors.New("set-hub: --dir is required")
	}
	if *code != "" && *code != "-" {
		return errors.New("set-hub: the enrollment line is secret and is not taken on the command line: " +
			"save it to a file and give --enroll-file FILE, or pipe it in with --enroll -")
	}
	if (*code == "") == (*codeFile == "") {
		fs.Usage()
		return errors.New("set-hub: give either --enroll-file FILE or --enroll -")
	}
	text, err := readCode(stdin, *codeFile)
	if err != nil {
		return err
	}
	cfg, err := station.SetHub(ctx, *dir, text)
	if err != nil {
		return err
	}
	e, err := syncproto.ParseEnrollment(cfg.Enrollment)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "station %q now syncs with %s (site %s kept, %d key pins); start it again with `station serve`\n",
		cfg.Name, e.HubURL, cfg.Site, len(e.Pins))
	fmt.Fprintf(stdout, "服务站“%s”已改为连接 %s，数据与站点号不变；请重新启动站点程序\n", cfg.Name, e.HubURL)
	return nil
}
