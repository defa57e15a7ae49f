package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sessiond/sessiond/internal/account"
	"github.com/sessiond/sessiond/internal/storeurl"
	"github.com/sessiond/sessiond/store"
)

const storeUsage = `store migrate --from URL --to URL [options]

  Copies every live session (with its user index) and every account from one
  store to another, for example from the embedded store to Redis when a
  deployment outgrows one machine. Sessions keep their tokens: users stay
  signed in across the switch. It is resumable: what the destination already
  holds is skipped, so run it again after an interruption. At the end it
  checks that every session and account it read is in the destination.

  Stop sessiond on the embedded store before migrating from it (the database
  allows one process); start it on the new store afterwards.

  An empty URL (or "bolt") means the embedded store in --data.`

func storeCommand(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "migrate" {
		fmt.Fprintf(env.Stderr, "usage: sessiond %s\n", storeUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return errUsage
	}
	fs := newFlagSet(env, "store migrate", storeUsage)
	from := fs.String("from", "", "the store to copy from")
	to := fs.String("to", "", "the store to copy to")
	o, _, err := parseWithName(fs, args[1:], env, false)
	if err != nil {
		return err
	}
	if *from == *to {
		return errors.New("--from and --to name the same store")
	}
	src, err := storeurl.Open(ctx, *from, o.Data, storeurl.Options{})
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	defer src.Close()
	dst, err := storeurl.Open(ctx, *to, o.Data, storeurl.Options{})
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	defer dst.Close()
	m := &migration{src: src, dst: dst, out: env.Stderr}
	return m.run(ctx, env.Stdout)
}

// migration copies one backend into another.
type migration struct {
	src, dst *storeurl.Backend
	out      io.Writer
}

func (m *migration) run(ctx context.Context, stdout io.Writer) error {
	users, err := m.copyAccounts(ctx)
	if err != nil {
		return err
	}
	total, err := count(ctx, m.src.Sessions)
	if err != nil {
		return fmt.Errorf("counting sessions: %w", err)
	}
	copied, skipped, keys, err := m.copySessions(ctx, total)
	if err != nil {
		return err
	}
	if err := m.verify(ctx, keys); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrated %d accounts and %d sessions (%d copied, %d already there) from %s to %s; verified\n",
		users, len(keys), copied, skipped, m.src.Describe, m.dst.Describe)
	return nil
}

// copyAccounts copies every user; existing ones are left as they are.
// Throttling state is not copied: it is short-lived by design.
func (m *migration) copyAccounts(ctx context.Context) (int, error) {
	users, err := m.src.Accounts.Users(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading accounts: %w", err)
	}
	for _, u := range users {
		if err := m.dst.Accounts.CreateUser(ctx, u); err != nil && !errors.Is(err, account.ErrUserExists) {
			return 0, fmt.Errorf("copying account %q: %w", u.Name, err)
		}
	}
	return len(users), nil
}

func count(ctx context.Context, st store.Store) (int, error) {
	n := 0
	for _, err := range st.All(ctx) {
		if err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// copySessions creates each live session in the destination, keeping its
// key, owner, expiry and data. A record the destination already has is
// skipped, which makes an interrupted migration resumable.
func (m *migration) copySessions(ctx context.Context, total int) (copied, skipped int, keys []store.Key, err error) {
	p := newProgress(m.out, total)
	for rec, err := range m.src.Sessions.All(ctx) {
		if err != nil {
			return 0, 0, nil, fmt.Errorf("reading sessions: %w", err)
		}
		switch err := m.dst.Sessions.Create(ctx, rec); {
		case err == nil:
			copied++
		case errors.Is(err, store.ErrExists):
			skipped++
		default:
			return 0, 0, nil, fmt.Errorf("copying a session: %w (run the command again to resume)", err)
		}
		keys = append(keys, rec.Key)
		p.step()
	}
	p.finish()
	return copied, skipped, keys, nil
}

// verify checks that every session read from the source resolves in the
// destination. A session that expired during the migration is no loss.
func (m *migration) verify(ctx context.Context, keys []store.Key) error {
	missing := 0
	for _, k := range keys {
		_, err := m.dst.Sessions.Get(ctx, k)
		switch {
		case err == nil:
		case errors.Is(err, store.ErrNotFound):
			if _, serr := m.src.Sessions.Get(ctx, k); serr == nil {
				missing++ // live in the source, absent in the destination
			}
		default:
			return fmt.Errorf("verifying: %w", err)
		}
	}
	if missing > 0 {
		return fmt.Errorf("verifying: %d of %d sessions are missing from the destination; run the command again", missing, len(keys))
	}
	return nil
}

// progress draws a one-line progress bar on a terminal-like writer.
type progress struct {
	w           io.Writer
	total, done int // records to copy, and copied so far
	last        time.Time
}

func newProgress(w io.Writer, total int) *progress { return &progress{w: w, total: total} }

func (p *progress) step() {
	p.done++
	if now := time.Now(); now.Sub(p.last) >= 200*time.Millisecond || p.done == p.total {
		p.last = now
		p.draw()
	}
}

func (p *progress) draw() {
	const width = 30
	frac := 1.0
	if p.total > 0 {
		frac = min(float64(p.done)/float64(p.total), 1)
	}
	bar := strings.Repeat("#", int(frac*width)) + strings.Repeat(".", width-int(frac*width))
	fmt.Fprintf(p.w, "\rsessions [%s] %d/%d", bar, p.done, p.total)
}

func (p *progress) finish() {
	p.draw()
	fmt.Fprintln(p.w)
}
