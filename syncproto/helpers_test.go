package syncproto_test

import (
	"testing"

	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncproto"
)

func testSchema(tb testing.TB) *replica.Schema {
	tb.Helper()
	s, err := records.NewSchema()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func rawBody(tb testing.TB, c *syncproto.Codec, frame []byte) []byte {
	tb.Helper()
	b, err := c.RawBody(frame)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func rawSize(tb testing.TB, c *syncproto.Codec, frame []byte) int {
	return len(rawBody(tb, c, frame))
}
