package account_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"github.com/sessiond/sessiond/internal/account"
	"github.com/sessiond/sessiond/internal/account/boltaccount"
)

// ExampleService_Authenticate shows the whole path with the production
// configuration: accounts in a bbolt file, a user created, and the three
// outcomes of a login a handler tells apart.
func ExampleService_Authenticate() {
	dir, err := os.MkdirTemp("", "account-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := bolt.Open(filepath.Join(dir, "sessiond.db"), 0o600, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	st, err := boltaccount.New(db, boltaccount.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	svc, err := account.New(st, account.Config{})
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	if _, err := svc.CreateUser(ctx, "Alice@Example.com", "correct horse battery staple"); err != nil {
		log.Fatal(err)
	}
	for _, password := range []string{"correct horse battery staple", "Tr0ub4dor&3"} {
		u, err := svc.Authenticate(ctx, "alice@example.com", password, "192.0.2.1")
		var throttled *account.ThrottledError
		switch {
		case errors.As(err, &throttled):
			fmt.Println("429, retry after", throttled.RetryAfter)
		case errors.Is(err, account.ErrBadCredentials):
			fmt.Println("401:", err)
		case err != nil:
			fmt.Println("503") // the store failed: never "wrong password"
		default:
			fmt.Println("signed in as", u.Name)
		}
	}
	// Output:
	// signed in as alice@example.com
	// 401: account: invalid name or password
}
