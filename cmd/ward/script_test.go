package main

import (
	"flag"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "update txtar scripts with actual output (cmp stdout/stderr files)")

// TestMain lets scripts run the real ward entry point as the "ward" command.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"ward": main})
}

// TestScripts runs every CLI scenario in testdata/script, one per file.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Cmds:          map[string]func(*testscript.TestScript, bool, []string){"ward-test-server": cmdTestServer},
		Setup: func(e *testscript.Env) error {
			e.Setenv("NO_COLOR", "1")
			return nil
		},
	})
}
