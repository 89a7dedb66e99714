package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
)

// cmdTLS runs `hub tls rotate|switch|status`: the hub's key rotation
// (hub/tls.go). A new key is made and its pin published to stations at
// their next sync; once they all have it, switch serves it.
func cmdTLS(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	fs, dir := newFlags("tls "+args[0], stderr)
	cert := fs.String("tls-cert", "", "the CA-issued certificate `hub serve --tls-cert` serves now (for its pin)")
	var nextCert *string
	var doSwitch, force, asJSON *bool
	switch args[0] {
	case "rotate":
		nextCert = fs.String("next-cert", "", "a CA-issued certificate to come (its pin is published); without it a new self-signed key pair is made")
		doSwitch = fs.Bool("switch", false, "switch to the next key now (as `hub tls switch`)")
		force = fs.Bool("force", false, "with --switch: switch even if some stations were not sent the next pin")
	case "switch":
		force = fs.Bool("force", false, "switch even if some stations were not sent the next pin (they need `station set-hub`)")
	case "status":
		asJSON = fs.Bool("json", false, "print the status as JSON")
	default:
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	h, err := openHub(ctx, *dir, *cert)
	if err != nil {
		return err
	}
	defer h.Close()
	switch {
	case args[0] == "status":
		st, err := h.TLSStatus(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(st)
		}
		return printTLSStatus(stdout, st, h.Zone())
	case args[0] == "switch" || *doSwitch:
		return tlsSwitch(ctx, h, *dir, *force, stdout)
	}
	st, err := h.RotateTLS(ctx, *nextCert)
	if errors.Is(err, hub.ErrSameKey) {
		fmt.Fprintln(stdout, "该证书与现用证书密钥相同，服务站无需任何操作 / "+hub.ErrSameKey.Error())
		return nil
	}
	if err != nil {
		return err
	}
	if err := h.Access().Audit(ctx, access.AuditEntry{User: access.CLIUser, Action: "tls_rotate", Detail: st.Next, Remote: cliRemote}); err != nil {
		return err
	}
	if st.SelfSigned {
		fmt.Fprintf(stdout, "next key pair made in %s (next-cert.pem, next-key.pem), not served yet\n", *dir)
	} else {
		fmt.Fprintf(stdout, "the pin of %s is published as the next key's\n", *nextCert)
	}
	fmt.Fprintf(stdout, "current pin  %s\nnext pin     %s\n", st.Current, st.Next)
	fmt.Fprintf(stdout, "服务站下次同步时收到新密钥的指纹。待全部收到后（hub tls status --dir %s），运行 hub tls switch --dir %s 并重启县级平台。\n", *dir, *dir)
	fmt.Fprintf(stdout, "Stations receive the next pin at their next sync. Once all have it (hub tls status --dir %s), run hub tls switch --dir %s and restart the hub.\n", *dir, *dir)
	return nil
}

func tlsSwitch(ctx context.Context, h *hub.Hub, dir string, force bool, stdout io.Writer) error {
	res, err := h.SwitchTLS(ctx, force)
	if err != nil {
		return err
	}
	if err := h.Access().Audit(ctx, access.AuditEntry{User: access.CLIUser, Action: "tls_switch", Detail: res.Pin, Remote: cliRemote}); err != nil {
		return err
	}
	if res.OldCert != "" {
		fmt.Fprintf(stdout, "the next key pair is now cert.pem and key.pem in %s; the old pair is kept as %s and %s\n", dir, res.OldCert, res.OldKey)
		fmt.Fprintln(stdout, "请重启县级平台（hub serve）以启用新证书 / restart the hub (hub serve) to serve the new key")
	} else {
		fmt.Fprintln(stdout, "the next pin is now the current one: serve the new certificate (hub serve --tls-cert F --tls-key F) and restart the hub")
		fmt.Fprintln(stdout, "请用新证书重启县级平台 / restart the hub with the new certificate")
	}
	fmt.Fprintf(stdout, "pin served from now on  %s\n", res.Pin)
	return nil
}

func printTLSStatus(w io.Writer, st hub.TLSStatus, zone *time.Location) error {
	cur := st.Current
	if cur == "" {
		cur = "(none: plain http, or TLS ended before the hub)"
	}
	fmt.Fprintf(w, "current pin  %s\n", cur)
	if st.Next == "" {
		fmt.Fprintln(w, "next pin     (none: `hub tls rotate` makes one)")
		return nil
	}
	fmt.Fprintf(w, "next pin     %s (since %s)\n", st.Next, st.NextSince.In(zone).Format(time.DateTime))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATION\tSENT THE NEXT PIN\tLAST SEEN")
	for _, s := range st.Stations {
		sent, seen := "not yet / 尚未", "never"
		if !s.Sent.IsZero() {
			sent = s.Sent.In(zone).Format(time.DateTime)
		}
		if !s.LastSeen.IsZero() {
			seen = s.LastSeen.In(zone).Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, sent, seen)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	lack := st.Lacking()
	fmt.Fprintf(w, "%d of %d stations were sent the next pin\n", len(st.Stations)-len(lack), len(st.Stations))
	return nil
}

// cmdStationCode runs `hub station code`: a new enrollment line for a
// station that keeps its data (the hub moved, renamed or changed its key;
// the line was lost): the hub's address and pins now, a new token, the
// station's site and scope kept. The station takes it with `station
// set-hub`.
func cmdStationCode(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dir := newFlags("station code", stderr)
	name := fs.String("name", "", "station name")
	out := fs.String("out", "", "also write the enrollment line to this file (for a USB stick)")
	cert := fs.String("tls-cert", "", "the certificate `hub serve --tls-cert` uses, to pin it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	h, err := openHub(ctx, *dir, *cert)
	if err != nil {
		return err
	}
	defer h.Close()
	e, err := h.StationCode(ctx, *name)
	if err != nil {
		return err
	}
	if err := h.Access().Audit(ctx, access.AuditEntry{User: access.CLIUser, Action: access.AuditStationAdd,
		Detail: *name + " (new line, same site)", Remote: cliRemote}); err != nil {
		return err
	}
	return printEnrollment(e.String(), *out, stdout)
}
