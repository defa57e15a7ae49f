package redisstore

import (
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestNewRefuses checks that New refuses, before any I/O, the clients it
// cannot drive and the settings that would misbehave later. Creating the
// clients below opens no connection.
func TestNewRefuses(t *testing.T) {
	single := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ReadTimeout: 3 * time.Second})
	t.Cleanup(func() { single.Close() })
	readOnly := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, ReadOnly: true})
	t.Cleanup(func() { readOnly.Close() })
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"}})
	t.Cleanup(func() { ring.Close() })
	tests := []struct {
		name    string
		client  redis.UniversalClient
		cfg     Config
		wantErr error // nil: any error
	}{
		// Clients without one code path.
		{"nil_client", nil, Config{}, ErrUnsupportedClient},
		{"nil_client_pointer", (*redis.Client)(nil), Config{}, ErrUnsupportedClient},
		{"ring", ring, Config{}, ErrUnsupportedClient},
		// A replica may still hold a session revoked a moment ago.
		{"cluster_reading_from_replicas", readOnly, Config{}, ErrUnsupportedClient},
		// A hash tag in the prefix would put every key in one slot.
		{"prefix_with_an_opening_brace", single, Config{Prefix: "app{"}, nil},
		{"prefix_with_a_closing_brace", single, Config{Prefix: "app}"}, nil},
		// Negative values have no meaning.
		{"negative_wait_replicas", single, Config{WaitReplicas: -1}, nil},
		{"negative_wait_timeout", single, Config{WaitReplicas: 1, WaitTimeout: -time.Second}, nil},
		// The client would drop the connection before WAIT answers.
		{"wait_timeout_not_below_the_read_timeout", single, Config{WaitReplicas: 1, WaitTimeout: 3 * time.Second}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.client, tc.cfg)
			if err == nil || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) {
				t.Fatalf("New = %v, %v, want an error (%v)", s, err, tc.wantErr)
			}
		})
	}
}

// TestNewDefaults checks what the zero Config means.
func TestNewDefaults(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { client.Close() })
	s, err := New(client, Config{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if s.keys.record != "sessiond:s:{" || s.keys.index != "sessiond:u:{" {
		t.Errorf("keys start %q and %q, want the default prefix sessiond:", s.keys.record, s.keys.index)
	}
	if s.waitReplicas != 0 || s.waitTimeout != time.Second || s.now == nil {
		t.Errorf("WaitReplicas %d, WaitTimeout %v, Now set %v; want 0, 1s, true", s.waitReplicas, s.waitTimeout, s.now != nil)
	}
	s, err = New(client, Config{WaitReplicas: 1, WaitTimeout: time.Nanosecond})
	if err != nil || s.waitTimeout != time.Millisecond {
		t.Errorf("WaitTimeout of 1ns = %v, %v, want 1ms: WAIT with 0 would wait forever", s.waitTimeout, err)
	}
}
