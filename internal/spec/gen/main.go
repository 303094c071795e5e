// Command gen writes the JSON Schema of the ward.yaml format and its
// reference documentation, generated from types.go. It is run by
// `go generate ./internal/spec`.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wardtm/ward/internal/spec/internal/schemagen"
)

func main() {
	types := flag.String("types", "types.go", "the Go file defining the format")
	schema := flag.String("schema", "", "write the JSON Schema here (embedded in the binary)")
	publish := flag.String("publish", "", "also write the JSON Schema here (published for editors)")
	docs := flag.String("docs", "", "write the Markdown reference here")
	flag.Parse()
	if err := run(*types, *schema, *publish, *docs); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(types, schema, publish, docs string) error {
	src, err := os.ReadFile(types)
	if err != nil {
		return err
	}
	out, err := schemagen.Generate(src)
	if err != nil {
		return err
	}
	for _, w := range []struct {
		path string
		data []byte
	}{{schema, out.Schema}, {publish, out.Schema}, {docs, out.Docs}} {
		if w.path == "" {
			continue
		}
		if err := write(w.path, w.data); err != nil {
			return err
		}
	}
	return nil
}

// write writes data to path unless it already holds exactly that.
func write(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
