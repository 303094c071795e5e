package analysis_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/analysis"
)

// TestFoldFurtherHop: a payout job not known to refuse a repeated run
// (payment-run-not-idempotent's further tampering threat, on the job and
// its upload to the bank) repeats tampering the job already has
// (payment-instruction-without-approval, ranked before it): the earlier
// threat names the upload too and asks its question. A stated gap stays
// its own threat, and so does one with a decision.
func TestFoldFurtherHop(t *testing.T) {
	src := `ward: 1
system: {id: s, name: S}
assets:
  - {id: payouts, name: Payout file, kind: money, integrity: critical}
boundaries:
  - {id: cluster, trust: internal}
  - {id: vendors, trust: partner}
components:
  - {id: payout-job, kind: function, boundary: cluster, tech: Kubernetes CronJob}
  - {id: ledger, kind: datastore, boundary: cluster}
  - {id: bank, kind: external, boundary: vendors, third_party: true}
flows:
  - {id: read, from: payout-job, to: ledger, protocol: sql}
  - {id: upload, from: payout-job, to: bank, protocol: sftp, encryption: tls, authentication: password, carries: [payouts]}
`
	const further, keep = "payment-run-not-idempotent:payout-job:tampering", "payment-instruction-without-approval:payout-job"
	foldedInto(t, analyse(t, src), further, keep, []string{"payout-job", "upload"}, "upload.replay_protection")
	// A stated gap is not folded into an unknown.
	a := analyse(t, strings.Replace(src, "carries: [payouts]}", "carries: [payouts], controls: {replay_protection: no}}", 1))
	if f := find(a, further); f == nil || !f.Open() {
		t.Errorf("the stated gap is not listed open: %v", ids(a))
	}
	// A decision keeps the further threat apart.
	dec := `decisions:
  - finding: ` + further + `
    status: accepted
    reason: the bank refuses a file it has seen
    owner: alice
    expires: 2027-01-31
`
	a = analyse(t, src+dec)
	if find(a, further) == nil {
		t.Errorf("a decided threat folded: %v", ids(a))
	}
}

// TestFoldFurtherHopFlow: a flow threat's further elevation (the app's
// calls are not known to be authenticated, so a caller may act with the
// service's rights) is on the hop into the service and the service, and
// joins the service's own elevation threat listed before it
// (missing-object-authorization), which names the hop too, and then the
// app it serves (rule.Rule.Mentions, family22).
func TestFoldFurtherHopFlow(t *testing.T) {
	src := `ward: 1
system: {id: s, name: S}
assets:
  - {id: transfers, kind: money, classification: confidential, data: [financial]}
boundaries:
  - {id: internet, trust: internet}
  - {id: dc, trust: internal}
components:
  - {id: app, kind: client, boundary: internet}
  - {id: payments, kind: service, boundary: dc, processes: [transfers], controls: {authenticates: yes}}
flows:
  - {id: pay, from: app, to: payments, protocol: https, encryption: tls, carries: [transfers]}
`
	const further, keep = "unauthenticated-inbound-flow:pay:elevation_of_privilege", "missing-object-authorization:payments"
	foldedInto(t, analyse(t, src), further, keep, []string{"payments", "pay", "app"}, "pay.authentication")
}

// foldedInto checks that threat further is not listed and that keep is,
// naming targets in order and asking question.
func foldedInto(t *testing.T, a *analysis.Analysis, further, keep string, targets []string, question string) {
	t.Helper()
	if find(a, further) != nil {
		t.Errorf("%s listed beside %s: %v", further, keep, ids(a))
	}
	g := find(a, keep)
	if g == nil {
		t.Fatalf("no %s: %v", keep, ids(a))
	}
	var tg []string
	for _, x := range g.Targets {
		tg = append(tg, x.ID())
	}
	if !slices.Equal(tg, targets) {
		t.Errorf("targets %v, want %v", tg, targets)
	}
	if !slices.Contains(g.Questions, question) {
		t.Errorf("questions %v lack %s", g.Questions, question)
	}
}
