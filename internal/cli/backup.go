package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

func backup(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "backup", "backup --out FILE [options]")
	out := fs.String("out", "", "write the backup to this file (it must not exist)")
	o, _, err := parseWithName(fs, args, env, false)
	if err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return errUsage
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("--out %s exists; choose a new file", *out)
	}
	a, err := connect(ctx, o, env)
	if err != nil {
		return err
	}
	defer a.close()

	// Write beside the target, check the copy opens and is consistent, and
	// only then give it its name: a half-written backup never looks whole.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".sessiond-backup-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := a.download(ctx, "/admin/v1/backup", tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := verifyBackup(tmp.Name()); err != nil {
		return fmt.Errorf("backup is not usable, not kept: %w", err)
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote %s (%d bytes)\n", *out, n)
	return nil
}

// download copies a response body to w.
func (a *admin) download(ctx context.Context, path string, w io.Writer) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", "http://sessiond"+path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, a.errorFrom(resp)
	}
	return io.Copy(w, resp.Body)
}

func (a *admin) errorFrom(resp *http.Response) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return decodeAPIError(resp.Status, data)
}

// verifyBackup opens the copy read-only and checks its consistency.
func verifyBackup(path string) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
}
