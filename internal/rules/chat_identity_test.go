package rules_test

import (
	"path/filepath"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// TestChatIdentityMentionsCommandTargets: chat-user-identity-trusted's
// threat on a bot names the services it passes the commands to, through a
// queue too (runner), since they act on the identity the bot resolved
// (family27).
func TestChatIdentityMentionsCommandTargets(t *testing.T) {
	l, err := spec.Load(t.Context(), filepath.Join("testdata", "chat-user-identity-trusted", "fires.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var r *rule.Rule
	for _, x := range rules.All() {
		if x.ID == "chat-user-identity-trusted" {
			r = x
		}
	}
	for _, c := range l.Model.Components {
		if c.ID != "deploy-bot" {
			continue
		}
		got := r.Mentions(model.Target{Component: c})
		if len(got) != 1 || got[0].ID() != "runner" {
			t.Errorf("mentions of deploy-bot: got %v, want runner", got)
		}
	}
}
