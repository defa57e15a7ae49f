package boltaccount

import (
	"bytes"
	"context"
	"time"

	bolt "go.etcd.io/bbolt"
)

// sweepBatch is how many throttling entries one write transaction of a
// sweep examines, so that logins are served between batches however many
// entries a spray left behind.
const sweepBatch = 1000

// sweepLoop calls Sweep every interval until ctx, which Close cancels, is
// done. A failed sweep is not reported: the next tick retries it, and
// forgotten entries read as zero whether or not a sweep removed them.
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

// Sweep deletes every throttling entry whose latest failure is older than
// Config.Forget by Config.Now, and every entry that does not decode (a
// damaged counter would otherwise make its logins fail until restored),
// and returns how many it deleted. Users are never touched.
//
// It walks the entries in batches of one write transaction each, so
// logins are served in between; a failure or a done ctx stops it after
// the last committed batch, and the count includes every committed batch.
// The background sweeper calls Sweep every Config.SweepEvery; callers need
// not, unless they disabled it.
func (s *Store) Sweep(ctx context.Context) (int, error) {
	cutoff := s.now().Add(-s.forget)
	total := 0
	var from []byte
	for {
		n, next, err := s.sweepFrom(ctx, from, cutoff)
		total += n
		if err != nil || next == nil {
			return total, err
		}
		from = next
	}
}

// sweepFrom examines up to sweepBatch entries from the key from on (nil:
// the first), deletes those forgotten before cutoff, and returns how many
// it deleted and the key to continue from, or nil at the end.
func (s *Store) sweepFrom(ctx context.Context, from []byte, cutoff time.Time) (int, []byte, error) {
	var doomed [][]byte
	var next []byte
	err := s.update(ctx, "sweep", func(_, failures *bolt.Bucket) error {
		doomed, next = doomed[:0], nil
		c := failures.Cursor()
		k, v := c.First()
		if from != nil {
			k, v = c.Seek(from)
		}
		for seen := 0; k != nil; k, v = c.Next() {
			if seen == sweepBatch {
				next = bytes.Clone(k)
				break
			}
			seen++
			if f, err := decodeFailures(v); err != nil || f.Last.Before(cutoff) {
				// Collect first: deleting under a cursor can make it
				// skip entries.
				doomed = append(doomed, bytes.Clone(k))
			}
		}
		if len(doomed) == 0 {
			return errUnchanged
		}
		for _, k := range doomed {
			if err := failures.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return len(doomed), next, nil
}
