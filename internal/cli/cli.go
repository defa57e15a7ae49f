// Package cli is the sessiond command: its subcommands, options and the
// wiring of the service. cmd/sessiond only calls Main.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Env is what the command gets from its process, so that tests can run it
// in-process.
type Env struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// command is one subcommand.
type command struct {
	name  string
	usage string
	run   func(ctx context.Context, env Env, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"serve", "serve [options]: run the service (the default)", serve},
		{"user", "user add|passwd|disable|enable|list: manage accounts", userCommand},
		{"sessions", "sessions list|revoke --user NAME: inspect and end sessions", sessionsCommand},
		{"backup", "backup --out FILE: write a consistent copy of the embedded database", backup},
		{"store", "store migrate --from URL --to URL: copy sessions and accounts to another store", storeCommand},
		{"version", "version: print the version", version},
	}
}

// errUsage marks a usage error already explained to the user.
var errUsage = errors.New("usage")

// Main runs sessiond with args (without the program name) and returns the
// process's exit code.
func Main(ctx context.Context, args []string, env Env) int {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	for _, c := range commands {
		if c.name == name {
			err := c.run(ctx, env, args)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				return 2
			}
			fmt.Fprintf(env.Stderr, "sessiond %s: %v\n", name, err)
			return 1
		}
	}
	if name != "help" {
		fmt.Fprintf(env.Stderr, "sessiond: unknown command %q\n\n", name)
	}
	fmt.Fprintln(env.Stderr, "usage: sessiond <command> [options]; `sessiond <command> --help` for each")
	for _, c := range commands {
		fmt.Fprintf(env.Stderr, "  %s\n", c.usage)
	}
	if name == "help" {
		return 0
	}
	return 2
}

// newFlagSet returns a flag set that reports errors to env.Stderr.
func newFlagSet(env Env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("sessiond "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "usage: sessiond %s\n\noptions:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

func newLogger(w io.Writer, format string) *slog.Logger {
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}
