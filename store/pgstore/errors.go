package pgstore

import "errors"

// Errors of this package, in the order an application meets them. Methods
// return them wrapped, so compare with errors.Is. None of them satisfies
// errors.Is(err, store.ErrNotFound).
var (
	// ErrSchemaTooNew means New found the sessions table migrated to a
	// version this build of sessiond does not know: a newer sessiond has
	// run against the database. New changes nothing and refuses to start,
	// since this build cannot know what the newer schema means. Upgrade
	// this replica, or restore the database from before the upgrade.
	ErrSchemaTooNew = errors.New("pgstore: database schema is newer than this build")

	// ErrCorrupt means a row broke an invariant the schema should
	// guarantee, such as a key that is not 32 bytes long: the table was
	// changed by hand or by something other than this package. A corrupt
	// row fails closed: it never reads as "no session".
	ErrCorrupt = errors.New("pgstore: corrupt data")
)
