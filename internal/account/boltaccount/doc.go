// Package boltaccount keeps sessiond's accounts ([account.Store]) in a
// bbolt database, normally the same file as the sessions, opened and owned
// by the caller:
//
//	db := ... // the *bolt.DB the session store uses (boltstore.New)
//	st, err := boltaccount.New(db, boltaccount.Config{})
//	if err != nil {
//		return err
//	}
//	defer st.Close() // stops the sweeper; db stays open
//	svc, err := account.New(st, account.Config{})
//
// # Layout
//
// Two buckets: "accounts_users" maps each name to the user as JSON, and
// "accounts_failures" maps each throttling key ("user:alice",
// "ip:192.0.2.1") to its count and latest failure. Other buckets in the
// file, such as the session store's, are never read or written.
//
// # Durability and atomicity
//
// Every write returns only after bbolt has committed and fsynced it.
// bbolt runs one write transaction at a time, and every read-modify-write
// (UpdateUser, AddFailure) is one transaction, so none can lose a
// concurrent update. One process at a time can open a bbolt file, so this
// store serves a single sessiond instance; replicas need a networked
// backend.
//
// # Sweeping
//
// Failed logins from ever new addresses leave one entry each. A background
// sweeper deletes entries whose latest failure is older than
// Config.Forget (24 hours by default) every Config.SweepEvery (10 minutes),
// in short transactions, so a spray cannot grow the file without bound.
// Forgotten entries read as zero before any sweep; sweeping reclaims space
// only.
package boltaccount
