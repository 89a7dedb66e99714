package places

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
	"time"
)

// searchQueries are what staff type: a common name part, the commonest
// character, a township word, a code prefix, one whole village name, nothing.
var searchQueries = []struct{ name, q string }{
	{"prefix_wulan", "乌兰"},
	{"contains_cun", "村"},
	{"contains_gacha", "嘎查"},
	{"code_prefix", "1504"},
	{"exact_village", "东官井社区居民委员会"},
	{"no_match", "不存在的地方"},
}

// BenchmarkSearch runs Search (limit 20, as /api/places) over the whole
// table. Target: place search at most 20 ms. Beside ms/op it reports, per
// query, the limit measured in the same run: a plain scan of every name with
// strings.Contains (the least any search by a part of the name must read),
// and Search's time as a ratio to it and to the 20 ms target.
func BenchmarkSearch(b *testing.B) {
	tab, err := load()
	if err != nil {
		b.Fatal(err)
	}
	for _, sq := range searchQueries {
		b.Run(sq.name, func(b *testing.B) {
			const limitRuns = 200
			start := time.Now()
			hits := 0
			for range limitRuns {
				for _, name := range tab.names {
					if strings.Contains(name, sq.q) {
						hits++
					}
				}
			}
			scan := float64(time.Since(start).Microseconds()) / 1000 / limitRuns
			if hits < 0 {
				b.Fatal(hits)
			}
			b.ResetTimer()
			start = time.Now()
			for b.Loop() {
				tab.Search(sq.q, 20)
			}
			ms := float64(time.Since(start).Microseconds()) / 1000 / float64(b.N)
			b.StopTimer()
			b.ReportMetric(ms, "ms/op")
			b.ReportMetric(scan, "limit-scan-ms")
			b.ReportMetric(ms/scan, "ratio-to-limit")
			b.ReportMetric(ms/20, "ratio-to-target")
		})
	}
}

// BenchmarkLoad decodes the embedded table as the first lookup of a process
// does (once: Lookup, Name and Search share it).
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		zr, err := gzip.NewReader(bytes.NewReader(embedded))
		if err != nil {
			b.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}
