package boltstore

import (
	"context"
	"time"

	"github.com/sessiond/sessiond/store"
)

// sweepLoop calls Sweep every interval until ctx, which Close cancels, is
// done. A failed sweep is not reported: the next tick retries it, and
// expired records are invisible whether or not a sweep removes them.
func (s *Store) sweepLoop(ctx context.Context, every time.Duration) {
	defer close(s.sweeperDone)
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			s.Sweep(ctx)
		}
	}
}

// Sweep removes every record expired by Now from the file, with its index
// entries, and returns how many it removed. It commits a write transaction
// per Config.SweepBatch records, so requests are served between batches; a
// failure or a done ctx stops it after the last committed batch, and the
// count includes every committed batch.
//
// The background sweeper calls Sweep every Config.SweepEvery; callers need
// not, unless they disabled it. Sweep only reclaims disk space: expired
// records are invisible whether or not it has run. It works from the expiry
// index alone, so it also removes expired records whose values no longer
// decode.
func (s *Store) Sweep(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.sweepBatch(ctx)
		total += n
		if err != nil || n < s.batch {
			return total, err
		}
	}
}

// sweepBatch removes up to Config.SweepBatch expired records, oldest expiry
// first, in one write transaction.
func (s *Store) sweepBatch(ctx context.Context) (int, error) {
	removed := 0
	err := s.update(ctx, "sweep", func(b buckets) error {
		removed = 0
		now := nanos(s.now())
		type entry struct {
			key    store.Key
			exp    int64
			userID string
		}
		// Collect first: deleting under a cursor can make it skip entries.
		var doomed []entry
		c := b.expiry.Cursor()
		for k, v := c.First(); k != nil && len(doomed) < s.batch; k, v = c.Next() {
			var e entry
			if len(k) != instantLen+len(e.key) {
				return corrupt("expiry index key of %d bytes", len(k))
			}
			if e.exp = instant(k); e.exp > now {
				break // the index is in expiry order: the rest is live
			}
			copy(e.key[:], k[instantLen:])
			e.userID = string(v)
			doomed = append(doomed, e)
		}
		if len(doomed) == 0 {
			return errUnchanged
		}
		for _, e := range doomed {
			if err := b.remove(e.key, e.userID, e.exp); err != nil {
				return err
			}
		}
		removed = len(doomed)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return removed, nil
}
