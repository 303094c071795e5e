package synth

import "strings"

// Hops is a small model for tests of merged threats: each sender is a
// service in zone app sending card data to database db in zone dc on flow
// SENDER-db over iso8583, a protocol without a TLS mode of its own (a store
// hop inside one zone, or a hop between private zones over a protocol with
// one, would be asked about, not raised), encryption not stated, so the
// engine merges the per-hop threats into one per category (HopsThreat). decisions, YAML text starting with
// "decisions:", is appended as given.
func Hops(id, name string, senders []string, decisions string) string {
	var b strings.Builder
	b.WriteString("ward: 1\nsystem: {id: " + id + ", name: " + name + "}\n" +
		"assets:\n  - {id: cards, classification: restricted, data: [payment_card]}\n" +
		"boundaries:\n  - {id: dc, trust: internal}\n  - {id: app, trust: internal}\n" +
		"components:\n")
	for _, s := range senders {
		b.WriteString("  - {id: " + s + ", kind: service, boundary: app, processes: [cards]}\n")
	}
	b.WriteString("  - {id: db, kind: datastore, boundary: dc, stores: [cards]}\nflows:\n")
	for _, s := range senders {
		b.WriteString("  - {id: " + s + "-db, from: " + s + ", to: db, protocol: iso8583, carries: [cards]}\n")
	}
	b.WriteString(decisions)
	return b.String()
}

// HopsThreat is the id of Hops's merged disclosure threat.
const HopsThreat = "sensitive-data-in-cleartext:db"

// HopsAccepted is a decisions section accepting HopsThreat (reason "the
// data centre network is ours", until 2027-01-31) by owner, covering the
// hops of the senders given (none: no covers key).
func HopsAccepted(owner string, covered ...string) string {
	s := "decisions:\n  - finding: " + HopsThreat + "\n    status: accepted\n" +
		"    reason: the data centre network is ours\n    owner: " + owner + "\n    expires: 2027-01-31\n"
	if len(covered) > 0 {
		ids := make([]string, len(covered))
		for i, c := range covered {
			ids[i] = "sensitive-data-in-cleartext:" + c + "-db"
		}
		s += "    covers: [" + strings.Join(ids, ", ") + "]\n"
	}
	return s
}
