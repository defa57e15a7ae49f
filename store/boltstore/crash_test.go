package boltstore

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The environment of the writer child of TestAcknowledgedWritesSurviveKill:
// writerDBEnv switches the test binary into the writer and names the file,
// writerFromEnv is the index of its first record.
const (
	writerDBEnv   = "BOLTSTORE_CRASH_WRITER_DB"
	writerFromEnv = "BOLTSTORE_CRASH_WRITER_FROM"
)

// crashExpiry is the expiry of every record the writer creates: a fixed
// instant, so the parent knows the exact records to expect.
var crashExpiry = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

// TestAcknowledgedWritesSurviveKill proves the durability promise: a record
// whose Create returned is on disk, intact, after the process is killed
// with SIGKILL at an arbitrary point, and the file is not corrupt. Each
// round goes on writing to the file the previous round's victim left.
//
//  1. A child process (this test binary, in TestHelperProcess) creates
//     records in a loop and prints "ack <i> <key>" after each Create
//     returns.
//  2. The parent reads acknowledgements until it has enough and kills the
//     child with SIGKILL while it is still writing.
//  3. The parent drains what the child printed before it died (those are
//     acknowledgements too), reopens the file, and checks every record
//     acknowledged so far, bbolt's consistency check and the indexes.
func TestAcknowledgedWritesSurviveKill(t *testing.T) {
	const rounds, killAfter = 3, 100
	path := filepath.Join(t.TempDir(), "sessions.db")
	acked := map[int]bool{}
	for round := range rounds {
		from := round * 1_000_000
		n := killWriter(t, path, from, killAfter, acked)
		t.Logf("round %d: writer killed after %d acknowledged creates", round+1, n)

		s, err := Open(path, Config{SweepEvery: -1})
		if err != nil {
			t.Fatalf("round %d: reopening after the kill: %v", round+1, err)
		}
		checkFile(t, s)
		for i := range acked {
			want := testRecord(i, crashExpiry)
			got, err := s.Get(t.Context(), want.Key)
			if err != nil || !equalRecords(got, want) {
				t.Errorf("round %d: acknowledged record %d: Get = %+v, %v, want %+v", round+1, i, got, err, want)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}

// killWriter starts the writer on path with records from index from, kills
// it with SIGKILL once it has acknowledged killAfter of them, adds every
// index it acknowledged to acked, and returns how many that was.
func killWriter(t *testing.T, path string, from, killAfter int, acked map[int]bool) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), writerDBEnv+"="+path, writerFromEnv+"="+strconv.Itoa(from))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n := 0
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		i, ok := parseAck(lines.Text())
		if !ok {
			continue // the testing package's own output, if any
		}
		acked[i] = true
		if n++; n == killAfter {
			if err := cmd.Process.Kill(); err != nil { // SIGKILL on Unix
				t.Fatalf("killing the writer: %v", err)
			}
		}
	}
	err = cmd.Wait()
	if n < killAfter {
		t.Fatalf("writer exited after %d acknowledgements (%v), before it could be killed", n, err)
	}
	if ws, ok := cmd.ProcessState.Sys().(interface{ Signaled() bool }); ok && !ws.Signaled() {
		t.Fatalf("writer ended with %v, want it killed by a signal", cmd.ProcessState)
	}
	return n
}

// TestHelperProcess is the writer of TestAcknowledgedWritesSurviveKill. It
// does nothing unless that test started it.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(writerDBEnv)
	if path == "" {
		return
	}
	from, err := strconv.Atoi(os.Getenv(writerFromEnv))
	if err != nil {
		fmt.Fprintf(os.Stderr, "writer: %s: %v\n", writerFromEnv, err)
		os.Exit(2)
	}
	s, err := Open(path, Config{SweepEvery: -1})
	if err != nil {
		fmt.Fprintf(os.Stderr, "writer: %v\n", err)
		os.Exit(2)
	}
	// Write until killed. The bound only stops a writer whose parent died.
	for i := from; i < from+1_000_000; i++ {
		rec := testRecord(i, crashExpiry)
		if err := s.Create(t.Context(), rec); err != nil {
			fmt.Fprintf(os.Stderr, "writer: %v\n", err)
			os.Exit(2)
		}
		// Unbuffered: the line is out before the next write starts.
		if _, err := fmt.Fprintf(os.Stdout, "ack %d %x\n", i, rec.Key); err != nil {
			os.Exit(3) // the parent is gone
		}
	}
	os.Exit(4)
}

// parseAck parses an "ack <i> <key>" line and checks the key is that of
// record i, so that a garbled line cannot pass for an acknowledgement.
func parseAck(line string) (int, bool) {
	fields := strings.Fields(line)
	if len(fields) != 3 || fields[0] != "ack" {
		return 0, false
	}
	i, err := strconv.Atoi(fields[1])
	if err != nil {
		return 0, false
	}
	key := testRecord(i, crashExpiry).Key
	return i, fields[2] == hex.EncodeToString(key[:])
}
