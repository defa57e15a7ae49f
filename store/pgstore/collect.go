package pgstore

import (
	"context"
	"time"
)

// collectLoop calls Collect on every tick until ctx, which Close cancels,
// is done. A failed collection is not reported: the next tick retries it,
// and expired rows are invisible whether or not a collection removes them.
func (s *Store) collectLoop(ctx context.Context, ticks <-chan time.Time) {
	defer close(s.collectorDone)
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
			s.Collect(ctx)
		}
	}
}

// Collect deletes every row expired by Now and returns how many it
// deleted. It deletes the oldest Config.CollectBatch expired rows per
// statement, each committed on its own, until a statement deletes fewer:
// a large backlog never holds many locks or one long transaction, and
// requests are served between batches. Rows locked by a writer or by
// another replica's collection are skipped, to be collected later. A
// failure or a done ctx stops it after the last committed batch, and the
// count includes every committed batch.
//
// The background collector calls Collect every Config.CollectEvery;
// callers need not, unless they disabled it. Collect only reclaims space:
// expired rows are invisible whether or not it has run.
func (s *Store) Collect(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.collectBatch(ctx)
		total += n
		if err != nil || n < s.batch {
			return total, err
		}
	}
}

// collectBatch deletes up to Config.CollectBatch of the oldest expired rows
// in one statement and returns how many it deleted.
func (s *Store) collectBatch(ctx context.Context) (int, error) {
	if err := s.usable(ctx, "collect"); err != nil {
		return 0, err
	}
	tag, err := s.pool.Exec(ctx, s.q.collect, s.now(), s.batch)
	if err != nil {
		return 0, failure(ctx, "collect", err)
	}
	return int(tag.RowsAffected()), nil
}
