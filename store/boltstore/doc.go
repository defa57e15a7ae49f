// Package boltstore keeps sessions in one file on local disk, using the
// embedded key/value store bbolt (go.etcd.io/bbolt). It is sessiond's
// default store: nothing to run beside the process, and sessions survive
// restarts and crashes.
//
//	st, err := boltstore.Open("/var/lib/sessiond/sessions.db", boltstore.Config{})
//	if err != nil {
//		return err // e.g. boltstore.ErrLocked: another instance runs
//	}
//	defer st.Close()
//
// # Crash safety
//
// Create, Update, Delete and DeleteUser return only after their transaction
// is committed and fsynced. A write they acknowledged survives the process
// being killed (kill -9) or the machine losing power; a write in flight at
// that moment is either wholly there or wholly absent, indexes included.
// bbolt never overwrites live pages in place and switches to a new commit
// by writing one of two checksummed meta pages last, so the file is never
// left half-written and needs no recovery step on Open.
//
// # One process per file
//
// Open takes an exclusive advisory lock (flock) on the file for as long as
// the Store is open. Another process that opens the same file, or another
// Open in this process, waits up to Config.LockTimeout (one second by
// default) and then fails with [ErrLocked] instead of hanging. Several
// sessiond instances therefore cannot share one file: give each its own, or
// use a networked store (store/redisstore, store/pgstore) to share sessions
// between instances. Within the process a Store is safe for concurrent use.
// Keep the file on a local disk: network file systems may not honour the
// lock or fsync.
//
// # Expiry and sweeping
//
// Every read judges each record's ExpiresAt against Config.Now, so an
// expired record is invisible at once. A background sweeper removes expired
// records from the file every Config.SweepEvery (one minute by default),
// walking an index ordered by expiry. It removes at most Config.SweepBatch
// records per write transaction, so a large backlog (after downtime, say)
// is cleared in short transactions between which requests are served.
// [Store.Sweep] runs a sweep on demand. Space freed by a sweep is reused by
// later writes; the file itself does not shrink.
//
// # Backup
//
// [Store.Backup] writes a consistent snapshot of the file to an io.Writer
// while the Store keeps serving traffic. The result is a database file that
// Open accepts: restore by stopping the service and putting the copy in
// place of the file. Copying the live file with cp is not safe; use Backup.
//
// # Layout
//
// Records live in one bucket keyed by [store.Key], the SHA-256 of the
// session token, never the token itself. Two index buckets, by user and by
// expiry, are written in the same transaction as the record they point to.
// Values that fail to decode are reported as [ErrCorrupt], which never
// reads as "no session".
package boltstore
