package session_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sessiond/sessiond/session"
)

// valueOp is a typed Put and Get of one key, erased so that cases of
// different types fit in one table.
type valueOp struct {
	key  string
	put  func(ctx context.Context) error
	get  func(ctx context.Context) (any, bool)
	want any // what get should return
}

// valueRoundTrip puts v under key and reads it back as T.
func valueRoundTrip[T session.Value](key string, v T) valueOp {
	return valueOp{
		key:  key,
		put:  func(ctx context.Context) error { return session.Put(ctx, key, v) },
		get:  func(ctx context.Context) (any, bool) { return session.Get[T](ctx, key) },
		want: v,
	}
}

// valueReadAs puts v and reads it back as G, another type, which finds nothing.
func valueReadAs[G, P session.Value](v P) valueOp {
	var zero G
	return valueOp{
		key:  "k",
		put:  func(ctx context.Context) error { return session.Put(ctx, "k", v) },
		get:  func(ctx context.Context) (any, bool) { return session.Get[G](ctx, "k") },
		want: zero,
	}
}

// sameSessionValue compares values as the session should keep them: times by
// instant, floats bit for bit (NaN and -0 included).
func sameSessionValue(a, b any) bool {
	switch a := a.(type) {
	case []byte:
		b, ok := b.([]byte)
		return ok && bytes.Equal(a, b)
	case time.Time:
		b, ok := b.(time.Time)
		return ok && a.Equal(b) && a.IsZero() == b.IsZero()
	case float64:
		b, ok := b.(float64)
		return ok && math.Float64bits(a) == math.Float64bits(b)
	}
	return a == b
}

// dataApp is an app whose "POST /data/put" and "GET /data/get" run the
// current op; results come back through the returned pointers.
func dataApp(t *testing.T, cfg session.Config, op *valueOp) (a *app, putErr *error, got *any, found *bool) {
	t.Helper()
	a = newApp(t, cfg)
	putErr, got, found = new(error), new(any), new(bool)
	a.mux.HandleFunc("POST /data/put", func(w http.ResponseWriter, r *http.Request) {
		*putErr = op.put(r.Context())
	})
	a.mux.HandleFunc("GET /data/get", func(w http.ResponseWriter, r *http.Request) {
		*got, *found = op.get(r.Context())
	})
	return a, putErr, got, found
}

func TestValueRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		op   valueOp
	}{
		{"string", valueRoundTrip("k", "hello")},
		{"empty_string", valueRoundTrip("k", "")},
		{"unicode_string", valueRoundTrip("k", "héllo, 世界 🎉")},
		{"string_with_nul_and_invalid_utf8", valueRoundTrip("k", "a\x00b\xff")},
		{"empty_key", valueRoundTrip("", "value under the empty key")},
		{"unicode_key", valueRoundTrip("clé 🔑", "v")},

		{"bytes", valueRoundTrip("k", []byte{0, 1, 2, 0xfe, 0xff})},
		{"empty_bytes", valueRoundTrip("k", []byte{})},

		{"bool_true", valueRoundTrip("k", true)},
		{"bool_false", valueRoundTrip("k", false)},

		{"int_zero", valueRoundTrip("k", 0)},
		{"int_negative", valueRoundTrip("k", -1)},
		{"int_max", valueRoundTrip("k", math.MaxInt)},
		{"int_min", valueRoundTrip("k", math.MinInt)},
		{"int64_negative", valueRoundTrip("k", int64(-42))},
		{"int64_max", valueRoundTrip("k", int64(math.MaxInt64))},
		{"int64_min", valueRoundTrip("k", int64(math.MinInt64))},

		{"float64", valueRoundTrip("k", 3.25)},
		{"float64_negative", valueRoundTrip("k", -2.5e-300)},
		{"float64_negative_zero", valueRoundTrip("k", math.Copysign(0, -1))},
		{"float64_smallest_denormal", valueRoundTrip("k", math.SmallestNonzeroFloat64)},
		{"float64_negative_infinity", valueRoundTrip("k", math.Inf(-1))},
		{"float64_nan", valueRoundTrip("k", math.NaN())},

		{"time", valueRoundTrip("k", time.Date(2024, 2, 29, 23, 59, 59, 123456789, time.UTC))},
		{"time_zero", valueRoundTrip("k", time.Time{})},
		{"time_unix_epoch", valueRoundTrip("k", time.Unix(0, 0))},
		{"time_before_1970", valueRoundTrip("k", time.Date(1969, 7, 20, 20, 17, 40, 0, time.UTC))},
		{"time_in_another_zone", valueRoundTrip("k", time.Date(2030, 1, 1, 0, 0, 0, 1, time.FixedZone("IST", 5*3600+1800)))},
		// Beyond the range of UnixNano (1678 to 2262): a contract end date
		// or a birth date must not silently come back as another instant.
		{"time_far_future", valueRoundTrip("k", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC))},
		{"time_far_past", valueRoundTrip("k", time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, putErr, got, found := dataApp(t, session.Config{}, &tc.op)
			c := a.client()
			c.fetchCSRF()
			c.do(http.MethodPost, "/data/put")
			if *putErr != nil {
				t.Fatalf("Put(%q, %v) = %v, want nil", tc.op.key, tc.op.want, *putErr)
			}
			c.do(http.MethodGet, "/data/get")
			if !*found || !sameSessionValue(*got, tc.op.want) {
				t.Errorf("Get(%q) on the next request = %#v, %v, want %#v, true", tc.op.key, *got, *found, tc.op.want)
			}
		})
	}
}

func TestGetOfAnotherTypeFindsNothing(t *testing.T) {
	tests := []struct {
		name string
		op   valueOp
	}{
		{"string_read_as_int", valueReadAs[int]("42")},
		{"string_read_as_bytes", valueReadAs[[]byte]("abc")},
		{"bytes_read_as_string", valueReadAs[string]([]byte("abc"))},
		{"int_read_as_string", valueReadAs[string](42)},
		{"int_read_as_float64", valueReadAs[float64](42)},
		{"int_read_as_time", valueReadAs[time.Time](42)},
		{"bool_read_as_int", valueReadAs[int](true)},
		{"float64_read_as_int64", valueReadAs[int64](1.5)},
		{"time_read_as_int64", valueReadAs[int64](time.Unix(1, 0))},
		// int and int64 are distinct Value types; the package says a Get
		// of another type than was Put finds nothing.
		{"int_read_as_int64", valueReadAs[int64](42)},
		{"int64_read_as_int", valueReadAs[int](int64(42))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, putErr, got, found := dataApp(t, session.Config{}, &tc.op)
			c := a.client()
			c.fetchCSRF()
			c.do(http.MethodPost, "/data/put")
			if *putErr != nil {
				t.Fatalf("Put = %v", *putErr)
			}
			c.do(http.MethodGet, "/data/get")
			if *found || !sameSessionValue(*got, tc.op.want) {
				t.Errorf("Get = %#v, %v, want %#v, false", *got, *found, tc.op.want)
			}
		})
	}
}

func TestGetOfMissingKeyFindsNothing(t *testing.T) {
	a := newApp(t, session.Config{})
	var got string
	var found bool
	a.mux.HandleFunc("GET /missing", func(w http.ResponseWriter, r *http.Request) {
		got, found = session.Get[string](r.Context(), "missing")
	})
	a.client().do(http.MethodGet, "/missing")
	if got != "" || found {
		t.Errorf("Get(missing) = %q, %v, want \"\", false", got, found)
	}
}

func TestDeleteRemovesOnlyItsKey(t *testing.T) {
	a := newApp(t, session.Config{})
	var deleteErr error
	a.mux.HandleFunc("POST /delete", func(w http.ResponseWriter, r *http.Request) {
		for _, k := range r.URL.Query()["k"] {
			if err := session.Delete(r.Context(), k); err != nil {
				deleteErr = err
			}
		}
	})
	c := a.client()
	c.fetchCSRF()
	c.do(http.MethodPost, "/put?a=1&b=2")
	c.do(http.MethodPost, "/delete?k=a&k=never-set")
	if deleteErr != nil {
		t.Fatalf("Delete = %v, want nil", deleteErr)
	}
	if got := body(c.do(http.MethodGet, "/get?k=a")); got != "" {
		t.Errorf("Get(a) after Delete = %q, want nothing", got)
	}
	if got := body(c.do(http.MethodGet, "/get?k=b")); got != "2" {
		t.Errorf("Get(b) after Delete(a) = %q, want 2", got)
	}
}

// TestPutTooLarge checks that a Put that would break Config.MaxRecordBytes
// is refused loudly and leaves nothing of itself behind.
func TestPutTooLarge(t *testing.T) {
	tests := []struct {
		name string
		key  string
	}{
		{"new_key_is_not_stored", "big"},
		{"existing_key_keeps_its_value", "keep"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(t, session.Config{MaxRecordBytes: 1024})
			var putErr error
			var sameRequest string
			a.mux.HandleFunc("POST /big", func(w http.ResponseWriter, r *http.Request) {
				putErr = session.Put(r.Context(), tc.key, strings.Repeat("x", 2000))
				sameRequest, _ = session.Get[string](r.Context(), tc.key)
			})
			c := a.client()
			c.fetchCSRF()
			c.do(http.MethodPost, "/put?keep=small")
			a.events.reset()

			if resp := c.do(http.MethodPost, "/big"); resp.StatusCode != http.StatusOK {
				t.Errorf("POST /big = %d, want 200: the handler dealt with the error", resp.StatusCode)
			}
			if !errors.Is(putErr, session.ErrTooLarge) {
				t.Fatalf("Put(2000 bytes) = %v, want ErrTooLarge", putErr)
			}
			if _, ok := a.events.find(session.EventTooLarge); !ok {
				t.Errorf("events = %v, want %s", a.events.kinds(), session.EventTooLarge)
			}
			if len(sameRequest) == 2000 {
				t.Errorf("Get(%s) in the same request sees the refused value", tc.key)
			}
			if got := body(c.do(http.MethodGet, "/get?k=big")); got != "" {
				t.Errorf("Get(big) on the next request = %d bytes, want nothing", len(got))
			}
			if got := body(c.do(http.MethodGet, "/get?k=keep")); got != "small" {
				t.Errorf("Get(keep) on the next request = %d bytes, want %q", len(got), "small")
			}
		})
	}
}

// TestPutTooLargeCountsWhatTheSaveAdds puts a value into a session that is
// not stored yet. The first save adds the client's address and User-Agent;
// if that takes the session over the cap, Put is where the handler must
// hear of it, not a 500 after the handler has finished.
func TestPutTooLargeCountsWhatTheSaveAdds(t *testing.T) {
	a := newApp(t, session.Config{MaxRecordBytes: 1024})
	var putErr error
	a.mux.HandleFunc("GET /cart", func(w http.ResponseWriter, r *http.Request) {
		putErr = session.Put(r.Context(), "k", strings.Repeat("x", 900))
		if putErr != nil {
			fmt.Fprint(w, "cart too big")
		}
	})
	c := a.client()
	req := c.request(http.MethodGet, "/cart")
	req.Header.Set("User-Agent", strings.Repeat("u", 256))
	resp := c.send(req)
	if !errors.Is(putErr, session.ErrTooLarge) {
		t.Errorf("Put of 900 bytes into a new session with a 256-byte User-Agent = %v, want ErrTooLarge", putErr)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /cart = %d, want 200 from the handler that was told about the error", resp.StatusCode)
	}
}

// TestLateChangesAreReported checks that a change nobody could save is
// refused with an error and an event, never silently dropped.
func TestLateChangesAreReported(t *testing.T) {
	tests := []struct {
		name   string
		change func(ctx context.Context) error
	}{
		{"put", func(ctx context.Context) error { return session.Put(ctx, "k", "late") }},
		{"delete", func(ctx context.Context) error { return session.Delete(ctx, "k") }},
	}
	for _, tc := range tests {
		t.Run(tc.name+"_after_the_response_started_fails_with_err_committed", func(t *testing.T) {
			a := newApp(t, session.Config{})
			var late error
			a.mux.HandleFunc("GET /late", func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, "body first")
				late = tc.change(r.Context())
			})
			c := a.client()
			c.fetchCSRF()
			c.do(http.MethodPost, "/put?k=early")
			a.events.reset()
			c.do(http.MethodGet, "/late")
			if !errors.Is(late, session.ErrCommitted) {
				t.Fatalf("%s after the body = %v, want ErrCommitted", tc.name, late)
			}
			if _, ok := a.events.find(session.EventLateWrite); !ok {
				t.Errorf("events = %v, want %s", a.events.kinds(), session.EventLateWrite)
			}
			if got := body(c.do(http.MethodGet, "/get?k=k")); got != "early" {
				t.Errorf("Get(k) = %q, want %q", got, "early")
			}
		})
		t.Run(tc.name+"_after_logout_fails_with_err_logged_out", func(t *testing.T) {
			a := newApp(t, session.Config{})
			var late error
			a.mux.HandleFunc("POST /logout-then-change", func(w http.ResponseWriter, r *http.Request) {
				if err := a.m.Logout(r.Context(), w); err != nil {
					t.Errorf("Logout = %v", err)
				}
				late = tc.change(r.Context())
			})
			c := a.client()
			c.login("alice")
			c.do(http.MethodPost, "/logout-then-change")
			if !errors.Is(late, session.ErrLoggedOut) {
				t.Fatalf("%s after Logout = %v, want ErrLoggedOut", tc.name, late)
			}
		})
	}
}

// TestAccessorsPanicOutsideTheMiddleware checks the wiring-bug guard: a
// context that never went through LoadAndSave or Load is not treated as
// anonymous, and the panic names the fix.
func TestAccessorsPanicOutsideTheMiddleware(t *testing.T) {
	m := newApp(t, session.Config{}).m
	tests := []struct {
		name string
		call func(ctx context.Context)
	}{
		{"get_panics", func(ctx context.Context) { session.Get[string](ctx, "k") }},
		{"put_panics", func(ctx context.Context) { session.Put(ctx, "k", "v") }},
		{"delete_panics", func(ctx context.Context) { session.Delete(ctx, "k") }},
		{"user_id_panics", func(ctx context.Context) { m.UserID(ctx) }},
		{"csrf_token_panics", func(ctx context.Context) { m.CSRFToken(ctx) }},
		{"current_panics", func(ctx context.Context) { m.Current(ctx) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				p := recover()
				if p == nil {
					t.Fatalf("%s with a bare context did not panic", tc.name)
				}
				if msg := fmt.Sprint(p); !strings.Contains(msg, "LoadAndSave") {
					t.Errorf("panic = %q, want it to mention LoadAndSave", msg)
				}
			}()
			tc.call(context.Background())
		})
	}
}
