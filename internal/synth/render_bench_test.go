package synth

import (
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/cpuclock"
	"github.com/wardtm/ward/internal/report"
)

// BenchmarkRenderJSON measures `--format json` rendering alone: the result
// is built once outside the timer and written to io.Discard. MB/s is the
// rate of JSON written.
func BenchmarkRenderJSON(b *testing.B) {
	for _, n := range benchSizes {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			r := endToEnd(b, writeModel(b, n))
			var cw countWriter
			if err := report.JSON(&cw, r); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(cw.n))
			b.ReportAllocs()
			for b.Loop() {
				if err := report.JSON(io.Discard, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// renderFormats are the formats `ward check --format` offers for whole
// results, each measured by BenchmarkRender.
var renderFormats = []string{"text", "json", "sarif", "markdown", "csv", "html"}

// BenchmarkRender measures each output format's renderer alone: the result
// is built once per size outside the timer and rendered to io.Discard.
// MB/s is the rate of output written; cpu-ms/op is the process CPU per
// render (renderers use all cores).
func BenchmarkRender(b *testing.B) {
	for _, n := range benchSizes {
		var r *report.Result
		for _, f := range renderFormats {
			b.Run("N="+strconv.Itoa(n)+"/"+f, func(b *testing.B) {
				if r == nil {
					r = endToEnd(b, writeModel(b, n))
				}
				var cw countWriter
				if err := report.Render(&cw, f, r, report.Options{}); err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(cw.n))
				b.ReportAllocs()
				cpu := cpuclock.Process()
				for b.Loop() {
					if err := report.Render(io.Discard, f, r, report.Options{}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cpuclock.Process()-cpu)/float64(time.Millisecond)/float64(max(b.N, 1)), "cpu-ms/op")
			})
		}
	}
}
