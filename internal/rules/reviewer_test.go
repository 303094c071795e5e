package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestClientStateNamesClient: the state a server trusts is changed on the
// client the attacker controls, so the threat names the client as well as
// the flow and the server.
func TestClientStateNamesClient(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "client-computed-state-trusted", "fires.yaml"), rules.All())
	for _, f := range fs {
		if f.Rule != "client-computed-state-trusted" {
			continue
		}
		var got []string
		for _, tg := range f.Targets {
			got = append(got, tg.ID())
		}
		if want := []string{"app-to-api", "app", "api"}; !slices.Equal(got, want) {
			t.Errorf("%s targets %v, want %v", f.ID, got, want)
		}
		return
	}
	t.Fatal("client-computed-state-trusted raised nothing")
}

// TestClientStateAnonymousSpoofing: state sent by a client on a flow that
// states no authentication also raises spoofing (the client claims who it
// is or what it holds, and nothing ties the claim to anyone); a signed-in
// client's state is tampering only.
func TestClientStateAnonymousSpoofing(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "client-computed-state-trusted", "anonymous.yaml"), rules.All())
	got := ofRule(fs, "client-computed-state-trusted", "")
	want := []string{"client-computed-state-trusted:app-order", "client-computed-state-trusted:tag-bid", "client-computed-state-trusted:tag-bid:spoofing"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestBearerAuthUnstated: a sign-in of unstated method by our client, or by
// a person sending data, raises bearer-token-replay unverified, asking the
// flow's authentication (sparse26b).
func TestBearerAuthUnstated(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "bearer-token-replay", "auth-unstated.yaml"), rules.All())
	if got := ofRule(fs, "bearer-token-replay", model.StatusOpen); len(got) > 0 {
		t.Errorf("open %v, want none", got)
	}
	want := []string{"bearer-token-replay:app-api", "bearer-token-replay:clerk-console"}
	if got := ofRule(fs, "bearer-token-replay", model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("unverified %v, want %v", got, want)
	}
	if got := asking(qs, "bearer-token-replay"); !slices.Contains(got, "app-api.authentication") || !slices.Contains(got, "clerk-console.authentication") {
		t.Errorf("questions %v, want app-api.authentication and clerk-console.authentication", got)
	}
}
