package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestAdminUsersNotDrawn: an admin interface nothing is drawn calling is
// used by people the model leaves out, so the audit rule applies to it, and
// the sign-in rule where the model states the missing second factor; an
// admin API only a service calls is no sign-in; a client marked admin is
// the console people act through.
func TestAdminUsersNotDrawn(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "admin-without-mfa", "undrawn.yaml"), rules.All())
	if got, want := ofRule(fs, "admin-without-mfa", ""), []string{"admin-without-mfa:console", "admin-without-mfa:console:elevation_of_privilege"}; !slices.Equal(got, want) {
		t.Errorf("admin-without-mfa: got %v, want %v", got, want)
	}
	fs, _ = run(t, filepath.Join("testdata", "admin-actions-not-logged", "undrawn.yaml"), rules.All())
	if got, want := ofRule(fs, "admin-actions-not-logged", model.StatusOpen), []string{"admin-actions-not-logged:console", "admin-actions-not-logged:station"}; !slices.Equal(got, want) {
		t.Errorf("admin-actions-not-logged: got %v, want %v", got, want)
	}
}

// TestCredentialStuffingNamesSignIn: the credential-stuffing threat names
// the flow the passwords arrive on as well as the component that checks
// them.
func TestCredentialStuffingNamesSignIn(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "credential-stuffing", "fires.yaml"), rules.All())
	for _, f := range fs {
		if f.Rule != "credential-stuffing" {
			continue
		}
		var got []string
		for _, tg := range f.Targets {
			got = append(got, tg.ID())
		}
		if !slices.Contains(got, "login") || !slices.Contains(got, "user-to-login") {
			t.Errorf("%s targets %v, want login and its sign-in flow", f.ID, got)
		}
		return
	}
	t.Fatal("credential-stuffing raised nothing")
}

// TestSignInNamesClient: account-takeover threats name the client of ours
// that people outside our network sign in through (the app or console the
// taken-over account is used from), not a vendor's client or an office
// console; the staff sign-in names the console that sends the password.
func TestSignInNamesClient(t *testing.T) {
	targets := func(fs []*model.Finding, id string) []string {
		for _, f := range fs {
			if f.ID == id {
				var got []string
				for _, tg := range f.Targets {
					got = append(got, tg.ID())
				}
				return got
			}
		}
		t.Fatalf("%s not raised", id)
		return nil
	}
	fs, _ := run(t, filepath.Join("testdata", "credential-stuffing", "client.yaml"), rules.All())
	for _, id := range []string{"credential-stuffing:login", "short-secret-guessing:login"} {
		got := targets(fs, id)
		if !slices.Contains(got, "app") || slices.Contains(got, "widget") || slices.Contains(got, "console") {
			t.Errorf("%s targets %v, want the app and neither the widget nor the console", id, got)
		}
	}
	fs, _ = run(t, filepath.Join("testdata", "staff-password-without-mfa", "fires.yaml"), rules.All())
	if got := targets(fs, "staff-password-without-mfa:portal-api"); !slices.Contains(got, "employer-portal") {
		t.Errorf("staff-password-without-mfa:portal-api targets %v, want the portal too", got)
	}
}
