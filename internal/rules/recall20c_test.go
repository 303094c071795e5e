package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestAdminClientWithoutMFA: an admin client whose people's sign-in is not
// drawn raises admin-without-mfa (open where the second factor is stated
// absent, unverified while unknown); one whose sign-in is drawn (a session)
// or whose second factor is stated raises nothing.
func TestAdminClientWithoutMFA(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "recall20c", "admin-client.yaml"), rules.All())
	var got []string
	for _, id := range ofRule(fs, "admin-without-mfa", "") {
		if !slices.Contains(got, id) {
			got = append(got, id)
		}
	}
	want := []string{"admin-without-mfa:ops-console", "admin-without-mfa:ops-console:elevation_of_privilege", "admin-without-mfa:service-tool", "admin-without-mfa:service-tool:elevation_of_privilege"}
	if !slices.Equal(got, want) {
		t.Errorf("threats %v, want %v", got, want)
	}
	open := ofRule(fs, "admin-without-mfa", model.StatusOpen)
	if want := []string{"admin-without-mfa:service-tool", "admin-without-mfa:service-tool:elevation_of_privilege"}; !slices.Equal(open, want) {
		t.Errorf("open threats %v, want %v", open, want)
	}
}
