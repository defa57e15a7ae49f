// Package account keeps the accounts of the sessiond service: users,
// their argon2id password hashes, and the throttling of failed logins.
//
//	svc, err := account.New(st, account.Config{}) // st: e.g. a boltaccount.Store
//	if err != nil {
//		return err
//	}
//	u, err := svc.Authenticate(ctx, name, password, clientIP)
//	switch {
//	case errors.Is(err, account.ErrThrottled): // 429 with Retry-After
//	case errors.Is(err, account.ErrBadCredentials): // 401, one generic message
//	case err != nil: // 503: the store failed; never "wrong password"
//	}
//
// Storage is behind the [Store] interface; backends live in
// internal/account/<backend> (boltaccount first) and all pass the
// conformance suite in internal/account/accounttest.
//
// # Passwords
//
// Passwords are hashed with argon2id (RFC 9106) under OWASP's parameters by
// default: 19 MiB, 2 iterations, 1 thread, a 16-byte random salt and a
// 32-byte key, stored as a PHC string that records the parameters (see
// [Hash]). Raising [Config.Params] later upgrades each hash at its owner's
// next successful login ([NeedsRehash]). New passwords follow NIST SP
// 800-63B: at least 8 characters, at most 1024 bytes, no composition rules
// ([CheckPassword]).
//
// Hashing is deliberately expensive in memory, so at most
// [Config.MaxConcurrentHashes] hashes run at once and further logins queue,
// for as long as their context allows: a flood of logins slows logins
// down but cannot exhaust the server's memory.
//
// # Throttling
//
// Failed logins are counted per account name ("user:<name>") and per
// client address ("ip:<address>") in the Store, so replicas sharing a
// Store share the counts. Each scope allows some free failures and then
// locks for an exponentially growing time after each failure (see
// [Limits]); a lock is always temporary, so nobody can lock an account out
// for good by failing on purpose. The per-account count stops guessing one
// user's password; the per-address count stops password spraying, one
// password tried against many accounts. A successful login clears the
// account's count and never the address's.
//
// # What a login reveals
//
// Nothing about which accounts exist: an unknown name, an invalid name, a
// disabled account and a wrong password all return the one value
// [ErrBadCredentials] after the same amount of hashing, and count as
// failures alike, and throttling applies to unknown names too. See
// [Service.Authenticate] for the exact steps.
//
// # Failure modes
//
// Everything fails closed. A store error is returned wrapped, never turned
// into [ErrBadCredentials] (which would hide an outage) nor into success. A
// damaged stored hash never verifies. Errors never contain a password or a
// hash.
package account
