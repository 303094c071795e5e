package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/interop/formats"
	"github.com/wardtm/ward/internal/spec"
)

// importers lists every format ward import reads, in detection order.
func importers() []interop.Importer { return formats.Importers() }

// exporters lists every format ward export writes.
func exporters() []interop.Exporter { return formats.Exporters() }

func formatNames[T any](xs []T, name func(T) string) string {
	var out []string
	for _, x := range xs {
		out = append(out, name(x))
	}
	return strings.Join(out, ", ")
}

// importCollectBytes is the input size from which ward import collects
// garbage between reading and writing (docs/performance.md: a 2.9 MB
// Threagile model, 2,000 assets).
const importCollectBytes = 1 << 20

func (a *app) importCmd() *cobra.Command {
	var from, output string
	var force bool
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Convert another tool's threat model into a Ward model",
		Long: `Import converts a threat model from another tool into ward.yaml: readable
YAML with, at the top, a note of everything that could not be carried over.
The format is detected from the file unless --from names it.

Formats: ` + formatNames(importers(), func(i interop.Importer) string { return i.Name + " (" + i.Title + ")" }) + `

Files over 1 GiB are refused (the server refuses imports over 64 MiB):
--max-input, or the WARD_MAX_INPUT variable, sets another limit, such as
2GiB or 256MiB. The limit holds for each file a model includes, too, and
for the model files every other ward command loads.

What each importer keeps and drops is listed in docs/interop.md.`,
		Example: `  ward import threat-model.json -o ward.yaml
  ward import --from otm model.otm.json
  ward import --max-input 2GiB big.tc.json -o ward.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			interop.CollectInOneShot()
			opt, err := a.importOptions()
			if err != nil {
				return err
			}
			data, err := readLimited(a.path(args[0]), a.display(a.path(args[0])), opt)
			if err != nil {
				return err
			}
			if what := interop.NotAModel(data); what != "" {
				return usagef("%s is %s, not a threat model file — import the model file itself (%s)", args[0], what,
					formatNames(importers(), func(i interop.Importer) string { return i.Title }))
			}
			var imp *interop.Importer
			all := importers()
			for i := range all {
				if from != "" && all[i].Name == from || from == "" && all[i].Detect(args[0], data) {
					imp = &all[i]
					break
				}
			}
			if imp == nil {
				names := formatNames(all, func(i interop.Importer) string { return i.Name })
				if from != "" {
					hint := ""
					if s := spec.Suggest(from, strings.Split(names, ", ")); s != "" {
						hint = fmt.Sprintf(" (did you mean %q?)", s)
					}
					return usagef("unknown --from %q%s: use one of %s", from, hint, names)
				}
				return usagef("%s: not a format ward can import — name it with --from (%s)", args[0], names)
			}
			if imp.ImportFrom != nil {
				// Included files are read from the file's directory, and
				// only from there.
				root, err := os.OpenRoot(filepath.Dir(a.path(args[0])))
				if err != nil {
					return err
				}
				defer root.Close()
				opt.Root = root
			}
			res, err := imp.Run(opt, a.display(a.path(args[0])), data)
			if err != nil {
				return err
			}
			if len(data) >= importCollectBytes {
				// What the importer read (its input's node trees and
				// decoded structs) is garbage now, but a one-shot command
				// collects only at the heap ceiling (cmd/ward's gcPolicy):
				// collect once, while little is live, so that writing the
				// model reuses that memory instead of adding to it.
				data = nil
				runtime.GC()
			}
			// The model is written in parts and printed part by part:
			// joining them would copy it once more.
			parts, err := interop.EncodeYAMLParts(res.Doc, res.Notes, imp.Title+" file "+args[0])
			if err != nil {
				return err
			}
			notes, size := len(res.Notes), 0
			for _, p := range parts {
				size += len(p)
			}
			if size >= importCollectBytes {
				// Likewise between writing the model and checking that it
				// loads: the check then reuses what writing allocated (its
				// pieces) instead of adding to it.
				runtime.GC()
			}
			// The check builds the model from the document; it parses
			// the written text only when that finds something (then the
			// error points into the text).
			if err := interop.CheckWrittenParts(res.Doc, parts); err != nil {
				return err
			}
			res = nil
			write := func(w io.Writer) error {
				for _, p := range parts {
					if _, err := w.Write(p); err != nil {
						return err
					}
				}
				return nil
			}
			if output == "" || output == "-" {
				return write(a.env.Stdout)
			}
			if _, err := os.Stat(a.path(output)); err == nil && !force {
				return usagef("%s already exists — pass --force to overwrite it", output)
			}
			if err := writeFileAtomicWith(a.path(output), write); err != nil {
				return fmt.Errorf("write model: %w", err)
			}
			fmt.Fprintf(a.env.Stderr, "wrote %s (%s); %d note(s) on what was not carried over are at its top\n", output, imp.Title, notes)
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the input `format`: "+formatNames(importers(), func(i interop.Importer) string { return i.Name })+" (default: detected)")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the model to `file` instead of standard output")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite the output file")
	return cmd
}

func (a *app) exportCmd() *cobra.Command {
	var (
		af     analyseFlags
		to     string
		output string
	)
	cmd := &cobra.Command{
		Use:   "export [MODEL]",
		Short: "Write a Ward model in another tool's format",
		Long: `Export writes the model, with its analysis, in another tool's format.

Formats: ` + formatNames(exporters(), func(e interop.Exporter) string { return e.Name + " (" + e.Title + ")" }),
		Example: `  ward export --to otm -o model.otm.json`,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var exp *interop.Exporter
			all := exporters()
			for i := range all {
				if all[i].Name == to {
					exp = &all[i]
				}
			}
			if exp == nil {
				return usagef("--to %q: use one of %s", to, formatNames(all, func(e interop.Exporter) string { return e.Name }))
			}
			path, err := a.modelPath(args)
			if err != nil {
				return err
			}
			res, err := a.analyseOnly(cmd.Context(), path, af)
			if err != nil {
				return err
			}
			write := func(w io.Writer) error { return exp.Write(w, res.analysis) }
			if output == "" || output == "-" {
				return write(a.env.Stdout)
			}
			if err := writeFileAtomicWith(a.path(output), write); err != nil {
				return fmt.Errorf("write export: %w", err)
			}
			fmt.Fprintf(a.env.Stderr, "wrote %s\n", output)
			return nil
		},
	}
	af.register(cmd)
	cmd.Flags().StringVar(&to, "to", "", "the output `format`: "+formatNames(exporters(), func(e interop.Exporter) string { return e.Name }))
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to `file` instead of standard output")
	return cmd
}

// cliMaxInput is the largest file a ward command reads (a model file, each
// file it includes, a file to import) unless --max-input or WARD_MAX_INPUT
// says otherwise: a one-shot command on the user's own file can take more
// than the server's 64 MiB (interop.MaxInputBytes, spec.MaxFileBytes),
// enough for a 10,000-component model and its exports (160–180 MB).
const cliMaxInput = 1 << 30

// maxInput is the file size limit: --max-input when given, else
// WARD_MAX_INPUT, else cliMaxInput.
func (a *app) maxInputBytes() (int64, error) {
	name, s := "--max-input", a.maxInput
	flagSet := a.flags != nil && a.flags.Changed("max-input")
	if !flagSet {
		name, s = "WARD_MAX_INPUT", a.env.Getenv("WARD_MAX_INPUT")
	}
	if !flagSet && s == "" {
		return cliMaxInput, nil
	}
	n, err := interop.ParseSize(s)
	if err != nil {
		return 0, usagef("%s: %v", name, err)
	}
	return n, nil
}

// inputLimit is maxInputBytes with the hint an error over it gives: the
// --max-input that would take the file, to verb it ("import", "load").
func (a *app) inputLimit(verb string) (int64, func(int64) string, error) {
	limit, err := a.maxInputBytes()
	if err != nil {
		return 0, nil, err
	}
	return limit, func(size int64) string {
		return "pass --max-input " + suggestSize(max(size, 2*limit)) + " to " + verb + " it"
	}, nil
}

// importOptions is ward import's limit (inputLimit).
func (a *app) importOptions() (interop.Options, error) {
	limit, hint, err := a.inputLimit("import")
	return interop.Options{MaxBytes: limit, Hint: hint}, err
}

// loadOptions is the model loader's limit (inputLimit).
func (a *app) loadOptions() (spec.LoadOptions, error) {
	limit, hint, err := a.inputLimit("load")
	return spec.LoadOptions{MaxFileBytes: limit, Hint: hint}, err
}

// load reads the model at path with the command's size limit.
func (a *app) load(ctx context.Context, path string) (*spec.Loaded, error) {
	opt, err := a.loadOptions()
	if err != nil {
		return nil, err
	}
	return spec.LoadWith(ctx, path, opt)
}

// suggestSize is a --max-input value of at least n: the next power of two,
// in the largest unit it is a whole number of (bytes without a unit).
func suggestSize(n int64) string {
	p := int64(1)
	for p < n && p < 1<<40 {
		p <<= 1
	}
	if p < 1<<10 {
		return strconv.FormatInt(p, 10)
	}
	return strings.ReplaceAll(interop.FormatSize(p), " ", "")
}

// readLimited reads a file to import (shown as name), refusing one over
// opt's limit with an error saying how to raise it (exit 2).
func readLimited(path, name string, opt interop.Options) ([]byte, error) {
	if err := checkRegular(path); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, usagef("%s does not exist", path)
		}
		return nil, err
	}
	defer f.Close()
	limit := opt.Limit()
	// The buffer is sized from the file's size, so that reading a large
	// input allocates it once rather than growing it by doubling (a 36 MB
	// Threat Composer file allocated ≈ 80 MB); the limit still holds if the
	// file grows meanwhile.
	size := 512
	fi, err := f.Stat()
	if err == nil && fi.Size() > limit {
		return nil, usageError{opt.TooLarge(name, fi.Size())}
	}
	if err == nil && fi.Size() > 0 {
		size = int(fi.Size()) + 1 // +1: the read that finds the end
	}
	r := io.LimitReader(f, limit+1)
	data := make([]byte, 0, size)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // as os.ReadFile grows it
		}
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(data)) > limit {
		return nil, usageError{opt.TooLarge(name, -1)}
	}
	return data, nil
}
