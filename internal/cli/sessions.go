package cli

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

const sessionsUsage = `sessions <subcommand> --user NAME [options]

  sessions list --user NAME                  list the user's live sessions
  sessions revoke --user NAME [--handle H]   end one session, or all of the user's`

func sessionsCommand(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(env.Stderr, "usage: sessiond %s\n", sessionsUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return errUsage
	}
	sub, args := args[0], args[1:]
	if !slices.Contains([]string{"list", "revoke"}, sub) {
		fmt.Fprintf(env.Stderr, "sessiond sessions: unknown subcommand %q\nusage: sessiond %s\n", sub, sessionsUsage)
		return errUsage
	}
	fs := newFlagSet(env, "sessions "+sub, sessionsUsage)
	user := fs.String("user", "", "the user whose sessions to act on")
	handle := fs.String("handle", "", "with revoke: the session's handle (from sessions list)")
	o, _, err := parseWithName(fs, args, env, false)
	if err != nil {
		return err
	}
	if *user == "" {
		fs.Usage()
		return errUsage
	}
	a, err := connect(ctx, o, env)
	if err != nil {
		return err
	}
	defer a.close()
	path := "/admin/v1/users/" + url.PathEscape(*user) + "/sessions"
	switch sub {
	case "list":
		var out struct {
			Sessions []struct {
				Handle     string
				IP         string
				Device     string
				CreatedAt  time.Time `json:"created_at"`
				LastSeenAt time.Time `json:"last_seen_at"`
				AuthLevel  int       `json:"auth_level"`
			}
		}
		if err := a.do(ctx, "GET", path, nil, &out); err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "HANDLE\tDEVICE\tIP\tSIGNED IN\tLAST ACTIVE\tLEVEL")
		for _, s := range out.Sessions {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", s.Handle, s.Device, s.IP,
				s.CreatedAt.UTC().Format(time.RFC3339), s.LastSeenAt.UTC().Format(time.RFC3339), s.AuthLevel)
		}
		return tw.Flush()
	case "revoke":
		if *handle != "" {
			path += "?" + url.Values{"handle": {*handle}}.Encode()
		}
		var out struct{ Revoked int }
		if err := a.do(ctx, "DELETE", path, nil, &out); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "revoked %d session(s)\n", out.Revoked)
		return nil
	}
	return errUsage
}
