package syncproto_test

import (
	"fmt"
	"testing"

	"github.com/klauspost/compress/zstd"

	"fieldsync/ident"
	"fieldsync/replica"
	"fieldsync/syncproto"
	"fieldsync/syncproto/internal/sampledata"
)

const (
	benchWorkers   = 10000
	benchBatchSize = 1000
)

var benchKey = ident.Key("fieldsync benchmark deployment key")

func benchCodec(b *testing.B) *syncproto.Codec {
	b.Helper()
	c, err := syncproto.NewCodec(testSchema(b), benchKey, syncproto.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func batches(changes []replica.Change) []*syncproto.Batch {
	var out []*syncproto.Batch
	for i := 0; i < len(changes); i += benchBatchSize {
		end := min(i+benchBatchSize, len(changes))
		out = append(out, &syncproto.Batch{First: uint64(i + 1), Last: uint64(end), Changes: changes[i:end]})
	}
	return out
}

// csvZstdBest is the size of the records as one CSV compressed by zstd at its
// best level: the bound the wire encoding is measured against.
func csvZstdBest(b testing.TB, changes []replica.Change) int {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderConcurrency(1))
	if err != nil {
		b.Fatal(err)
	}
	defer enc.Close()
	return len(enc.EncodeAll(sampledata.CSV(changes), nil))
}

// BenchmarkBatchBytesPerWorker measures the wire bytes of 10,000 realistic
// first-write worker changes sent in batches of 1,000, against the same values
// as one CSV compressed by zstd at its best level.
func BenchmarkBatchBytesPerWorker(b *testing.B) {
	c := benchCodec(b)
	changes := sampledata.Workers(benchWorkers, 1, benchKey)
	bs := batches(changes)
	csvBytes := csvZstdBest(b, changes)
	var wire int
	var frame []byte
	for b.Loop() {
		wire = 0
		for _, m := range bs {
			var err error
			if frame, err = c.Encode(frame[:0], m); err != nil {
				b.Fatal(err)
			}
			wire += len(frame)
		}
	}
	perRecord := float64(wire) / benchWorkers
	csvPerRecord := float64(csvBytes) / benchWorkers
	b.ReportMetric(perRecord, "wire-bytes/record")
	b.ReportMetric(csvPerRecord, "csv-zstd-best-bytes/record")
	b.ReportMetric(perRecord/csvPerRecord, "ratio")
}

func encodedBatches(b *testing.B, c *syncproto.Codec) ([]*syncproto.Batch, [][]byte, int) {
	b.Helper()
	bs := batches(sampledata.Workers(benchWorkers, 2, benchKey))
	var frames [][]byte
	raw := 0
	for _, m := range bs {
		f, err := c.Encode(nil, m)
		if err != nil {
			b.Fatal(err)
		}
		frames = append(frames, f)
		raw += rawSize(b, c, f)
	}
	return bs, frames, raw
}

// BenchmarkEncode encodes 1,000-worker batches; MB/s counts the uncompressed
// batch body.
func BenchmarkEncode(b *testing.B) {
	c := benchCodec(b)
	bs, _, raw := encodedBatches(b, c)
	b.SetBytes(int64(raw / len(bs)))
	b.ReportAllocs()
	var frame []byte
	i := 0
	for b.Loop() {
		var err error
		if frame, err = c.Encode(frame[:0], bs[i%len(bs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N*benchBatchSize)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkDecode decodes 1,000-worker batches (row ids recomputed from the
// id numbers); MB/s counts the uncompressed batch body.
func BenchmarkDecode(b *testing.B) {
	c := benchCodec(b)
	bs, frames, raw := encodedBatches(b, c)
	b.SetBytes(int64(raw / len(bs)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := c.Decode(frames[i%len(frames)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N*benchBatchSize)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkDecodeNoKey decodes batches whose row ids travel explicitly (a
// codec without the deployment key), isolating the cost of key derivation.
func BenchmarkDecodeNoKey(b *testing.B) {
	c, err := syncproto.NewCodec(testSchema(b), nil, syncproto.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	bs, frames, raw := encodedBatches(b, c)
	b.SetBytes(int64(raw / len(bs)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := c.Decode(frames[i%len(frames)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkEncoderLevels compresses the raw bodies of 1,000-worker batches at
// each zstd level, for choosing syncproto.EncoderLevel.
func BenchmarkEncoderLevels(b *testing.B) {
	c := benchCodec(b)
	_, frames, _ := encodedBatches(b, c)
	var bodies [][]byte
	for _, f := range frames {
		bodies = append(bodies, rawBody(b, c, f))
	}
	for _, lvl := range []zstd.EncoderLevel{zstd.SpeedFastest, zstd.SpeedDefault, zstd.SpeedBetterCompression, zstd.SpeedBestCompression} {
		b.Run(lvl.String(), func(b *testing.B) {
			enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(lvl), zstd.WithEncoderConcurrency(1))
			if err != nil {
				b.Fatal(err)
			}
			defer enc.Close()
			size := 0
			for _, body := range bodies {
				size += len(enc.EncodeAll(body, nil))
			}
			b.SetBytes(int64(len(bodies[0])))
			var out []byte
			i := 0
			for b.Loop() {
				out = enc.EncodeAll(bodies[i%len(bodies)], out[:0])
				i++
			}
			b.ReportMetric(float64(size)/float64(len(bodies)*benchBatchSize), "bytes/record")
		})
	}
}

// BenchmarkSmallBatchBytes reports wire bytes per worker record for the small
// batches of live sync (a station sending each registration as it is saved).
func BenchmarkSmallBatchBytes(b *testing.B) {
	c := benchCodec(b)
	changes := sampledata.Workers(1000, 3, benchKey)
	for _, size := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			var wire int
			var frame []byte
			for b.Loop() {
				wire = 0
				for i := 0; i < len(changes); i += size {
					var err error
					frame, err = c.Encode(frame[:0], &syncproto.Batch{First: uint64(i + 1), Last: uint64(i + size), Changes: changes[i : i+size]})
					if err != nil {
						b.Fatal(err)
					}
					wire += len(frame)
				}
			}
			b.ReportMetric(float64(wire)/float64(len(changes)), "wire-bytes/record")
		})
	}
}
