package pgstore_test

import (
	"context"
	"log"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiond/sessiond/store/pgstore"
)

// The caller owns the pool: close the Store first, then the pool.
func ExampleNew() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://sessiond@localhost/sessiond")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	st, err := pgstore.New(ctx, pool, pgstore.Config{})
	if err != nil {
		log.Fatal(err) // e.g. pgstore.ErrSchemaTooNew after a downgrade
	}
	defer st.Close()
	// Hand st to session.New.
}
