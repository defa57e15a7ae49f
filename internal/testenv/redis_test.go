package testenv

import (
	"bufio"
	"reflect"
	"strings"
	"testing"
)

// TestReadReply checks the RESP2 reader the Redis helpers poll with.
func TestReadReply(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    any
		wantErr bool
	}{
		{"simple_string", "+PONG\r\n", "PONG", false},
		{"integer", ":42\r\n", int64(42), false},
		{"bulk_string_with_crlf_inside", "$7\r\nab\r\ncde\r\n", "ab\r\ncde", false},
		{"null_bulk", "$-1\r\n", nil, false},
		{"array", "*3\r\n$4\r\nname\r\n:1\r\n*1\r\n+x\r\n", []any{"name", int64(1), []any{"x"}}, false},
		{"null_array", "*-1\r\n", nil, false},
		// Failures are errors, never a reply that reads as success.
		{"error_reply", "-ERR nope\r\n", nil, true},
		{"truncated_bulk", "$10\r\nshort\r\n", nil, true},
		{"unknown_type", "!3\r\n", nil, true},
		{"empty", "", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readReply(bufio.NewReader(strings.NewReader(tc.in)))
			if (err != nil) != tc.wantErr || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("readReply(%q) = %#v, %v; want %#v, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}
