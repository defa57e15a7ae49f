package pgaccount

import (
	"context"
	"time"
)

// sweepBatch is how many throttling rows one statement of a sweep deletes
// at most, so that a big backlog (a spray from a botnet) never holds many
// row locks, or the table's attention, for long.
const sweepBatch = 1000

// sweepLoop calls Sweep every interval until ctx, which Close cancels, is
// done. A failed sweep is not reported: the next tick retries it, and
// forgotten rows read as zero whether or not a sweep removed them.
func (s *Store) sweepLoop(ctx context.Context, every time.Duration) {
	defer close(s.sweeperDone)
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			s.sweep(ctx)
		}
	}
}

// Sweep deletes every throttling row whose latest failure is older than
// Config.Forget by Config.Now (a failure exactly Forget old stays), and
// returns how many it deleted. Users are never touched.
//
// It deletes in statements of at most 1000 rows each, committed one by
// one, so logins are served in between; a failure or a done ctx stops it
// after the last committed batch, and the count includes every committed
// batch. Rows that a login holds locked are skipped until a later sweep.
// The background sweeper calls Sweep every Config.SweepEvery; callers need
// not, unless they disabled it. Several replicas may sweep at once.
func (s *Store) Sweep(ctx context.Context) (int, error) {
	if err := s.usable(ctx, "sweep"); err != nil {
		return 0, err
	}
	return s.sweep(ctx)
}

// sweep is Sweep without the check for Close, for the sweeper: Close
// cancels its ctx and waits for it to return.
func (s *Store) sweep(ctx context.Context) (int, error) {
	cutoff := s.now().Add(-s.forget)
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, failure("sweep", err)
		}
		tag, err := s.pool.Exec(ctx, s.sql.sweep, cutoff, sweepBatch)
		if err != nil {
			return total, failure("sweep", err)
		}
		n := int(tag.RowsAffected())
		total += n
		if n < sweepBatch {
			return total, nil
		}
	}
}
