package redisstore

import "errors"

// Errors of this package, in the order an application meets them. Methods
// return them wrapped, so compare with errors.Is. None of them satisfies
// errors.Is(err, store.ErrNotFound).
var (
	// ErrUnsupportedClient means New was given a client it cannot drive
	// safely with its one code path: a nil client; a *redis.Ring, whose
	// client-side sharding has neither Cluster's slot routing nor
	// replication to WAIT for; or a cluster client that reads from
	// replicas, where a session revoked a moment ago could still be read.
	// Use a single server, a failover (Sentinel) client or a Redis Cluster
	// client that reads from masters.
	ErrUnsupportedClient = errors.New("redisstore: unsupported client")

	// ErrNotReplicated means a write was applied on the master but fewer
	// than Config.WaitReplicas replicas acknowledged it within
	// Config.WaitTimeout, so a failover could still lose it. The operation
	// failed and the caller must treat it so (the session package answers
	// 503): a login is not handed out, a logout is retried. Retrying is
	// safe: Delete and DeleteUser are idempotent, and an Update or Create
	// that did land reports ErrConflict or ErrExists on retry.
	ErrNotReplicated = errors.New("redisstore: write not acknowledged by enough replicas")

	// ErrCorrupt means a value under one of the Store's keys could not be
	// decoded: something other than this package wrote it, or a newer
	// version of sessiond did. A damaged record fails closed: it never reads
	// as "no session". Delete and DeleteUser remove it without decoding it.
	ErrCorrupt = errors.New("redisstore: corrupt record")
)
