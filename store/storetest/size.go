package storetest

import (
	"bytes"
	"testing"
)

var sizeTests = []test{
	{"records_up_to_64_KiB_round_trip", func(t *testing.T, h *harness) {
		// The session package caps encoded records (4 KiB by default,
		// configurable); a store must hold anything up to 64 KiB intact.
		for _, size := range []int{4096, 4097, 64 << 10} {
			rec := h.record("alice")
			rec.Data = bytes.Repeat([]byte{0xa5, 0x00}, size/2)
			h.mustCreate(t, rec)
			if got := h.mustGet(t, rec.Key); !bytes.Equal(got.Data, rec.Data) {
				t.Fatalf("%d-byte record came back as %d bytes", size, len(got.Data))
			}
		}
	}},
}
