package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// Version returns the module version ward was built as, or "devel".
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print ward's version, model format, result schema and rule count",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(a.env.Stdout, "ward %s\nmodel format: %d\nresult schema: %s\nbuilt-in rules: %d\n",
				a.env.Version, 1, report.Schema, len(rules.All()))
			return err
		},
	}
}

func (a *app) schemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the model format (for editor completion)",
		Long: `Schema prints the JSON Schema (draft 2020-12) of ward.yaml. Point your editor's
YAML language server at it, for example with a first line of:

  # yaml-language-server: $schema=./ward.schema.json`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := a.env.Stdout.Write(spec.Schema())
			return err
		},
	}
}

func dirOf(p string) string { return filepath.Dir(p) }

func cmdContext(c interface{ Context() context.Context }) context.Context {
	if ctx := c.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}
