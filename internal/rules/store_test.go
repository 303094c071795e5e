package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// TestSharedStoreRepudiation: writers that are all services raise
// shared-store-tampering's tampering threat only (which service changed a
// record is tampering); where people's changes reach the store, through an
// administrative console, the missing record of who did it is repudiation
// too. A store of critical-integrity data with one writer raises the
// tampering threat alone (single.yaml); keys and high-integrity data do not.
func TestSharedStoreRepudiation(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"fires.yaml", []string{"shared-store-tampering:ledger"}},
		{"people.yaml", []string{"shared-store-tampering:ledger", "shared-store-tampering:ledger:repudiation"}},
		{"single.yaml", []string{"shared-store-tampering:ledger"}},
	} {
		fs, _ := run(t, filepath.Join("testdata", "shared-store-tampering", tc.file), rules.All())
		if got := ofRule(fs, "shared-store-tampering", model.StatusOpen); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.file, got, tc.want)
		}
	}
}

// TestPrivilegedStoreQuestion: where nobody is drawn with access to a
// store of restricted data (only services reach it), whether human access
// is reviewed is a question that settles no threat; where an
// administrative console reaches it, the insider threat is raised; a
// stated gap is a threat either way (fires.yaml).
func TestPrivilegedStoreQuestion(t *testing.T) {
	dir := filepath.Join("testdata", "privileged-store-access")
	fs, qs := run(t, filepath.Join(dir, "question.yaml"), rules.All())
	if got := ofRule(fs, "privileged-store-access", ""); len(got) > 0 {
		t.Errorf("question.yaml: raised %v, want no threat", got)
	}
	if got := asking(qs, "privileged-store-access"); !slices.Equal(got, []string{"db.access_reviewed"}) {
		t.Errorf("question.yaml: questions %v, want [db.access_reviewed]", got)
	}
	for _, q := range qs {
		if q.ID == "db.access_reviewed" && len(q.Threats) > 0 {
			t.Errorf("question.yaml: the question settles %d threats, want none", len(q.Threats))
		}
	}
	fs, _ = run(t, filepath.Join(dir, "unverified.yaml"), rules.All())
	want := []string{"privileged-store-access:db", "privileged-store-access:db:information_disclosure", "privileged-store-access:db:repudiation", "privileged-store-access:db:tampering"}
	if got := ofRule(fs, "privileged-store-access", model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("unverified.yaml: got %v, want %v", got, want)
	}
}

// TestRestrictedZoneQuestion: a restricted zone whose isolation is unknown
// is a question for each of its components that settles no threat.
func TestRestrictedZoneQuestion(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "restricted-zone-not-isolated", "question.yaml"), rules.All())
	if got := ofRule(fs, "restricted-zone-not-isolated", ""); len(got) > 0 {
		t.Errorf("raised %v, want no threat", got)
	}
	if got := asking(qs, "restricted-zone-not-isolated"); !slices.Equal(got, []string{"ledger.network_restricted"}) {
		t.Errorf("questions %v, want [ledger.network_restricted]", got)
	}
}

// TestBucketDisclosureOnce: on object storage whose public access is not
// known to be blocked, the content's disclosure is one threat,
// storage-public-access-not-blocked's, and encryption at rest is a question;
// once public access is stated blocked, encryption at rest is a threat again.
func TestBucketDisclosureOnce(t *testing.T) {
	path := filepath.Join("testdata", "sensitive-store-unencrypted", "bucket.yaml")
	fs, qs := run(t, path, rules.All())
	if got := ofRule(fs, "sensitive-store-unencrypted", ""); len(got) > 0 {
		t.Errorf("raised %v, want no threat", got)
	}
	if got := ofRule(fs, "storage-public-access-not-blocked", model.StatusUnverified); !slices.Equal(got, []string{"storage-public-access-not-blocked:docs"}) {
		t.Errorf("storage-public-access-not-blocked: got %v", got)
	}
	if got := asking(qs, "sensitive-store-unencrypted"); !slices.Equal(got, []string{"docs.encrypts_at_rest"}) {
		t.Errorf("questions %v, want [docs.encrypts_at_rest]", got)
	}
	l, err := spec.Load(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	l.Model.Component("docs").Controls[model.CtlPublicAccessBlocked] = model.Yes
	res, err := rule.Run(t.Context(), l.Model, rules.All())
	if err != nil {
		t.Fatal(err)
	}
	if got := ofRule(res.Findings, "sensitive-store-unencrypted", model.StatusUnverified); !slices.Equal(got, []string{"sensitive-store-unencrypted:docs"}) {
		t.Errorf("public access blocked: got %v, want [sensitive-store-unencrypted:docs]", got)
	}
}

// TestPaidAPIKeyOnce: our static key for an API billed per use is one
// threat, the unbounded spending whoever holds it can cause; the key's
// rotation is a question. With spending capped, the key is a threat again.
func TestPaidAPIKeyOnce(t *testing.T) {
	path := filepath.Join("testdata", "long-lived-credentials", "paid.yaml")
	fs, qs := run(t, path, rules.All())
	if got := ofRule(fs, "long-lived-credentials", ""); len(got) > 0 {
		t.Errorf("raised %v, want no threat", got)
	}
	if got := ofRule(fs, "paid-api-no-spending-limit", model.StatusUnverified); !slices.Equal(got, []string{"paid-api-no-spending-limit:sms"}) {
		t.Errorf("paid-api-no-spending-limit: got %v", got)
	}
	if got := asking(qs, "long-lived-credentials"); !slices.Equal(got, []string{"svc.secrets_managed"}) {
		t.Errorf("questions %v, want [svc.secrets_managed]", got)
	}
	l, err := spec.Load(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	l.Model.Component("sms").Controls[model.CtlSpendingLimits] = model.Yes
	res, err := rule.Run(t.Context(), l.Model, rules.All())
	if err != nil {
		t.Fatal(err)
	}
	if got := ofRule(res.Findings, "long-lived-credentials", model.StatusUnverified); !slices.Equal(got, []string{"long-lived-credentials:svc-to-sms"}) {
		t.Errorf("spending capped: got %v, want the key's threat", got)
	}
}

// TestSecondOrderQueriesOnce: an internal job that queries a store
// internet-facing code writes, with parameterized queries not stated, has
// one tampering threat, query-injection's; validating what it reads is a
// question.
func TestSecondOrderQueriesOnce(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "second-order-injection", "queries.yaml"), rules.All())
	if got := ofRule(fs, "second-order-injection", ""); len(got) > 0 {
		t.Errorf("raised %v, want no threat", got)
	}
	if got := ofRule(fs, "query-injection", model.StatusUnverified); !slices.Contains(got, "query-injection:reports") {
		t.Errorf("query-injection: got %v", got)
	}
	if got := asking(qs, "second-order-injection"); !slices.Equal(got, []string{"reports.validates_input"}) {
		t.Errorf("questions %v, want [reports.validates_input]", got)
	}
}

// TestRelayLoggingQuestion: behind a relay, the entry point that owns the
// data raises the repudiation threat; the relay's logging is only asked.
func TestRelayLoggingQuestion(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "no-security-event-logging", "relay.yaml"), rules.All())
	if got := ofRule(fs, "no-security-event-logging", ""); !slices.Equal(got, []string{"no-security-event-logging:api"}) {
		t.Errorf("threats %v, want [no-security-event-logging:api]", got)
	}
	if got := asking(qs, "no-security-event-logging"); !slices.Contains(got, "gateway.logs_security_events") {
		t.Errorf("questions %v, want gateway.logs_security_events among them", got)
	}
}

// TestQuestionsWithoutThreat: where a rule's structural precondition rests
// on an unknown that another rule raises (the caller's authentication, the
// user's identity on the call), the rule asks and raises nothing.
func TestQuestionsWithoutThreat(t *testing.T) {
	for _, tc := range []struct {
		path, rule, question string
		other                []string // threats another rule raises instead
	}{
		{filepath.Join("restricted-data-without-mtls", "question.yaml"), "restricted-data-without-mtls", "api-to-ledger.authentication", nil},
		{filepath.Join("internal-service-trusts-caller", "deputy.yaml"), "internal-service-trusts-caller", "orders.authorizes",
			[]string{"confused-deputy:api-orders"}},
		{filepath.Join("internal-service-trusts-caller", "question.yaml"), "internal-service-trusts-caller", "orders.authorizes", nil},
	} {
		fs, qs := run(t, filepath.Join("testdata", tc.path), rules.All())
		if got := ofRule(fs, tc.rule, ""); len(got) > 0 {
			t.Errorf("%s: raised %v, want no threat", tc.path, got)
		}
		if got := asking(qs, tc.rule); !slices.Contains(got, tc.question) {
			t.Errorf("%s: questions %v, want %s among them", tc.path, got, tc.question)
		}
		for _, id := range tc.other {
			if !slices.ContainsFunc(fs, func(f *model.Finding) bool { return f.ID == id }) {
				t.Errorf("%s: no %s; threats %v", tc.path, id, idsOf(fs))
			}
		}
	}
}

// TestTelemetryIsNotALog: a store or broker named for device telemetry is
// not a log store, so log-store-tampering raises nothing on it.
func TestTelemetryIsNotALog(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "log-store-tampering", "telemetry.yaml"), rules.All())
	if got := ofRule(fs, "log-store-tampering", ""); len(got) > 0 {
		t.Errorf("raised %v on device telemetry", got)
	}
}

// TestQueueTopicsNotScoped: three producers and two readers of sensitive
// messages raise the forged-publish threat and the read-everything one.
func TestQueueTopicsNotScoped(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "queue-topics-not-scoped", "fires.yaml"), rules.All())
	want := []string{"queue-topics-not-scoped:bus", "queue-topics-not-scoped:bus:information_disclosure"}
	if got := ofRule(fs, "queue-topics-not-scoped", model.StatusOpen); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestQueueTopicsAcrossZones: a queue with one producer that links two
// zones, with no authentication stated on its flows, raises tampering only,
// unverified; the same queue with iam stated, and one inside a zone, stay
// quiet.
func TestQueueTopicsAcrossZones(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "queue-topics-not-scoped", "across-zones.yaml"), rules.All())
	want := []string{"queue-topics-not-scoped:runs"}
	if got := ofRule(fs, "queue-topics-not-scoped", ""); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := ofRule(fs, "queue-topics-not-scoped", model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("unverified %v, want %v", got, want)
	}
}

// TestQueueTopicsCommandDevices: a broker delivering critical commands to
// devices also raises elevation (one client commands every device).
func TestQueueTopicsCommandDevices(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "queue-topics-not-scoped", "commands.yaml"), rules.All())
	want := []string{"queue-topics-not-scoped:broker", "queue-topics-not-scoped:broker:elevation_of_privilege"}
	if got := ofRule(fs, "queue-topics-not-scoped", model.StatusOpen); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestQueueTopicsMQTTService: an IoT hub drawn as a service (MQTT in and
// out) is a broker (recall19); a service that only reads MQTT is not.
func TestQueueTopicsMQTTService(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "queue-topics-not-scoped", "mqtt-service.yaml"), rules.All())
	want := []string{"queue-topics-not-scoped:hub", "queue-topics-not-scoped:hub:elevation_of_privilege"}
	if got := ofRule(fs, "queue-topics-not-scoped", model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestEmailedInstructions: money or high-integrity records emailed from
// outside to a person of ours raise unauthenticated-inbound-flow's spoofing
// on the mail and the person (recall19), without elevation; mail carrying
// nothing anyone acts on does not.
func TestEmailedInstructions(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "unauthenticated-inbound-flow", "email.yaml"), rules.All())
	if got, want := ofRule(fs, "unauthenticated-inbound-flow", ""), []string{"unauthenticated-inbound-flow:wire-email"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestStoreReachableTamperingWhereIntegrity: a store reached straight from
// the internet raises tampering beside disclosure only where what it holds
// needs high integrity (store-reachable-from-internet/integrity.yaml,
// noise21).
func TestStoreReachableTamperingWhereIntegrity(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "store-reachable-from-internet", "integrity.yaml"), rules.All())
	got := ofRule(fs, "store-reachable-from-internet", "")
	want := []string{"store-reachable-from-internet:firmware-bucket", "store-reachable-from-internet:firmware-bucket:tampering",
		"store-reachable-from-internet:photo-bucket"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestBroadAccessTamperingWhereIntegrity: a sensitive store with broad
// grants raises tampering beside disclosure only where what it holds needs
// high integrity (sensitive-store-broad-access/integrity.yaml, noise21).
func TestBroadAccessTamperingWhereIntegrity(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "sensitive-store-broad-access", "integrity.yaml"), rules.All())
	var got []string
	for _, f := range fs {
		if f.Rule == "sensitive-store-broad-access" {
			for _, tg := range f.Targets {
				if tg.Component != nil {
					got = append(got, tg.Component.ID+" "+string(f.Category))
				}
			}
		}
	}
	slices.Sort(got)
	want := []string{"ledger information_disclosure", "ledger tampering", "search information_disclosure"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestTenantIsolationTamperingWhereIntegrity: a store shared by tenants
// raises tampering beside disclosure only where what it holds needs high
// integrity (tenant-isolation/integrity.yaml, noise21).
func TestTenantIsolationTamperingWhereIntegrity(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "tenant-isolation", "integrity.yaml"), rules.All())
	got := ofRule(fs, "tenant-isolation", "")
	want := []string{"tenant-isolation:ledger", "tenant-isolation:ledger:tampering", "tenant-isolation:search"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestSharedStoreNeedsUnstated: in a model that states no asset's
// sensitivity, a store several components write is an unverified threat
// (the integrity need is unknown, not low), asked through audits_writes,
// even where the gap is stated; one writer raises nothing; a model that
// states one asset's sensitivity reads the others' unstated needs as the
// default.
func TestSharedStoreNeedsUnstated(t *testing.T) {
	dir := filepath.Join("testdata", "shared-store-tampering")
	fs, qs := run(t, filepath.Join(dir, "needs-unstated.yaml"), rules.All())
	if got := ofRule(fs, "shared-store-tampering", model.StatusOpen); len(got) > 0 {
		t.Errorf("needs-unstated.yaml: open %v, want none", got)
	}
	// The model draws no boundaries: the two stores are of one zone, and
	// their threats one naming both (noise26).
	want := []string{"shared-store-tampering:db"}
	if got := ofRule(fs, "shared-store-tampering", model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("needs-unstated.yaml: unverified %v, want %v", got, want)
	}
	for _, f := range fs {
		if f.ID == "shared-store-tampering:db" && !slices.ContainsFunc(f.Targets, func(t model.Target) bool { return t.ID() == "gap-db" }) {
			t.Errorf("needs-unstated.yaml: shared-store-tampering:db does not name gap-db")
		}
	}
	if got := asking(qs, "shared-store-tampering"); !slices.Contains(got, "db.audits_writes") {
		t.Errorf("needs-unstated.yaml: questions %v, want db.audits_writes", got)
	}
	fs, _ = run(t, filepath.Join(dir, "needs-stated.yaml"), rules.All())
	if got := ofRule(fs, "shared-store-tampering", ""); len(got) > 0 {
		t.Errorf("needs-stated.yaml: raised %v, want none", got)
	}
}
