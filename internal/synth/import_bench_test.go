package synth

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/cpuclock"
	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/interop/threatcomposer"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// importBenchN is the size of the model whose Threat Composer export
// BenchmarkImportThreatComposer reads: issue 13 compares `ward import` of
// the export of a 2,000-component model with `ward check` of that model.
const importBenchN = 2000

// BenchmarkImportThreatComposer measures what `ward import` does with a
// Threat Composer workspace, in steps: "read" is the importer (JSON
// decoding and building the document), "write" the YAML writer, "check"
// the check that the written model loads, "all" the three in a row. The
// workspace is the export of a synthetic model of importBenchN
// components, made once outside the timer. cpu-ms/op is the process CPU
// per operation (the writer uses all cores).
func BenchmarkImportThreatComposer(b *testing.B) {
	ctx := rule.WithBudget(context.Background(), benchBudget)
	l, err := spec.Load(ctx, writeModel(b, importBenchN))
	if err != nil {
		b.Fatal(err)
	}
	a, err := analysis.Run(ctx, l.Model, rules.All(), analysis.Options{Now: benchNow})
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := threatcomposer.Exporter().Write(&buf, a); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	l, a = nil, nil
	read := func(b *testing.B) *interop.Imported {
		res, err := threatcomposer.Import("bench.tc.json", data)
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	write := func(b *testing.B, res *interop.Imported) [][]byte {
		parts, err := interop.EncodeYAMLParts(res.Doc, res.Notes, "bench")
		if err != nil {
			b.Fatal(err)
		}
		return parts
	}
	check := func(b *testing.B, res *interop.Imported, parts [][]byte) {
		if err := interop.CheckWrittenParts(res.Doc, parts); err != nil {
			b.Fatal(err)
		}
	}
	run := func(name string, op func(b *testing.B)) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			cpu := cpuclock.Process()
			for b.Loop() {
				op(b)
			}
			b.ReportMetric(float64(cpuclock.Process()-cpu)/float64(time.Millisecond)/float64(max(b.N, 1)), "cpu-ms/op")
		})
	}
	res := read(b)
	parts := write(b, res)
	run("read", func(b *testing.B) { read(b) })
	run("write", func(b *testing.B) { write(b, res) })
	run("check", func(b *testing.B) { check(b, res, parts) })
	run("all", func(b *testing.B) {
		res := read(b)
		check(b, res, write(b, res))
	})
}
