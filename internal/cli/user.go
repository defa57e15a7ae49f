package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

const userUsage = `user <subcommand> [options]

  user add NAME --password-stdin      create a user; the password is read from standard input
  user passwd NAME --password-stdin   set a new password and sign the user out everywhere
  user disable NAME                   disable a user and sign them out everywhere
  user enable NAME                    enable a disabled user
  user list                           list users`

func userCommand(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(env.Stderr, "usage: sessiond %s\n", userUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return errUsage
	}
	sub, args := args[0], args[1:]
	if !slices.Contains([]string{"add", "passwd", "disable", "enable", "list"}, sub) {
		fmt.Fprintf(env.Stderr, "sessiond user: unknown subcommand %q\nusage: sessiond %s\n", sub, userUsage)
		return errUsage
	}
	fs := newFlagSet(env, "user "+sub, userUsage)
	passwordStdin := fs.Bool("password-stdin", false, "read the password from standard input (one line)")
	o, name, err := parseWithName(fs, args, env, sub != "list")
	if err != nil {
		return err
	}
	a, err := connect(ctx, o, env)
	if err != nil {
		return err
	}
	defer a.close()
	path := "/admin/v1/users/" + url.PathEscape(name)
	switch sub {
	case "add", "passwd":
		if !*passwordStdin {
			return errors.New("give the password on standard input with --password-stdin (never on the command line, where other users can read it)")
		}
		password, err := readPassword(env.Stdin)
		if err != nil {
			return err
		}
		if sub == "add" {
			return a.do(ctx, "POST", "/admin/v1/users", map[string]string{"name": name, "password": password}, nil)
		}
		return a.do(ctx, "PUT", path+"/password", map[string]string{"password": password}, nil)
	case "disable":
		return a.do(ctx, "POST", path+"/disable", nil, nil)
	case "enable":
		return a.do(ctx, "POST", path+"/enable", nil, nil)
	case "list":
		var out struct {
			Users []struct {
				Name              string
				Disabled          bool
				CreatedAt         time.Time `json:"created_at"`
				PasswordChangedAt time.Time `json:"password_changed_at"`
			}
		}
		if err := a.do(ctx, "GET", "/admin/v1/users", nil, &out); err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tSTATUS\tCREATED\tPASSWORD CHANGED")
		for _, u := range out.Users {
			status := "active"
			if u.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, status, u.CreatedAt.UTC().Format(time.RFC3339), u.PasswordChangedAt.UTC().Format(time.RFC3339))
		}
		return tw.Flush()
	}
	fmt.Fprintf(env.Stderr, "sessiond user: unknown subcommand %q\nusage: sessiond %s\n", sub, userUsage)
	return errUsage
}

// parseWithName parses options and, when wanted, exactly one positional
// NAME, before or after the options.
func parseWithName(fs *flag.FlagSet, args []string, env Env, wantName bool) (*Options, string, error) {
	var name string
	if wantName && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	o, err := parseOptions(fs, args, env.Getenv, false)
	if err != nil {
		return nil, "", err
	}
	rest := fs.Args()
	if wantName && name == "" && len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 || (wantName && name == "") {
		fs.Usage()
		return nil, "", errUsage
	}
	return o, name, nil
}

// readPassword reads one line, without its line ending, of at most 1024
// bytes.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 1026)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}
