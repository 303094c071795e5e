package spec_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/spec"
)

const head = "ward: 1\nsystem: {id: s, name: S}\n"

func diagLines(ds spec.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.String())
	}
	return out
}

func sameLines(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n  got:\n\t%s\n  want:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

func TestParseDiagnostics(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []string
	}{
		{"syntax error", "ward: 1\nsystem:\n  id: s\n   name: S\n", []string{
			"m.yaml:4:8: YAML syntax error: mapping values are not allowed in this context — check indentation (spaces, not tabs), colons and brackets on this line and the one before",
		}},
		{"unclosed brace", "ward: 1\nsystem: {id: s, name: S\n", []string{
			"m.yaml:3:1: YAML syntax error: did not find expected ',' or '}' — check indentation (spaces, not tabs), colons and brackets on this line and the one before",
		}},
		{"tab", "ward: 1\n\tsystem: x\n", []string{
			"m.yaml:2:1: YAML syntax error: found a tab character that violates indentation — check indentation (spaces, not tabs), colons and brackets on this line and the one before",
		}},
		{"empty", "", []string{
			"m.yaml:1:1: the file is empty — start it with `ward: 1` (run `ward init` to scaffold a model)",
		}},
		{"only a comment", "# nothing yet\n", []string{
			"m.yaml:1:1: the file is empty — start it with `ward: 1` (run `ward init` to scaffold a model)",
		}},
		{"empty document", "---\n", []string{
			"m.yaml:1:1: the file is empty — start it with `ward: 1` (run `ward init` to scaffold a model)",
		}},
		{"not a mapping", "- a\n- b\n", []string{
			"m.yaml:1:1: the model must be a mapping of keys to values, not a list — write it as `key: value` lines",
			"m.yaml:1:1: the model has no system — add a `system:` section with at least id and name",
		}},
		{"no ward", "system: {id: s, name: S}\n", []string{
			`m.yaml:1:1: the model is missing "ward" — add ` + "`ward:`" + ` with one of: 1`,
		}},
		{"ward 2", "ward: 2\nsystem: {id: s, name: S}\n", []string{
			`m.yaml:1:7: "ward" must be 1, not "2" — this version of ward reads format 1`,
		}},
		{"unknown key", head + "compnents: []\n", []string{
			`m.yaml:3:1: unknown key "compnents" in the model — did you mean "components"?`,
		}},
		{"misspelt section: one error, not a cascade", head + "componets:\n  - {id: a, kind: service}\n  - {id: b, kind: datastore}\nflows:\n  - {from: a, to: b}\n  - {from: b, to: a}\nthreats:\n  - {id: t, title: T, targets: [a, b]}\n", []string{
			`m.yaml:3:1: unknown key "componets" in the model — did you mean "components"? (6 references to what it defines not checked until it is fixed)`,
		}},
		{"unknown key in component", head + "components:\n  - id: a\n    kind: service\n    boundry: vpc\n", []string{
			`m.yaml:6:5: unknown key "boundry" in component — did you mean "boundary"?`,
		}},
		{"key twice", head + "ward: 1\n", []string{
			`m.yaml:3:1: key "ward" appears twice in the model — keep one of them`,
		}},
		{"bad enum", head + "components:\n  - id: a\n    kind: servce\n", []string{
			`m.yaml:5:11: "servce" is not a valid kind — did you mean "service"? (one of: person, client, service, function, datastore, storage, queue, external, device, llm, agent)`,
		}},
		{"missing required", head + "components:\n  - id: a\n", []string{
			`m.yaml:4:5: component is missing "kind" — add ` + "`kind:`" + ` with one of: person, client, service, function, datastore, storage, queue, external, device, llm, agent`,
		}},
		{"required but empty", head + "components:\n  - id:\n    kind: service\n", []string{
			`m.yaml:4:5: "id" in component has no value — write its value after the colon`,
		}},
		{"wrong type", head + "assets: data\n", []string{
			`m.yaml:3:9: "assets" must be a list, not "data" — start each item with ` + "`- `",
		}},
		{"text expected", head + "assets:\n  - id: a\n    name: [x]\n", []string{
			`m.yaml:5:11: "name" in asset must be text, not a list — quote it if it contains : or starts with [ or {`,
		}},
		{"bool expected", head + "assets:\n  - id: a\n    must_not_store: maybe\n", []string{
			`m.yaml:5:21: "must_not_store" must be true or false, not "maybe" — write true or false`,
		}},
		{"bad port", head + "components: [{id: a, kind: service}, {id: b, kind: service}]\nflows:\n  - {from: a, to: b, port: 70000}\n", []string{
			`m.yaml:5:28: port 70000 is out of range — use a port between 0 and 65535`,
		}},
		{"bad date", head + "mitigations:\n  - id: m\n    title: M\n    due: 2027-02-30\n", []string{
			`m.yaml:6:10: "2027-02-30" is not a date — write it as YYYY-MM-DD, e.g. 2027-03-31`,
		}},
		{"bad id", head + "assets:\n  - id: card data\n", []string{
			`m.yaml:4:9: "card data" is not a valid id — use letters, digits, '-', '_' and '.', starting with a letter or digit`,
		}},
		{"dangling boundary", head + "boundaries: [{id: vpc, trust: internal}]\ncomponents:\n  - id: api\n    kind: service\n    boundary: vpcc\n", []string{
			`m.yaml:7:15: unknown boundary "vpcc" in component "api" — did you mean "vpc"?`,
		}},
		{"dangling stores", head + "components:\n  - id: api\n    kind: service\n    stores: [ordres]\nassets: [{id: orders}]\n", []string{
			`m.yaml:6:14: unknown asset "ordres" in component "api" — did you mean "orders"?`,
		}},
		{"dangling flow ends and carries", head + "components: [{id: api, kind: service}, {id: db, kind: datastore}]\nassets: [{id: orders}]\nflows:\n  - from: apii\n    to: dbb\n    carries: [ordrs]\n", []string{
			`m.yaml:6:11: unknown component "apii" in flow "apii-to-dbb" — did you mean "api"?`,
			`m.yaml:7:9: unknown component "dbb" in flow "apii-to-dbb" — did you mean "db"?`,
			`m.yaml:8:15: unknown asset "ordrs" in flow "apii-to-dbb" — did you mean "orders"?`,
		}},
		{"dangling threat refs", head + "components: [{id: api, kind: service}]\nmitigations: [{id: m1, title: M}]\nthreats:\n  - id: t1\n    title: T\n    targets: [apx]\n    mitigations: [m2]\n    assets: [api]\n", []string{
			`m.yaml:8:15: unknown element "apx" in threat "t1" — did you mean "api"?`,
			`m.yaml:9:19: unknown mitigation "m2" in threat "t1" — did you mean "m1"?`,
			`m.yaml:10:14: "api" is a component, not an asset (in threat "t1") — the model defines no assets yet`,
		}},
		{"dangling decision mitigation", head + "mitigations: [{id: rate-limit, title: M}]\ndecisions:\n  - finding: r:x\n    status: mitigated\n    mitigations: [rate-limits]\n", []string{
			`m.yaml:7:19: unknown mitigation "rate-limits" in decision on "r:x" — did you mean "rate-limit"?`,
		}},
		{"no suggestion", head + "components: [{id: api, kind: service}, {id: db, kind: datastore}]\nflows: [{from: api, to: zzzzzz}]\n", []string{
			`m.yaml:4:25: unknown component "zzzzzz" in flow "api-to-zzzzzz" — use one of: "api", "db"`,
		}},
		{"duplicate id", head + "assets:\n  - id: x\ncomponents:\n  - {id: x, kind: service}\n", []string{
			`m.yaml:6:10: duplicate id "x" — the first one is the asset at m.yaml:4:9; ids must be unique across the whole model`,
		}},
		{"two flows without ids", head + "components: [{id: a, kind: service}, {id: b, kind: service}]\nflows:\n  - {from: a, to: b}\n  - {from: a, to: b}\n", []string{
			`m.yaml:6:5: a second flow from "a" to "b" has no id — give each flow between them an id (the first is at m.yaml:5:5)`,
		}},
		{"flow to itself", head + "components: [{id: a, kind: service}]\nflows:\n  - {from: a, to: a}\n", []string{
			`m.yaml:5:19: flow "a-to-a" goes from "a" to itself — a flow joins two different components; model the inner parts as separate components`,
		}},
		{"accepted decision", head + "decisions:\n  - finding: r:x\n    status: accepted\n", []string{
			"m.yaml:4:5: an accepted risk needs an owner — add `owner:` (the person who accepts the risk)",
			"m.yaml:4:5: an accepted risk needs a reason — add `reason:` explaining why it is acceptable",
			"m.yaml:4:5: an accepted risk needs an expiry date — add `expires: YYYY-MM-DD`; after it the risk re-opens",
		}},
		{"accepted threat", head + "threats:\n  - id: t1\n    title: T\n    status: accepted\n    owner: me\n    reason: fine\n", []string{
			"m.yaml:4:5: an accepted risk needs an expiry date — add `expires: YYYY-MM-DD`; after it the risk re-opens",
		}},
		{"false positive without reason", head + "decisions:\n  - {finding: 'r:x', status: false_positive}\n", []string{
			"m.yaml:4:5: status false_positive needs a reason — add `reason:`",
		}},
		{"decision id without colon", head + "decisions:\n  - finding: nocolon\n    status: mitigated\n", []string{
			"m.yaml:4:14: \"nocolon\" is not a finding id — finding ids look like rule-id:element-id, as `ward check` prints them; decisions on your own threats go in the threat's status",
		}},
		{"decision twice", head + "decisions:\n  - {finding: 'r:x', status: mitigated}\n  - {finding: 'r:x', status: mitigated}\n", []string{
			`m.yaml:5:15: a second decision for finding "r:x" — the first is at m.yaml:4:5; keep one`,
		}},
		{"controls", head + "components:\n  - id: a\n    kind: service\n    controls:\n      authenticates: maybe\n      authenticate: yes\n      rate_limits: [yes]\n", []string{
			`m.yaml:7:22: control "authenticates" must be yes, no or unknown, not "maybe" — write yes, no or unknown (unknown makes Ward ask)`,
			"m.yaml:8:7: unknown control \"authenticate\" — did you mean \"authenticates\"? (see `ward help controls`)",
			`m.yaml:9:20: control "rate_limits" must be yes, no or unknown, not a list — write yes, no or unknown`,
		}},
		{"controls not a mapping", head + "components:\n  - {id: a, kind: service, controls: [authenticates]}\n", []string{
			"m.yaml:4:38: \"controls\" must be a mapping, not a list — write `name: yes|no|unknown` lines",
		}},
		{"encryption none vs control yes", head + "components:\n  - id: a\n    kind: datastore\n    encryption_at_rest: none\n    controls:\n      encrypts_at_rest: yes\n", []string{
			`m.yaml:6:25: encryption_at_rest "none" contradicts controls.encrypts_at_rest: yes — make them agree, or remove one`,
		}},
		{"encryption disk vs control no", head + "components:\n  - id: a\n    kind: datastore\n    encryption_at_rest: disk\n    controls:\n      encrypts_at_rest: no\n", []string{
			`m.yaml:6:25: encryption_at_rest "disk" contradicts controls.encrypts_at_rest: no — make them agree, or remove one`,
		}},
		{"executes misspelt", head + "components:\n  - id: a\n    kind: service\n    executes: [templates, tempaltes]\n", []string{
			`m.yaml:6:27: "tempaltes" is not a valid executes — did you mean "templates"? (one of: templates, builds, documents, web, media, notebooks, code, none)`,
		}},
		{"executes none with a kind", head + "components:\n  - id: a\n    kind: service\n    executes: [builds, none]\n", []string{
			`m.yaml:6:24: executes lists none together with 1 other kind(s) — keep none alone (the component runs only the team's own content) or remove it`,
		}},
		{"bad merge", head + "assets:\n  - <<: [x]\n    id: a\n", []string{
			"m.yaml:4:10: << must merge a mapping or a list of mappings, not \"x\" — point it at an anchor on a mapping (<<: *name)",
		}},
		{"merge list", "ward: 1\n<<: [{system: {id: s, name: S}}, {system: {id: t}}]\n", nil},
		{"keys must be words", head + "[a]: 1\n", []string{
			"m.yaml:3:1: keys must be plain words — write `key: value`",
		}},
		{"recursive alias", "ward: 1\nsystem: &s {id: s, name: S, description: *s}\n", []string{
			`m.yaml:2:9: "description" in system must be text, not a mapping — quote it if it contains : or starts with [ or {`,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, ds, err := spec.Parse("m.yaml", []byte(c.yaml))
			if c.want == nil {
				if err != nil {
					t.Fatalf("unexpected error:\n%v", err)
				}
				if m == nil {
					t.Fatal("no model")
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			var got spec.Diagnostics
			if !errors.As(err, &got) {
				t.Fatalf("error is %T, not Diagnostics", err)
			}
			sameLines(t, diagLines(ds), c.want)
		})
	}
}

func TestParseValidModel(t *testing.T) {
	data, err := os.ReadFile("testdata/valid/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, ds, err := spec.Parse("full.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 0 {
		t.Errorf("warnings: %v", ds)
	}
	if m.System.ID != "payments-api" || len(m.Components) != 12 || len(m.Flows) != 8 || len(m.Threats) != 6 {
		t.Errorf("model: system %q, %d components, %d flows, %d threats", m.System.ID, len(m.Components), len(m.Flows), len(m.Threats))
	}
}

// writeTree writes files (slash paths) under a new temporary directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadIncludes(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string // errors; nil for a model that loads
		warn  []string
	}{
		{name: "happy path", files: map[string]string{
			"ward.yaml":     head + "include: [parts/*.yaml]\ncomponents: [{id: api, kind: service}]\nflows: [{from: api, to: db, carries: [orders]}]\n",
			"parts/db.yaml": "ward: 1\nassets: [{id: orders}]\ncomponents:\n  - id: db\n    kind: datastore\n    stores: [orders]\n",
		}},
		{name: "positions in the included file", files: map[string]string{
			"ward.yaml":     head + "include: [parts/db.yaml]\ncomponents: [{id: api, kind: service}]\n",
			"parts/db.yaml": "ward: 1\ncomponents:\n  - id: db\n    kind: datastor\n  - id: api\n    kind: service\n",
		}, want: []string{
			`parts/db.yaml:4:11: "datastor" is not a valid kind — did you mean "datastore"? (one of: person, client, service, function, datastore, storage, queue, external, device, llm, agent)`,
			`parts/db.yaml:5:9: duplicate id "api" — the first one is the component at ward.yaml:4:19; ids must be unique across the whole model`,
		}},
		{name: "included file sets system", files: map[string]string{
			"ward.yaml": head + "include: [b.yaml]\n",
			"b.yaml":    "ward: 1\nsystem: {id: t, name: T}\n",
		}, want: []string{
			`b.yaml:2:9: "system" may only be set in the main model file — move it to the file that includes this one`,
		}},
		{name: "outside the directory", files: map[string]string{
			"ward.yaml": head + "include: [../x.yaml]\n",
		}, want: []string{
			`ward.yaml:3:11: "../x.yaml" points outside the model's directory — keep included files inside the directory of the main model file`,
		}},
		{name: "outside from a subdirectory", files: map[string]string{
			"ward.yaml":   head + "include: [sub/a.yaml]\n",
			"sub/a.yaml":  "ward: 1\ninclude: [../b.yaml, ../../c.yaml]\n",
			"b.yaml":      "ward: 1\n",
			"sub/ignored": "",
		}, want: []string{
			`sub/a.yaml:2:22: "../../c.yaml" points outside the model's directory — keep included files inside the directory of the main model file`,
		}},
		{name: "absolute path", files: map[string]string{
			"ward.yaml": head + "include:\n  - /etc/passwd\n",
		}, want: []string{
			`ward.yaml:4:5: "/etc/passwd" must be a relative path inside the model's directory — write a path relative to this file, without .. or a leading /`,
		}},
		{name: "missing file", files: map[string]string{
			"ward.yaml": head + "include: [threats.yaml]\n",
		}, want: []string{
			`ward.yaml:3:11: "threats.yaml" matches no file — check the path; it is relative to the file that names it`,
		}},
		{name: "cycle", files: map[string]string{
			"ward.yaml": head + "include: [a.yaml]\n",
			"a.yaml":    "ward: 1\ninclude: [b.yaml]\n",
			"b.yaml":    "ward: 1\ninclude: [a.yaml, ward.yaml]\n",
		}, warn: []string{
			`b.yaml:2:11: warning: a.yaml is included more than once — remove the repeated include`,
			`b.yaml:2:19: warning: ward.yaml is included more than once — remove the repeated include`,
		}},
		{name: "duplicate include", files: map[string]string{
			"ward.yaml": head + "include: [a.yaml, '*.yaml']\n",
			"a.yaml":    "ward: 1\n",
		}, warn: []string{
			`ward.yaml:3:19: warning: a.yaml is included more than once — remove the repeated include`,
			`ward.yaml:3:19: warning: ward.yaml is included more than once — remove the repeated include`,
		}},
		{name: "empty included file", files: map[string]string{
			"ward.yaml": head + "include: [a.yaml]\n",
			"a.yaml":    "",
		}, want: []string{
			"a.yaml:1:1: the file is empty — start it with `ward: 1` (run `ward init` to scaffold a model)",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeTree(t, c.files)
			rel := func(lines []string) []string {
				for i, l := range lines {
					l = strings.ReplaceAll(l, dir+string(filepath.Separator), "")
					lines[i] = filepath.ToSlash(l)
				}
				return lines
			}
			l, err := spec.Load(t.Context(), filepath.Join(dir, "ward.yaml"))
			if c.want != nil {
				var ds spec.Diagnostics
				if !errors.As(err, &ds) {
					t.Fatalf("want diagnostics, got %v", err)
				}
				sameLines(t, rel(diagLines(ds)), c.want)
				return
			}
			if err != nil {
				t.Fatalf("unexpected error:\n%v", err)
			}
			sameLines(t, rel(diagLines(l.Warnings)), c.warn)
		})
	}
}

func TestLoadSymlinkEscape(t *testing.T) {
	dir := writeTree(t, map[string]string{"ward.yaml": head + "include: [link.yaml]\n"})
	outside := filepath.Join(t.TempDir(), "x.yaml")
	if err := os.WriteFile(outside, []byte("ward: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link.yaml")); err != nil {
		t.Skip("no symlinks:", err)
	}
	_, err := spec.Load(t.Context(), filepath.Join(dir, "ward.yaml"))
	// os.Root refuses the link: fs.Glob does not see it, or reading fails.
	if err == nil || !strings.Contains(err.Error(), "link.yaml") {
		t.Fatalf("a symlink out of the model's directory was followed: %v", err)
	}
}

func TestLoadMissingMainFile(t *testing.T) {
	_, err := spec.Load(t.Context(), filepath.Join(t.TempDir(), "ward.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("got %v", err)
	}
}

// billionLaughs returns a document of about size bytes whose aliases expand
// through nested boundaries to far more nodes than it holds.
func billionLaughs(size int) []byte {
	var b strings.Builder
	b.WriteString(head + "boundaries:\n  - &l0 {id: x, trust: internal}\n")
	per := 2000
	for i := 1; b.Len() < size; i++ {
		b.WriteString("  - &l" + itoa(i) + " {id: y" + itoa(i) + ", trust: internal, boundaries: [")
		for j := 0; j < per; j++ {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("*l" + itoa(i-1))
		}
		b.WriteString("]}\n")
	}
	return []byte(b.String())
}

func itoa(i int) string { return fmtInt(i) }

func fmtInt(i int) string {
	if i == 0 {
		return "0"
	}
	var d []byte
	for ; i > 0; i /= 10 {
		d = append([]byte{byte('0' + i%10)}, d...)
	}
	return string(d)
}

func TestBillionLaughs(t *testing.T) {
	data := billionLaughs(1 << 20)
	if len(data) < 900_000 {
		t.Fatalf("document is only %d bytes", len(data))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, ds, err := spec.Parse("bomb.yaml", data)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("the alias bomb was accepted")
	}
	found := false
	for _, d := range ds {
		if strings.Contains(d.Msg, "too many YAML nodes") {
			found = true
		}
	}
	if !found {
		t.Errorf("no diagnostic about aliases: %d diagnostics, first %s", len(ds), ds[0])
	}
	if len(ds) > spec.MaxDiagnostics+1 {
		t.Errorf("%d diagnostics", len(ds))
	}
	if elapsed > 5*time.Second {
		t.Errorf("took %v", elapsed)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<30 {
		t.Errorf("allocated %d MiB", alloc>>20)
	}
	t.Logf("%d bytes refused in %v, %d MiB allocated: %s", len(data), elapsed, (after.TotalAlloc-before.TotalAlloc)>>20, ds[0])
}

func TestDeepNesting(t *testing.T) {
	// Boundaries nested 100 deep, written out.
	var b strings.Builder
	b.WriteString(head + "boundaries:\n")
	for i := 0; i < 100; i++ {
		ind := strings.Repeat("  ", 2*i+1)
		b.WriteString(ind + "- id: b" + fmtInt(i) + "\n" + ind + "  trust: internal\n" + ind + "  boundaries:\n")
	}
	b.WriteString(strings.Repeat("  ", 201) + "- {id: last, trust: internal}\n")
	_, _, err := spec.Parse("deep.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "the model nests too deeply (more than 64 levels)") {
		t.Fatalf("got %v", err)
	}

	// A boundary that contains itself through an alias.
	_, _, err = spec.Parse("rec.yaml", []byte(head+"boundaries: &b\n  - id: x\n    trust: internal\n    boundaries: *b\n"))
	if err == nil || !strings.Contains(err.Error(), "nests too deeply") {
		t.Fatalf("got %v", err)
	}

	// Deep flow-style YAML is refused by the parser or the decoder, quickly.
	start := time.Now()
	deep := head + "assets: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "\n"
	if _, _, err := spec.Parse("flow.yaml", []byte(deep)); err == nil {
		t.Fatal("accepted")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}
