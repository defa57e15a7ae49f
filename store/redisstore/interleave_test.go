package redisstore

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sessiond/sessiond/store"
)

// TestWriteInFlightStaysReachableByDeleteUser runs ListUser or DeleteUser
// in the gap between the two steps of a write that gives a record to a
// user: after the index entry is added, before the record names the user.
// Neither may remove that entry, although at that moment it resolves to no
// record of the user: once the write lands, revoking every session of the
// user must still reach the record. This is why stale entries are not
// removed on sight (see the package documentation).
func TestWriteInFlightStaysReachableByDeleteUser(t *testing.T) {
	writes := []struct {
		name   string
		script *redis.Script // the write's second step, before which the gap is
		// write makes rec alice's, starting from a store in which setup ran.
		setup func(t *testing.T, s *Store, rec store.Record) store.Record
	}{
		{"create", createScript, func(t *testing.T, s *Store, rec store.Record) store.Record {
			return rec
		}},
		{"update_to_a_new_owner", updateScript, func(t *testing.T, s *Store, rec store.Record) store.Record {
			rec.UserID = "bob"
			if err := s.Create(t.Context(), rec); err != nil {
				t.Fatalf("Create: %v", err)
			}
			rec.UserID, rec.Version = "alice", 2
			return rec
		}},
	}
	gaps := []struct {
		name string
		run  func(ctx context.Context, s *Store) (int, error)
	}{
		{"list_user", func(ctx context.Context, s *Store) (int, error) {
			recs, err := s.ListUser(ctx, "alice")
			return len(recs), err
		}},
		{"delete_user", func(ctx context.Context, s *Store) (int, error) {
			return s.DeleteUser(ctx, "alice", store.Key{})
		}},
	}
	for _, w := range writes {
		for _, gap := range gaps {
			t.Run(w.name+"_with_"+gap.name+"_in_the_gap", func(t *testing.T) {
				ctx := t.Context()
				client := standaloneClient(t)
				s := newTestStore(t, client, Config{}, nil)
				rec := w.setup(t, s, testRecord("alice", time.Now(), 16))
				hook := &gapHook{sha: w.script.Hash(), gap: func() {
					if n, err := gap.run(ctx, s); err != nil || n != 0 {
						t.Errorf("%s in the gap = %d, %v, want 0, nil", gap.name, n, err)
					}
				}}
				client.AddHook(hook)
				write := s.Create
				if rec.Version > 1 {
					write = s.Update
				}
				if err := write(ctx, rec); err != nil {
					t.Fatalf("write: %v", err)
				}
				if !hook.ran {
					t.Fatal("the gap was never reached")
				}
				if n, err := s.DeleteUser(ctx, "alice", store.Key{}); err != nil || n != 1 {
					t.Fatalf("DeleteUser after the write = %d, %v, want 1: the record escaped revocation", n, err)
				}
			})
		}
	}
}

// gapHook calls gap once, just before the first pipeline that runs the
// script whose digest is sha.
type gapHook struct {
	sha  string
	gap  func()
	once sync.Once
	ran  bool
}

func (h *gapHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *gapHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

func (h *gapHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			if args := cmd.Args(); len(args) > 1 && cmd.Name() == "evalsha" && args[1] == h.sha {
				h.once.Do(func() {
					h.ran = true
					h.gap()
				})
			}
		}
		return next(ctx, cmds)
	}
}
