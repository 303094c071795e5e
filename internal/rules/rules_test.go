package rules_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// TestCatalogue checks the catalogue's invariants.
func TestCatalogue(t *testing.T) {
	all := rules.All()
	if err := rule.Check(all); err != nil {
		t.Fatal(err)
	}
	if len(all) < 60 {
		t.Errorf("catalogue has %d rules, want at least 60", len(all))
	}
	cats := map[model.Category]int{}
	ons := map[rule.On]int{}
	for _, r := range all {
		cats[r.Category]++
		ons[r.On]++
		if len(r.CWE) == 0 || len(r.CAPEC) == 0 || len(r.Mitigations) == 0 || len(r.References) == 0 {
			t.Errorf("rule %s lacks CWE, CAPEC, mitigations or references", r.ID)
		}
	}
	for _, c := range model.Categories {
		if cats[c] == 0 {
			t.Errorf("no rule covers STRIDE category %s", c)
		}
	}
	for _, o := range []rule.On{rule.OnComponent, rule.OnFlow, rule.OnBoundary, rule.OnAsset} {
		if ons[o] == 0 {
			t.Errorf("no rule examines %s elements", o)
		}
	}
}

// TestFixtures runs every rule on its fixtures: fires.yaml must produce an
// open threat from the rule (exactly the ids listed in "# want:" lines, when
// given), quiet.yaml must produce neither threat (of any status) nor question
// from it, and unverified.yaml (or asks.yaml), when present, must produce an
// unverified threat and a question, and no open threat.
func TestFixtures(t *testing.T) {
	all := rules.All()
	for _, r := range all {
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join("testdata", r.ID)
			for _, name := range []string{"fires.yaml", "quiet.yaml"} {
				if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
					t.Fatalf("missing fixture %s/%s", dir, name)
				}
			}
			fs, qs := run(t, filepath.Join(dir, "fires.yaml"), all)
			got := ofRule(fs, r.ID, model.StatusOpen)
			if len(got) == 0 {
				t.Errorf("fires.yaml: rule raised no open threat; threats: %v", idsOf(fs))
			}
			if want := wants(t, filepath.Join(dir, "fires.yaml")); want != nil && !slices.Equal(want, weaknesses(got)) {
				t.Errorf("fires.yaml: got %v, want %v", got, want)
			}
			fs, qs = run(t, filepath.Join(dir, "quiet.yaml"), all)
			if got := ofRule(fs, r.ID, ""); len(got) > 0 {
				t.Errorf("quiet.yaml: rule raised %v", got)
			}
			if got := asking(qs, r.ID); len(got) > 0 {
				t.Errorf("quiet.yaml: rule asked %v", got)
			}
			for _, name := range []string{"unverified.yaml", "asks.yaml"} {
				if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
					continue
				}
				fs, qs = run(t, filepath.Join(dir, name), all)
				if got := ofRule(fs, r.ID, model.StatusOpen); len(got) > 0 {
					t.Errorf("%s: rule raised open %v", name, got)
				}
				if got := ofRule(fs, r.ID, model.StatusUnverified); len(got) == 0 {
					t.Errorf("%s: rule raised no unverified threat", name)
				}
				if got := asking(qs, r.ID); len(got) == 0 {
					t.Errorf("%s: rule asked nothing", name)
				}
			}
		})
	}
}

func run(t *testing.T, path string, rs []*rule.Rule) ([]*model.Finding, []*model.Question) {
	t.Helper()
	l, err := spec.Load(t.Context(), path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	res, err := rule.Run(t.Context(), l.Model, rs)
	if err != nil {
		t.Fatal(err)
	}
	return res.Findings, res.Questions
}

// ofRule lists the ids of the rule's threats with the given status (any
// status when empty).
func ofRule(fs []*model.Finding, id string, status model.Status) []string {
	var out []string
	for _, f := range fs {
		if f.Rule == id && (status == "" || f.Status == status) {
			out = append(out, f.ID)
		}
	}
	slices.Sort(out)
	return out
}

// weaknesses maps threat ids to the weakness ids they come from (without
// the STRIDE category suffix of the extra threats a weakness enables).
func weaknesses(ids []string) []string {
	var out []string
	for _, id := range ids {
		if parts := strings.SplitN(id, ":", 3); len(parts) == 3 {
			id = parts[0] + ":" + parts[1]
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func asking(qs []*model.Question, id string) []string {
	var out []string
	for _, q := range qs {
		if slices.Contains(q.Rules, id) {
			out = append(out, q.ID)
		}
	}
	return out
}

func idsOf(fs []*model.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}

// wants reads "# want: id id" lines.
func wants(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "# want:"); ok {
			out = append(out, strings.Fields(rest)...)
		}
	}
	slices.Sort(out)
	return out
}

// TestAssetlessModel: in a model that names no assets, a flow to or from a
// store is taken to carry its unknown data (unverified, the encryption
// question asked), a flow between services is not, and a store's insider
// access is unverified rather than skipped for want of sensitive assets.
func TestAssetlessModel(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "unencrypted-internal-flow", "assetless.yaml"), rules.All())
	got := ofRule(fs, "unencrypted-internal-flow", model.StatusUnverified)
	if want := []string{"unencrypted-internal-flow:put", "unencrypted-internal-flow:put:tampering"}; !slices.Equal(got, want) {
		t.Errorf("unverified threats: got %v, want %v", got, want)
	}
	if got := asking(qs, "unencrypted-internal-flow"); !slices.Equal(got, []string{"put.encryption"}) {
		t.Errorf("questions: got %v, want [put.encryption]", got)
	}
	// The weakness raises elevation, tampering and repudiation (changes
	// and reads outside the application's checks and audit trail).
	want := []string{"privileged-store-access:files", "privileged-store-access:files:information_disclosure", "privileged-store-access:files:repudiation", "privileged-store-access:files:tampering"}
	if got := ofRule(fs, "privileged-store-access", model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("privileged-store-access: got %v, want %v", got, want)
	}
}

// TestSSHKeyIsLongLived: a partner's SSH key pair into us is a static
// credential like an API key; the threat names it as an SSH key.
func TestSSHKeyIsLongLived(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "long-lived-credentials", "ssh-key.yaml"), rules.All())
	got := ofRule(fs, "long-lived-credentials", model.StatusOpen)
	if want := []string{"long-lived-credentials:partner-sftp"}; !slices.Equal(got, want) {
		t.Fatalf("open threats: got %v, want %v", got, want)
	}
	for _, f := range fs {
		if f.Rule == "long-lived-credentials" && !strings.Contains(f.Title, "SSH key") {
			t.Errorf("title %q does not name the SSH key", f.Title)
		}
	}
	// Bearer-secret threats do not apply: the private key never crosses the wire.
	if got := ofRule(fs, "bearer-token-replay", ""); len(got) != 0 {
		t.Errorf("bearer-token-replay raised on a key-pair login: %v", got)
	}
}

// TestSinglePointOfFailureZoneWide: whether components run redundantly is
// mostly the platform's choice (replicas, failure domains), so the
// unverified single points of failure of one zone are one threat naming
// each component and asking each one's question (noise17); a stated gap
// stays its own threat; a component of another of the organisation's own
// zones (relay, in edge) joins it (noise24).
func TestSinglePointOfFailureZoneWide(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "single-point-of-failure", "zone.yaml"), rules.All())
	if got, want := ofRule(fs, "single-point-of-failure", model.StatusUnverified), []string{"single-point-of-failure:dc"}; !slices.Equal(got, want) {
		t.Errorf("unverified threats: got %v, want %v", got, want)
	}
	if got, want := ofRule(fs, "single-point-of-failure", model.StatusOpen), []string{"single-point-of-failure:pager"}; !slices.Equal(got, want) {
		t.Errorf("open threats: got %v, want %v", got, want)
	}
	for _, f := range fs {
		if f.ID != "single-point-of-failure:dc" {
			continue
		}
		var names []string
		for _, tg := range f.Targets {
			names = append(names, tg.ID())
		}
		if slices.Sort(names); !slices.Equal(names, []string{"relay", "scheduler", "sender"}) {
			t.Errorf("the zone threat names %v, want relay, scheduler and sender", names)
		}
	}
	if got := asking(qs, "single-point-of-failure"); !slices.Contains(got, "scheduler.redundant") || !slices.Contains(got, "sender.redundant") {
		t.Errorf("questions: got %v, want each component's", got)
	}
}

// TestSecondOrderInjectionZoneWide: the internal services of one zone that
// read what internet-facing code stored are one line on what the store
// holds (noise17): one unverified threat naming each reader; a stated gap
// stays its own threat.
func TestSecondOrderInjectionZoneWide(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "second-order-injection", "zone.yaml"), rules.All())
	if got, want := ofRule(fs, "second-order-injection", model.StatusUnverified), []string{"second-order-injection:dc"}; !slices.Equal(got, want) {
		t.Errorf("unverified threats: got %v, want %v", got, want)
	}
	if got, want := ofRule(fs, "second-order-injection", model.StatusOpen), []string{"second-order-injection:exports"}; !slices.Equal(got, want) {
		t.Errorf("open threats: got %v, want %v", got, want)
	}
}

// TestRansomwareZoneWide: the Windows hosts of one zone are one line
// (noise20): malware spreads across the zone and their patching is one
// practice, so their unverified threats are one threat naming each host;
// a host stated unhardened stays its own threat.
func TestRansomwareZoneWide(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "ransomware-on-critical-host", "zone.yaml"), rules.All())
	if got, want := ofRule(fs, "ransomware-on-critical-host", model.StatusUnverified), []string{"ransomware-on-critical-host:ward-net"}; !slices.Equal(got, want) {
		t.Errorf("unverified threats: got %v, want %v", got, want)
	}
	if got, want := ofRule(fs, "ransomware-on-critical-host", model.StatusOpen), []string{"ransomware-on-critical-host:lab-middleware"}; !slices.Equal(got, want) {
		t.Errorf("open threats: got %v, want %v", got, want)
	}
}

// TestErrorDetailLeakageZoneWide: the internet-facing components of one
// zone share their error handling (debug mode, error pages, version
// headers: noise20), so their unverified threats are one threat naming
// each; a component stated to return details stays its own threat.
func TestErrorDetailLeakageZoneWide(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "error-detail-leakage", "zone.yaml"), rules.All())
	if got, want := ofRule(fs, "error-detail-leakage", model.StatusUnverified), []string{"error-detail-leakage:dc"}; !slices.Equal(got, want) {
		t.Errorf("unverified threats: got %v, want %v", got, want)
	}
	if got, want := ofRule(fs, "error-detail-leakage", model.StatusOpen), []string{"error-detail-leakage:legacy"}; !slices.Equal(got, want) {
		t.Errorf("open threats: got %v, want %v", got, want)
	}
}
