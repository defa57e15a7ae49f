package cli

import (
	"context"

	"github.com/sessiond/sessiond/internal/storeurl"
)

// liveSessions counts the live sessions for the sessions_live gauge. It
// walks the store, which the metrics package does at most every 30 seconds.
func liveSessions(b *storeurl.Backend) func(ctx context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		n := 0
		for _, err := range b.Sessions.All(ctx) {
			if err != nil {
				return 0, err
			}
			n++
		}
		return n, nil
	}
}
