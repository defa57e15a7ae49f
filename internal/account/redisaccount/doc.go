// Package redisaccount keeps sessiond's accounts ([account.Store]) in
// Redis, normally the same server (or Sentinel group, or Cluster) as the
// sessions, so that every replica of the service sees the same users and
// the same login throttling. The caller owns the client:
//
//	client := redis.NewUniversalClient(opts) // the client the session store uses
//	st, err := redisaccount.New(client, redisaccount.Config{})
//	if err != nil {
//		return err
//	}
//	defer st.Close() // marks the Store closed; client stays open
//	svc, err := account.New(st, account.Config{})
//
// # Layout
//
// Every key starts with Config.Prefix ("sessiond:" by default) followed by
// the hash tag "{accounts}":
//
//	<prefix>{accounts}:users        sorted set of every name, all scored 0
//	<prefix>{accounts}:user:<name>  hash: v, rev, hash, disabled, created, changed
//	<prefix>{accounts}:fail:<key>   hash: n (count), last; expires (see below)
//
// Times are decimal microseconds since the Unix epoch. Names and throttling
// keys are used as given: Redis keys are binary-safe, and "user:al" and
// "user:alice" are two keys, never a prefix of one another's data.
//
// # Atomicity and Cluster
//
// The hash tag puts every key of the store in one hash slot, so each
// operation below runs on one node and touches one slot, as Redis Cluster
// requires of scripts and transactions:
//
//   - CreateUser is one Lua script that refuses an existing name and
//     otherwise writes the hash and adds the name to the sorted set.
//   - UpdateUser reads the hash, calls update, and writes the result with a
//     Lua script only if the hash's revision ("rev") is still the one read
//     (compare-and-swap). On a conflict it reads again and calls update
//     again, for as long as ctx allows; every conflict means another
//     update was stored, so the updates as a whole always progress.
//   - AddFailure is one Lua script: read, restart if forgotten, increment,
//     set the time and the expiry.
//   - Users reads the sorted set, which Redis keeps in byte order for equal
//     scores, then the hashes, in pipelined batches.
//
// One slot means one node serves all accounts: that is the price of atomic
// operations across the user index, and accounts are few and small next to
// sessions.
//
// # Expiry
//
// A throttling hash expires Config.Forget (24 hours by default) after its
// latest failure, by the server's clock, so failed logins from ever new
// addresses (a spray from a botnet) cannot grow memory without bound.
// Forgetting itself is judged by the times the methods are given: a
// forgotten entry reads as zero before Redis removes it. Accounts never
// expire.
package redisaccount
