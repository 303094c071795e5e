package server_test

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestProgrammeNotifications: importing an outside finding no model
// covered notifies escape.imported once per team and import, and the
// step-back it causes notifies phase.proposed, both to the team's webhook
// (signed), naming the finding and linking to the records.
func TestProgrammeNotifications(t *testing.T) {
	n := newNotifyEnv(t)
	_, ann, annTok := n.member("ann@example.com")
	wh := n.want(n.do("POST", "/api/v1/teams/team-a/webhooks", ann, map[string]any{"name": "Slack #team-a", "url": n.hook.URL + "/hook",
		"kinds": []string{"escape.imported", "phase.proposed"}}), 201)
	n.hook.secret = wh["secret"].(string)
	n.pushA(annTok)
	n.want(n.do("PUT", "/api/v1/programme/teams/team-a/phase", n.admin, map[string]any{"phase": "observation", "note": "first observed session went well"}), 200)

	found := n.clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	csv := "ref,title,severity,found,element,category\n" +
		"PT-7,Webhook receiver crashes on a 2 GB body,critical," + found + ",webhook-receiver,denial_of_service\n"
	res := n.want(n.do("POST", "/api/v1/programme/findings", n.admin, map[string]any{"content": csv, "source": "pen_test", "system": sysA, "file": "pt.csv"}), 201)
	if by, _ := res["by_catch"].(map[string]any); by["escape"] == nil {
		t.Fatalf("import answered %v: want an escape (the test needs one)", res)
	}
	n.deliver()
	got := n.hook.got()
	if n.hook.bad != 0 || slices.Index(got, "escape.imported") < 0 || slices.Index(got, "phase.proposed") < 0 {
		t.Fatalf("webhook received %v (%d bad signatures), want escape.imported and phase.proposed", got, n.hook.bad)
	}
	for i, k := range got {
		text, _ := n.hook.bodies[i]["text"].(string)
		switch k {
		case "escape.imported":
			if !strings.Contains(text, "Webhook receiver crashes") || !strings.Contains(text, "/programme/findings?batch=") {
				t.Errorf("escape text %q", text)
			}
		case "phase.proposed":
			if !strings.Contains(text, "observation") || !strings.Contains(text, "/programme/teams/team-a") {
				t.Errorf("proposal text %q", text)
			}
		}
	}
	// Importing the same file again (same refs) adds nothing and says nothing.
	n.want(n.do("POST", "/api/v1/programme/findings", n.admin, map[string]any{"content": csv, "source": "pen_test", "system": sysA, "file": "pt.csv"}), 201)
	n.deliver()
	if again := n.hook.got(); len(again) != len(got) {
		t.Errorf("a repeated import notified again: %v", again[len(got):])
	}
}
