package boltstore

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/sessiond/sessiond/store"
)

// The file holds four buckets. The records bucket is the truth; the two
// index buckets are derived from it and every write changes all three in
// one transaction, so they agree after every commit and after any crash.
//
//	sessions            Key (32 bytes)                   → value (see encoding.go)
//	sessions_by_user    uvarint(len(UserID)) UserID Key  → ExpiresAt (8 bytes)
//	sessions_by_expiry  ExpiresAt (8 bytes) Key          → UserID
//	sessions_meta       "layout"                         → layoutVersion
//
// The users key starts with the length of the user ID, so a user ID that
// is a prefix of another, or contains any byte at all (0x00 included),
// never shares a key prefix with a different user's entries: a prefix scan
// for one user finds exactly that user's records. Anonymous records (empty
// UserID) have no users entry.
//
// ExpiresAt in the index keys and values is an encoded instant, whose byte
// order is time order, so the sweeper walks the expiry bucket from the
// start and stops at the first entry still live. Keeping the expiry in the
// users value and the user ID in the expiry value lets the sweeper and
// DeleteUser remove a record and all its entries without decoding it: a
// damaged record value cannot stop them.
var (
	recordsBucket = []byte("sessions")
	usersBucket   = []byte("sessions_by_user")
	expiryBucket  = []byte("sessions_by_expiry")
	metaBucket    = []byte("sessions_meta")

	layoutKey = []byte("layout")
)

// layoutVersion numbers the layout above. Open refuses a file with another
// version instead of misreading it.
const layoutVersion = 1

// maxUserID is the longest UserID a users key can hold: bbolt refuses keys
// over bolt.MaxKeySize, and the length prefix of so long an ID takes 3 bytes.
const maxUserID = bolt.MaxKeySize - len(store.Key{}) - 3

// createLayout creates the buckets of a new file and checks that an
// existing one is a session store of this layout version.
func createLayout(tx *bolt.Tx, shared bool) error {
	if meta := tx.Bucket(metaBucket); meta != nil {
		v := meta.Get(layoutKey)
		if got, n := binary.Uvarint(v); n <= 0 || n != len(v) || got != layoutVersion {
			return fmt.Errorf("%w: layout version %x, this build reads %d", ErrCorrupt, v, layoutVersion)
		}
		if _, err := bucketsOf(tx); err != nil {
			return err
		}
		return nil
	}
	// No meta bucket: a new file, unless another application's buckets are
	// in a file that is not meant to be shared.
	if !shared {
		err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			return fmt.Errorf("%w: not a session store: holds bucket %q", ErrCorrupt, name)
		})
		if err != nil {
			return err
		}
	}
	for _, name := range [][]byte{recordsBucket, usersBucket, expiryBucket} {
		if _, err := tx.CreateBucket(name); err != nil {
			return err
		}
	}
	meta, err := tx.CreateBucket(metaBucket)
	if err != nil {
		return err
	}
	return meta.Put(layoutKey, binary.AppendUvarint(nil, layoutVersion))
}

// buckets are the three buckets of one write transaction.
type buckets struct {
	records, users, expiry *bolt.Bucket
}

// bucketsOf returns the buckets of tx. A file whose buckets are missing has
// been tampered with after Open created them.
func bucketsOf(tx *bolt.Tx) (buckets, error) {
	b := buckets{
		records: tx.Bucket(recordsBucket),
		users:   tx.Bucket(usersBucket),
		expiry:  tx.Bucket(expiryBucket),
	}
	if b.records == nil || b.users == nil || b.expiry == nil {
		return b, fmt.Errorf("%w: missing bucket", ErrCorrupt)
	}
	return b, nil
}

// recordsOf returns the records bucket of tx. Reads that need no index use
// it instead of bucketsOf: opening a bucket costs allocations.
func recordsOf(tx *bolt.Tx) (*bolt.Bucket, error) {
	records := tx.Bucket(recordsBucket)
	if records == nil {
		return nil, fmt.Errorf("%w: missing bucket", ErrCorrupt)
	}
	return records, nil
}

// get returns the record under key, expired or not, and whether there is
// one. A value that does not decode is an error wrapping ErrCorrupt.
func (b buckets) get(key store.Key) (store.Record, bool, error) {
	return getRecord(b.records, key)
}

// getRecord is get on the records bucket alone.
func getRecord(records *bolt.Bucket, key store.Key) (store.Record, bool, error) {
	val := records.Get(key[:])
	if val == nil {
		return store.Record{}, false, nil
	}
	rec, err := decodeRecord(val)
	if err != nil {
		return store.Record{}, false, err
	}
	rec.Key = key
	return rec, true, nil
}

// put stores rec and its index entries. The caller has removed any earlier
// record under rec.Key and its entries.
func (b buckets) put(rec store.Record) error {
	exp := nanos(rec.ExpiresAt)
	if err := b.records.Put(rec.Key[:], appendRecord(nil, rec)); err != nil {
		return err
	}
	if err := b.expiry.Put(expiryKey(exp, rec.Key), []byte(rec.UserID)); err != nil {
		return err
	}
	if rec.UserID == "" {
		return nil
	}
	return b.users.Put(userKey(rec.UserID, rec.Key), appendInstant(nil, exp))
}

// remove deletes the record under key and the index entries of a record
// owned by userID expiring at exp (Unix nanoseconds).
func (b buckets) remove(key store.Key, userID string, exp int64) error {
	if err := b.records.Delete(key[:]); err != nil {
		return err
	}
	if err := b.expiry.Delete(expiryKey(exp, key)); err != nil {
		return err
	}
	if userID == "" {
		return nil
	}
	return b.users.Delete(userKey(userID, key))
}

// userPrefix returns the start of the users keys of userID.
func userPrefix(userID string) []byte {
	p := make([]byte, 0, binary.MaxVarintLen64+len(userID)+len(store.Key{}))
	p = binary.AppendUvarint(p, uint64(len(userID)))
	return append(p, userID...)
}

// userKey returns the users key of the record under key owned by userID.
func userKey(userID string, key store.Key) []byte {
	return append(userPrefix(userID), key[:]...)
}

// expiryKey returns the expiry key of the record under key expiring at exp.
func expiryKey(exp int64, key store.Key) []byte {
	return append(appendInstant(make([]byte, 0, instantLen+len(key)), exp), key[:]...)
}
