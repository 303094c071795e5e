package analysis_test

import (
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/synth"
)

// hopsModel has services sending card data in cleartext (encryption not
// stated) to one database: the hops merge into one threat per category.
func hopsModel(senders ...string) string { return synth.Hops("s", "S", senders, "") }

const mergedID = synth.HopsThreat

func decision(covers string) string {
	d := `decisions:
  - finding: ` + mergedID + `
    status: accepted
    reason: the data centre network is ours
    owner: alice
    expires: 2027-01-31
`
	if covers != "" {
		d += "    covers: [" + covers + "]\n"
	}
	return d
}

func uncoveredWarnings(ws []string) []string {
	var out []string
	for _, w := range ws {
		if strings.Contains(w, "does not apply") {
			out = append(out, w)
		}
	}
	return out
}

func checkCovers(t *testing.T, src string, want model.Status, warn bool) {
	t.Helper()
	a := analyse(t, src)
	f := find(a, mergedID)
	if f == nil {
		t.Fatalf("no merged threat %s among %v", mergedID, ids(a))
	}
	if f.Status != want {
		t.Errorf("status %s, want %s", f.Status, want)
	}
	var msgs []string
	for _, w := range a.Warnings {
		msgs = append(msgs, w.Msg+" / "+w.Hint)
	}
	got := uncoveredWarnings(msgs)
	if warn != (len(got) > 0) {
		t.Errorf("uncovered-hop warnings %q, want one: %v", got, warn)
	}
	for _, w := range msgs {
		if strings.Contains(w, "matches no finding") {
			t.Errorf("warning %q", w)
		}
	}
}

// TestDecisionCovers: a decision on a merged threat that lists the hops it
// was taken on applies while the group is those hops, or fewer.
func TestDecisionCovers(t *testing.T) {
	covers := "sensitive-data-in-cleartext:a-db, sensitive-data-in-cleartext:b-db"
	checkCovers(t, hopsModel("a", "b")+decision(covers), model.StatusAccepted, false)
	// A hop left: the decision still applies.
	three := covers + ", sensitive-data-in-cleartext:c-db"
	checkCovers(t, hopsModel("a", "b")+decision(three), model.StatusAccepted, false)
}

// TestDecisionCoversNewHop: a hop that joined the merged threat after the
// decision was taken is not decided for: the threat is listed unverified
// again and a warning names the decision, the new hop and what to do.
func TestDecisionCoversNewHop(t *testing.T) {
	covers := "sensitive-data-in-cleartext:a-db, sensitive-data-in-cleartext:b-db"
	src := hopsModel("a", "b", "c") + decision(covers)
	checkCovers(t, src, model.StatusUnverified, true)
	a := analyse(t, src)
	if f := find(a, mergedID); f.Decision != nil {
		t.Errorf("decision %+v applied", f.Decision)
	}
	var w string
	for _, x := range a.Warnings {
		if strings.Contains(x.Msg, "does not apply") {
			w = x.Msg + " / " + x.Hint
		}
	}
	for _, s := range []string{mergedID, "`sensitive-data-in-cleartext:c-db`", "re-decide " + mergedID} {
		if !strings.Contains(w, s) {
			t.Errorf("warning %q does not say %q", w, s)
		}
	}
	if strings.Contains(w, "a-db") {
		t.Errorf("warning %q names a covered hop", w)
	}
	// Listing the new hop too makes it apply again.
	src = hopsModel("a", "b", "c") + decision(covers+", sensitive-data-in-cleartext:c-db")
	checkCovers(t, src, model.StatusAccepted, false)
}

// TestDecisionWithoutCovers: a decision without covers (hand-written, or
// older than covers) covers the whole group, whatever hops join it.
func TestDecisionWithoutCovers(t *testing.T) {
	checkCovers(t, hopsModel("a", "b", "c")+decision(""), model.StatusAccepted, false)
}

// TestDecisionCoversZone: in a zone's merged threat, a new hop into a
// receiver already decided for (whose hops now merge into one receiver
// threat first) is named by its own id, and listing that id is enough.
func TestDecisionCoversZone(t *testing.T) {
	src := strings.Replace(hopsModel("a", "b", "c"), "  - {id: b-db, from: b, to: db,", "  - {id: b-db, from: b, to: cache,", 1)
	src = strings.Replace(src, "components:\n", "components:\n  - {id: cache, kind: datastore, boundary: dc, stores: [cards]}\n", 1)
	const zone = "sensitive-data-in-cleartext:dc"
	dec := func(covers string) string {
		return strings.Replace(decision(covers), mergedID, zone, 1)
	}
	covers := "sensitive-data-in-cleartext:a-db, sensitive-data-in-cleartext:b-db"
	a := analyse(t, src+dec(covers))
	f := find(a, zone)
	if f == nil {
		t.Fatalf("no zone threat among %v", ids(a))
	}
	if f.Status != model.StatusUnverified {
		t.Errorf("status %s with hop c-db new, want unverified", f.Status)
	}
	var w string
	for _, x := range a.Warnings {
		if strings.Contains(x.Msg, "does not apply") {
			w = x.Msg
		}
	}
	if !strings.Contains(w, "hop `sensitive-data-in-cleartext:c-db` joined") {
		t.Errorf("warning %q, want it to name hop c-db only", w)
	}
	a = analyse(t, src+dec(covers+", sensitive-data-in-cleartext:c-db"))
	if f := find(a, zone); f == nil || f.Status != model.StatusAccepted {
		t.Errorf("with c-db covered: %v", f)
	}
}
