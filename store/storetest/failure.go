package storetest

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/sessiond/sessiond/store"
)

// every calls each method of s once and returns the errors by method name.
func every(ctx context.Context, s store.Store, rec store.Record) map[string]error {
	errs := map[string]error{}
	_, errs["Get"] = s.Get(ctx, rec.Key)
	errs["Create"] = s.Create(ctx, rec)
	next := rec
	next.Version++
	errs["Update"] = s.Update(ctx, next)
	errs["Delete"] = s.Delete(ctx, rec.Key)
	_, errs["ListUser"] = s.ListUser(ctx, rec.UserID)
	_, errs["DeleteUser"] = s.DeleteUser(ctx, rec.UserID, store.Key{})
	errs["All"] = nil
	for _, err := range s.All(ctx) {
		if err != nil {
			errs["All"] = err
			break
		}
	}
	return errs
}

var failureTests = []test{
	{"closed_store_never_reports_not_found", func(t *testing.T, h *harness) {
		rec := h.mustCreate(t, h.record("alice"))
		if err := h.s.(io.Closer).Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		h.closed = true
		for method, err := range every(h.ctx, h.s, rec) {
			if err == nil {
				t.Errorf("%s on a closed store succeeded, want an error", method)
			}
			if errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s on a closed store = %v, which reads as \"no session\": fails open", method, err)
			}
		}
	}},
	{"canceled_context_fails_with_the_context_error", func(t *testing.T, h *harness) {
		rec := h.mustCreate(t, h.record("alice"))
		ctx, cancel := context.WithCancel(h.ctx)
		cancel()
		for method, err := range every(ctx, h.s, rec) {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a canceled context = %v, want context.Canceled", method, err)
			}
			if errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s with a canceled context reads as \"no session\"", method)
			}
		}
		if got := h.mustGet(t, rec.Key); got.Version != 1 {
			t.Fatalf("canceled calls changed the record: version %d", got.Version)
		}
	}},
}
