// Package redisstore keeps sessions in Redis, for deployments where several
// sessiond replicas, or several instances of an application, share one
// store. One code path serves a single server, a master watched by Sentinel
// and a Redis Cluster: pass New whatever redis.NewUniversalClient returned.
//
//	client := redis.NewUniversalClient(&redis.UniversalOptions{
//		Addrs:      []string{"10.0.0.1:26379", "10.0.0.2:26379", "10.0.0.3:26379"},
//		MasterName: "sessions", // Sentinel; leave empty for one server or a Cluster
//	})
//	defer client.Close()
//	st, err := redisstore.New(client, redisstore.Config{WaitReplicas: 1})
//
// The caller owns the client: the Store never closes it. The server must be
// Redis 6.2 or later.
//
// # Key layout
//
// Every key starts with Config.Prefix ("sessiond:" by default) and carries a
// hash tag, the part in braces, which alone decides its Cluster slot:
//
//	<prefix>s:{<hex of Key>}             a record: a string holding version,
//	                                      owner, expiry and data (encoding.go)
//	<prefix>u:{<hex of SHA-256(UserID)>} a user's index: a sorted set whose
//	                                      members are the 32-byte Keys of the
//	                                      user's records, scored by expiry in
//	                                      Unix milliseconds
//
// A record key lives until its ExpiresAt (its TTL is ExpiresAt minus
// Config.Now, at least 1 ms); an index lives until the highest score among
// its members plus a minute, a margin for clocks that disagree. Those TTLs
// only collect garbage: every read judges ExpiresAt against Config.Now, so
// an expired record is invisible at once, and tests can drive expiry with
// an injected clock. Processes that share a store must keep their clocks in
// step (NTP): each judges expiry by its own.
//
// # What is atomic
//
// Every command and script touches one key, so nothing depends on two keys
// sharing a slot. Each operation on one record is atomic: a Lua script on
// the record key checks liveness, ownership and, for Update, the version
// (compare-and-swap) and writes in one step. Scripts are sent by digest
// (EVALSHA) and by source only when a server lacks them.
//
// A record and its user's index live in different slots, so they cannot
// change together. Instead writes are ordered so that the index never
// misses a record, at worst names one too many:
//
//  1. An index entry is added before the record names its user (Create, or
//     Update to a new owner). DeleteUser reads the index, so it reaches
//     every record from the moment it exists.
//  2. A record is removed, or moved to another owner, before its entry
//     leaves the old owner's index.
//  3. An entry's score only grows (ZADD GT), so it is always at least the
//     expiry of the record, even when concurrent updates of one record land
//     in another order than their index entries.
//
// # What is repaired lazily
//
// An index may name records that no longer resolve to that user: a process
// died between the two writes, a repair failed, or a conflicting Update left
// its entry. ListUser and DeleteUser check every entry against the record
// itself (owner and ExpiresAt) and never list or count such an entry, so
// listing never shows a session that no longer resolves. Stale entries are
// removed when that is safe:
//
//   - An entry whose score is not after Now is dead whatever happens next:
//     every listing, every DeleteUser and every new entry drops those of its
//     index (with a minute to spare, for processes whose clocks lag).
//   - The writer that ended a record's tie to a user removes its entry,
//     after the record (step 2): Delete and DeleteUser for the records they
//     deleted, Create and Update for a record that left a user's index.
//     Create and Update also take back the entry they added when their
//     write found nothing to give the user (no live record, or for Create
//     a live record of someone else).
//   - An entry whose record is missing, or belongs to another user, is not
//     removed on sight: a concurrent Create or Update may have added it and
//     be about to write the record (step 1), and removing it under that
//     writer would hide a live session from DeleteUser. It stays, unlisted,
//     until its score passes, and the index itself expires.
//
// The removals in the second point happen after the record changed, so
// they can still race with a concurrent write of the same record that
// gives it back to the same user: an Update that moves a record from alice
// to bob, and another that, having read bob's version, moves it straight
// back to alice before the first one's repair, can leave the record without
// its entry in alice's index. Sessions change owner rarely (at login, from
// anonymous) and not back and forth at once; with 256-bit keys no other
// write reaches a key that is being deleted.
//
// # Cost in round trips
//
// With scripts cached on the server, and not counting WAIT, which rides in
// the same round trip as the write it follows:
//
//	Get          1  GET
//	Create       2  index entry, record (1 if anonymous); +1 to repair an
//	                index (see above)
//	Update       2  index entry, compare-and-swap (1 if anonymous); +1 to
//	                repair an index, such as on a change of owner
//	Delete       2  record, index entry (1 if anonymous or missing)
//	ListUser     2  index, records pipelined (+1 per 1000 records)
//	DeleteUser   3  index, scripts pipelined, index entries
//	All          2 per page of about 500 keys, per Cluster master
//
// A server that lacks a script (after a restart or a failover) costs one
// more round trip, once.
//
// # Replication and failover
//
// Redis replicates asynchronously: a write acknowledged by the master can
// be lost if the master dies before a replica has it, and a promoted replica
// would then forget a login or, worse, a logout. Config.WaitReplicas makes
// every write wait, with WAIT in the same pipeline as the script, until that
// many replicas have it; otherwise the call fails with [ErrNotReplicated].
// (WAIT cannot run inside a script.) Outside Cluster one WAIT after the
// record's write also covers the index entry written before it, because
// replication is one ordered stream; in Cluster the index entry may live on
// another master and waits too. Index repairs do not wait: losing one
// leaves a stale entry, which is never listed. During a failover, calls
// fail with the client's error (never [store.ErrNotFound]) until the
// failover client has found the new master.
//
// go-redis retries a command whose connection broke (Options.MaxRetries).
// A Create or Update whose reply was lost that way may be applied and still
// report [store.ErrExists] or [store.ErrConflict]; the caller sees a
// conflict, never a success that did not happen.
package redisstore
