// Package eval is Ward's quality benchmark. A case is a directory holding a
// model (a ward.yaml, or another tool's file that Ward imports) and a
// reviewer's threat list, reference.yaml: the threats an experienced
// reviewer would write on that design, each with a target element, a STRIDE
// category and a severity. Run analyses every case exactly as `ward check`
// does and scores the result against the list: weighted recall, noise
// ratio, how many of the listed high and critical threats are in Ward's top
// ten, and how many questions the model leaves per element. docs/quality.md
// documents the format, the scores and the committed figures; `ward eval`
// prints them.
package eval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/spec"
)

// Options tune Run.
type Options struct {
	// Importers read models that are not ward.yaml (the CLI's list).
	Importers []interop.Importer
	// Now is the date decisions are evaluated against; zero means Date.
	Now time.Time
	// Version is the tool version recorded in results.
	Version string
	// Load is the model loader's limits (zero: spec's defaults).
	Load spec.LoadOptions
	// Import is the importer's limits for a case whose model is another
	// tool's file (zero: interop's defaults).
	Import interop.Options
}

// Date is the fixed evaluation date, so scores do not drift with the clock.
var Date = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Cases returns the case directories under dir, sorted: dir itself when it
// holds a reference.yaml, otherwise every directory below it that does.
func Cases(dir string) ([]string, error) {
	if _, err := os.Stat(filepath.Join(dir, ReferenceFile)); err == nil {
		return []string{dir}, nil
	}
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == ReferenceFile {
			out = append(out, filepath.Dir(p))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no case found (a case is a directory with a %s): %w", dir, ReferenceFile, fs.ErrNotExist)
	}
	slices.Sort(out)
	return out, nil
}

// Run scores every case under dir.
func Run(ctx context.Context, dir string, opt Options) (*Report, error) {
	dirs, err := Cases(dir)
	if err != nil {
		return nil, err
	}
	rep := &Report{Schema: ReportSchema}
	for _, d := range dirs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		cr, err := RunCase(ctx, d, opt)
		if err != nil {
			return nil, err
		}
		rep.Cases = append(rep.Cases, *cr)
	}
	rep.Total = total(rep.Cases)
	return rep, nil
}

// RunCase loads one case, analyses its model and scores the result.
func RunCase(ctx context.Context, dir string, opt Options) (*CaseResult, error) {
	refPath := filepath.Join(dir, ReferenceFile)
	data, err := readBounded(refPath, interop.Options{MaxBytes: MaxReferenceBytes})
	if err != nil {
		return nil, err
	}
	ref, err := ParseReference(refPath, data)
	if err != nil {
		return nil, err
	}
	if ref.Case == "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, err
		}
		ref.Case = filepath.Base(abs)
	}
	res, err := Analyse(ctx, filepath.Join(dir, ref.Model), ref.From, opt)
	if err != nil {
		return nil, err
	}
	if err := ref.Check(res.an.Model); err != nil {
		return nil, err
	}
	cr := Score(ref, res.Result)
	cr.Model = ref.Model
	return cr, nil
}

// Analysed is a case's model run through the engine.
type Analysed struct {
	Result *report.Result
	an     *analysis.Analysis
}

// Analyse loads the model at path (a ward.yaml, or another tool's file read
// by the importer named from, or detected) and analyses it as `ward check`
// does with --all. An imported model's own threats, decisions and mitigations are
// dropped first: they are the answer the benchmark scores against.
func Analyse(ctx context.Context, path, from string, opt Options) (*Analysed, error) {
	now := opt.Now
	if now.IsZero() {
		now = Date
	}
	var l *spec.Loaded
	ext := strings.ToLower(filepath.Ext(path))
	if from == "" && (ext == ".yaml" || ext == ".yml") {
		var err error
		if l, err = spec.LoadWith(ctx, path, opt.Load); err != nil {
			return nil, err
		}
	} else {
		m, err := importModel(path, from, opt.Importers, opt.Import)
		if err != nil {
			return nil, err
		}
		l = m
	}
	rs, err := analysis.Rules(l, nil)
	if err != nil {
		return nil, err
	}
	// Mitigated keeps threats whose controls are stated present, as
	// `ward check --all` does: reference entries marked mitigated match them.
	an, err := analysis.Run(ctx, l.Model, rs, analysis.Options{Now: now, Mitigated: true})
	if err != nil {
		return nil, err
	}
	version := opt.Version
	if version == "" {
		version = "eval"
	}
	return &Analysed{Result: report.Build(an, report.Tool{Name: "ward", Version: version}), an: an}, nil
}

// importModel reads another tool's file and turns it into a Ward model
// without the file's own threats.
func importModel(path, from string, importers []interop.Importer, io interop.Options) (*spec.Loaded, error) {
	data, err := readBounded(path, io)
	if err != nil {
		return nil, err
	}
	var imp *interop.Importer
	for i := range importers {
		if from != "" && importers[i].Name == from || from == "" && importers[i].Detect(path, data) {
			imp = &importers[i]
			break
		}
	}
	if imp == nil {
		return nil, interop.Inputf(path, "name the format with from: in "+ReferenceFile, "not a format Ward can import")
	}
	im, err := imp.Run(io, path, data)
	if err != nil {
		return nil, err
	}
	Strip(im.Doc)
	out, err := interop.Encode(im.Doc, im.Notes, imp.Title+" file "+filepath.Base(path))
	if err != nil {
		return nil, err
	}
	m, _, err := spec.Parse(path, out)
	if err != nil {
		return nil, err
	}
	return &spec.Loaded{Model: m, Dir: filepath.Dir(path)}, nil
}

// Strip removes what another tool's model says about its threats: the
// threats themselves, decisions, mitigations, and assumptions' links to
// them. What is left is the design.
func Strip(doc *spec.Document) {
	gone := map[string]bool{}
	for _, t := range doc.Threats {
		gone[t.ID] = true
	}
	for _, m := range doc.Mitigations {
		gone[m.ID] = true
	}
	doc.Threats, doc.Decisions, doc.Mitigations = nil, nil, nil
	for _, a := range doc.Assumptions {
		a.Supports = slices.DeleteFunc(a.Supports, func(s string) bool { return gone[s] })
	}
}

func readBounded(path string, opt interop.Options) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > opt.Limit() {
		return nil, opt.TooLarge(path, st.Size())
	}
	data := make([]byte, st.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return data, nil
}

// IsInput reports whether err is a problem with a case's files (a model or
// reference diagnostic, or an import error) rather than a failure of Ward.
func IsInput(err error) bool {
	var ds spec.Diagnostics
	var ie *interop.InputError
	return errors.As(err, &ds) || errors.As(err, &ie)
}
