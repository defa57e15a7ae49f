package account

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// throttleKeys are the Store keys of one login attempt. ip is empty when
// the caller gave no address.
type throttleKeys struct {
	account, ip string
}

// accountKey returns the key of the account named norm, a normalized name.
func accountKey(norm string) string { return "user:" + norm }

// invalidNameKey returns the account key of a name that does not
// normalize: a hash of it, so that the key stays short whatever the input,
// under a prefix no valid name has (':' is not a name character).
func invalidNameKey(name string) string {
	sum := sha256.Sum256([]byte(name))
	return "user:invalid:" + hex.EncodeToString(sum[:16])
}

// maxIPLen is the longest ip used in a key as is; anything longer (which
// no address is) is hashed, so keys stay short whatever the caller passes.
const maxIPLen = 128

// ipKey returns the key of the client address ip, or "" for no address.
func ipKey(ip string) string {
	switch {
	case ip == "":
		return ""
	case len(ip) > maxIPLen:
		sum := sha256.Sum256([]byte(ip))
		return "ip:sha256:" + hex.EncodeToString(sum[:16])
	}
	return "ip:" + ip
}

// throttled returns a *ThrottledError if either key is locked now, naming
// the one with the longer wait, or a wrapped store error.
func (s *Service) throttled(ctx context.Context, op string, keys throttleKeys) error {
	now := s.now()
	var worst *ThrottledError
	scopes := []struct {
		key    string
		limits Limits
		scope  string
	}{
		{keys.account, s.cfg.AccountLimits, ScopeAccount},
		{keys.ip, s.cfg.IPLimits, ScopeIP},
	}
	for _, sc := range scopes {
		if sc.key == "" {
			continue
		}
		f, err := s.st.Failures(ctx, sc.key, now, sc.limits.Forget)
		if err != nil {
			return fmt.Errorf("account: %s: reading failed logins: %w", op, err)
		}
		wait := sc.limits.retryAfter(f, now)
		if wait > 0 && (worst == nil || wait > worst.RetryAfter) {
			worst = &ThrottledError{RetryAfter: roundUp(wait), Scope: sc.scope}
		}
	}
	if worst != nil {
		return worst
	}
	return nil
}

// recordFailure counts a failed attempt under both keys. It goes on for
// failureGrace after ctx is canceled: a guess that was verified is counted
// even if its client hung up.
func (s *Service) recordFailure(ctx context.Context, keys throttleKeys) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), failureGrace)
	defer cancel()
	now := s.now()
	if _, err := s.st.AddFailure(ctx, keys.account, now, s.cfg.AccountLimits.Forget); err != nil {
		return err
	}
	if keys.ip == "" {
		return nil
	}
	_, err := s.st.AddFailure(ctx, keys.ip, now, s.cfg.IPLimits.Forget)
	return err
}

// roundUp rounds d up to a whole second, so that a client retrying after
// RetryAfter (a Retry-After header holds whole seconds) is not refused
// again.
func roundUp(d time.Duration) time.Duration {
	return (d + time.Second - 1).Truncate(time.Second)
}
