package main

import (
	"bufio"
	"context"
	"errors"
	"fieldsync/hub/access"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"text/tabwriter"
	"time"
)

// cliRemote is the "from where" of actions taken with the hub command.
const cliRemote = "local"

func cmdAdminAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs, dir := newFlags("admin add", stderr)
	user := fs.String("user", "", "administrator's user name")
	roleName := fs.String("role", "", "viewer, resolver, station_manager or owner")
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
	pw, err := readPassword(stdin, stderr)
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

// readPassword reads a password from stdin: one line from a pipe or file, or
// typed twice (without echo where stty can turn it off) at a terminal.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	var tty *os.File
	if f, ok := stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = f
		}
	}
	if tty != nil {
		if err := stty(tty, "-echo"); err == nil {
			defer stty(tty, "echo")
		}
	}
	in := bufio.NewReader(stdin)
	readLine := func(prompt string) (string, error) {
		if tty != nil {
			fmt.Fprint(stderr, prompt)
		}
		line, err := in.ReadString('\n')
		if tty != nil {
			fmt.Fprintln(stderr) // the typed newline was not echoed
		}
		if err != nil && !(errors.Is(err, io.EOF) && line != "") {
			return "", fmt.Errorf("read password: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	pw, err := readLine("Password: ")
	if err != nil {
		return "", err
	}
	if tty != nil {
		again, err := readLine("Password again: ")
		if err != nil {
			return "", err
		}
		if again != pw {
			return "", errors.New("the passwords differ")
		}
	}
	return pw, nil
}

// stty sets a terminal mode with the stty program (echo off while a password
// is typed); it fails harmlessly where there is none.
func stty(tty *os.File, arg string) error {
	cmd := exec.Command("stty", arg)
	cmd.Stdin = tty
	return cmd.Run()
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Name, a.Role, state, a.Created.Local().Format(time.DateTime), a.CreatedBy)
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
