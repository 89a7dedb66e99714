package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"fieldsync/hub/access"
	"fieldsync/webkit"
)

// cliRemote is the "from where" of actions taken with the hub command.
const cliRemote = "local"

func cmdAdminAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs, dir := newFlags("admin add", stderr)
	user := fs.String("user", "", "administrator's user name")
	roleName := fs.String("role", "", "viewer, resolver, station_manager, rights_officer or owner")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *user == "" || *roleName == "" {
		return errors.New("admin add: --user and --role are required (the password is read from stdin)")
	}
	role, err := access.ParseRole(*roleName)
	if err != nil {
		return fmt.Errorf("admin add: %w", err)
	}
	if err := needDir(*dir); err != nil {
		return err
	}
	pw, err := webkit.ReadNewPassword(stdin, stderr) // no echo at a terminal (Windows too); one line from a pipe
	if err != nil {
		return fmt.Errorf("admin add: %w", err)
	}
	if err := access.CheckAdminPassword(pw); err != nil {
		return fmt.Errorf("admin add: %w", err)
	}
	h, err := openHub(ctx, *dir, "")
	if err != nil {
		return err
	}
	defer h.Close()
	if err := h.Access().AddAdmin(ctx, access.Actor{User: access.CLIUser, Remote: cliRemote}, *user, role, pw); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "administrator %q added with role %s\n", *user, role)
	return nil
}

func cmdAdminList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dir := newFlags("admin list", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	h, err := openHub(ctx, *dir, "")
	if err != nil {
		return err
	}
	defer h.Close()
	admins, err := h.Access().Admins(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tROLE\tSTATE\tCREATED\tBY")
	for _, a := range admins {
		state := "active"
		if a.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Name, a.Role, state, a.Created.In(h.Zone()).Format(time.DateTime), a.CreatedBy)
	}
	return tw.Flush()
}

func cmdAdminDisable(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dir := newFlags("admin disable", stderr)
	user := fs.String("user", "", "administrator's user name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *user == "" {
		return errors.New("admin disable: --user is required")
	}
	h, err := openHub(ctx, *dir, "")
	if err != nil {
		return err
	}
	defer h.Close()
	if err := h.Access().DisableAdmin(ctx, access.Actor{User: access.CLIUser, Remote: cliRemote}, *user); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "administrator %q disabled; their sessions have ended\n", *user)
	return nil
}
