package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/spec"
)

// TestInitScaffoldValidates proves the scaffold loads, passes ward check and
// carries the triage answers, for many combinations of answers and
// component kinds.
func TestInitScaffoldValidates(t *testing.T) {
	tests := []struct {
		name string
		args []string
		ctx  model.Context
	}{
		{"defaults", []string{"--yes"}, model.Context{}},
		{"internet-facing payments", []string{"--yes", "--id", "payments-api", "--name", "Payments: API", "--team", "payments",
			"--internet-facing", "yes", "--sensitive-data", "payment_card,pii", "--paved-path", "no", "--auth-changes", "yes", "--criticality", "critical",
			"--components", "person,client,service,datastore,queue"},
			model.Context{PavedPath: model.No, InternetFacing: model.Yes, AuthChanges: model.Yes, Criticality: model.Critical,
				SensitiveData: []model.DataKind{model.DataPaymentCard, model.DataPII}}},
		{"harmless internal tool", append([]string{"--yes", "--id", "tool", "--components", "service"}, harmlessFlags...),
			model.Context{PavedPath: model.Yes, InternetFacing: model.No, AuthChanges: model.No, Criticality: model.Low, NewThirdParties: []string{},
				SensitiveData: []model.DataKind{}}},
		{"every kind and third parties with awkward names", []string{"--yes", "--components", "person,client,service,function,datastore,storage,queue,external,device,llm,agent",
			"--new-third-party", "Stripe, Inc.", "--new-third-party", "api", "--new-third-party", "yes", "--sensitive-data", "phi,secrets,credentials,financial"},
			model.Context{NewThirdParties: []string{"Stripe, Inc.", "api", "yes"},
				SensitiveData: []model.DataKind{model.DataPHI, model.DataSecrets, model.DataCredentials, model.DataFinancial}}},
		{"storage only, no core chosen", []string{"--yes", "--components", "storage,device", "--name", "Ünïcode \"quoted\" name"}, model.Context{}},
		{"agent core", []string{"--yes", "--components", "agent,llm"}, model.Context{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "my service")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			r := runIn(t, dir, "", false, append([]string{"init"}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("init: exit %d\n%s", r.code, r.stderr)
			}
			file := filepath.Join(dir, "ward.yaml")
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(data), "# yaml-language-server: $schema=./ward.schema.json\n") {
				t.Errorf("no schema comment:\n%s", data)
			}
			for _, want := range []string{"# threats:", "# mitigations:", "# assumptions:", "# decisions:"} {
				if !strings.Contains(string(data), want) {
					t.Errorf("scaffold lacks %q", want)
				}
			}
			l, err := spec.Load(context.Background(), file)
			if err != nil {
				t.Fatalf("scaffold does not load: %v\n%s", err, data)
			}
			for _, w := range l.Warnings {
				t.Errorf("warning: %s", w)
			}
			got := l.Model.Context
			got.Pos = model.Pos{}
			if diff := cmp.Diff(tt.ctx, got); diff != "" {
				t.Errorf("context (-want +got):\n%s\n%s", diff, data)
			}
			if len(l.Model.Components) == 0 || len(l.Model.Assets) != 1 {
				t.Errorf("components %d, assets %d", len(l.Model.Components), len(l.Model.Assets))
			}
			if c := runIn(t, dir, "", false, "check", "--fail-on", "none"); c.code != 0 {
				t.Errorf("ward check: exit %d\n%s\n%s", c.code, c.stderr, data)
			}
			if c := runIn(t, dir, "", false, "triage"); c.code != 0 {
				t.Errorf("ward triage: exit %d\n%s", c.code, c.stderr)
			}
			for _, want := range []string{"wrote ward.yaml", "ward check", "ward triage"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("next steps lack %q:\n%s", want, r.stderr)
				}
			}
		})
	}
}

func TestInitDefaultsFromDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Order Service")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if r := runIn(t, dir, "", false, "init"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	l, err := spec.Load(context.Background(), filepath.Join(dir, "ward.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Model.System.ID != "order-service" || l.Model.System.Name != "Order Service" {
		t.Errorf("system %+v", l.Model.System)
	}
}

func TestInitOverwriteAndDir(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ward.yaml", "keep me\n")
	r := runIn(t, dir, "", false, "init", "--yes")
	if r.code != 2 || !strings.Contains(r.stderr, "ward.yaml already exists — edit it, or pass --force to replace it") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "ward.yaml")); string(data) != "keep me\n" {
		t.Errorf("overwritten: %q", data)
	}
	if r := runIn(t, dir, "", false, "init", "--yes", "--force"); r.code != 0 {
		t.Errorf("--force: exit %d: %s", r.code, r.stderr)
	}
	if r := runIn(t, dir, "", false, "init", "--yes", "--dir", "sub/svc", "--id", "svc"); r.code != 0 || !strings.Contains(r.stderr, "wrote sub/svc/ward.yaml") {
		t.Errorf("--dir: exit %d: %s", r.code, r.stderr)
	}
	if _, err := spec.Load(context.Background(), filepath.Join(dir, "sub", "svc", "ward.yaml")); err != nil {
		t.Error(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"init", "--dir", "x", "--id", "bad id"}, `--id "bad id": use lower-case letters`},
		{[]string{"init", "--dir", "y", "--components", "datastor"}, `--components: "datastor" is not a component kind — did you mean "datastore"?`},
		{[]string{"init", "--dir", "z", "--internet-facing", "maybe"}, `--internet-facing "maybe"`},
	} {
		if r := runIn(t, dir, "", false, tt.args...); r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d: %s", tt.args, r.code, r.stderr)
		}
	}
}

func TestInitInteractive(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "checkout")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// id: Enter (default checkout); name; team; triage answers (paved path
	// re-asked after "perhaps"); component kinds with a typo, then valid.
	stdin := strings.Join([]string{"", "Checkout", "payments", "perhaps", "no", "yes", "payment_card", "Adyen", "critical", "servce", "client,service,datastore"}, "\n") + "\n"
	r := runIn(t, dir, stdin, true, "init", "--auth-changes", "yes")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"System id?", "[checkout]", "Owning team?", `"perhaps" is not yes or no — try again`,
		"Which kinds of components", `"servce" is not a component kind — did you mean "service"?`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "change authentication") {
		t.Errorf("asked a question the flags answered:\n%s", r.stderr)
	}
	l, err := spec.Load(context.Background(), filepath.Join(dir, "ward.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m := l.Model
	if m.System.ID != "checkout" || m.System.Name != "Checkout" || m.System.Team != "payments" {
		t.Errorf("system %+v", m.System)
	}
	want := model.Context{PavedPath: model.No, InternetFacing: model.Yes, SensitiveData: []model.DataKind{model.DataPaymentCard},
		NewThirdParties: []string{"Adyen"}, AuthChanges: model.Yes, Criticality: model.Critical}
	got := m.Context
	got.Pos = model.Pos{}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("context (-want +got):\n%s", diff)
	}
	var kinds []string
	for _, c := range m.Components {
		kinds = append(kinds, string(c.Kind))
	}
	if diff := cmp.Diff([]string{"client", "service", "datastore", "external"}, kinds); diff != "" {
		t.Errorf("component kinds (-want +got):\n%s", diff)
	}
	// The triage of the scaffold reads its context.
	out := triageOut(t, runIn(t, dir, "", false, "triage", "-f", "json"))
	if out.Tier != "security-led" || len(out.Unknown) != 0 {
		t.Errorf("triage of scaffold: %+v", out)
	}
}
