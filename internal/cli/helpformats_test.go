package cli_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/cli"
)

// TestHelpListsEveryFormat: each command's help names every format the
// command accepts (the list its "unknown format" error gives), and that
// error names every format the help promises.
func TestHelpListsEveryFormat(t *testing.T) {
	run := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := cli.Main(t.Context(), args, cli.Env{Stdout: &out, Stderr: &errb, Dir: "../..", Getenv: func(string) string { return "" }})
		return code, out.String() + errb.String()
	}
	listRE := regexp.MustCompile(`(?:use one of|use|one of) ([a-z, -]+?)(?:\n|$)`)
	split := func(s string) []string {
		s = strings.ReplaceAll(s, " or ", ", ")
		var out []string
		for _, x := range strings.Split(s, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
		return out
	}
	for _, tt := range []struct {
		cmd  []string
		flag string
	}{
		{[]string{"check", "examples/shop"}, "--format"},
		{[]string{"report", "examples/shop"}, "--format"},
		{[]string{"diagram", "examples/shop"}, "--format"},
		{[]string{"paths", "examples/shop"}, "--format"},
		{[]string{"blast", "web-frontend", "examples/shop"}, "--format"},
		{[]string{"triage", "examples/shop"}, "--format"},
		{[]string{"diff", "examples/shop", "examples/shop"}, "--format"},
		{[]string{"rules", "list"}, "--format"},
		{[]string{"export", "examples/shop"}, "--to"},
	} {
		code, msg := run(append(tt.cmd, tt.flag, "bogus")...)
		m := listRE.FindStringSubmatch(msg)
		if code != 2 || m == nil {
			t.Errorf("ward %v %s bogus: exit %d, no list of formats in %q", tt.cmd, tt.flag, code, msg)
			continue
		}
		accepted := split(m[1])
		words := tt.cmd[:1:1]
		if tt.cmd[0] == "rules" {
			words = tt.cmd[:2:2]
		}
		_, help := run(append(words, "--help")...)
		var line string
		for _, l := range strings.Split(help, "\n") {
			if f := strings.TrimPrefix(strings.TrimSpace(l), "-f, "); strings.HasPrefix(f, tt.flag+" ") {
				line = l
			}
		}
		_, promised, _ := strings.Cut(line, "format: ")
		promised, _, _ = strings.Cut(promised, " (default")
		for _, f := range accepted {
			if !strings.Contains(line, f) {
				t.Errorf("ward %s --help: %s does not list %q: %s", tt.cmd[0], tt.flag, f, line)
			}
		}
		for _, f := range split(promised) {
			if !strings.Contains(m[1], f) {
				t.Errorf("ward %s: help promises %q but the command refuses it (%s)", tt.cmd[0], f, m[1])
			}
		}
	}
	// Import lists every importer, in its help and its --from flag.
	_, help := run("import", "--help")
	for _, name := range []string{"otm", "threat-composer", "tmt", "threagile", "threat-dragon"} {
		if strings.Count(help, name) < 2 {
			t.Errorf("ward import --help does not list %s in both the text and --from", name)
		}
	}
}
