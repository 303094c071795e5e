package model

import "testing"

// TestIntegrityFromClassification: an unstated integrity need follows the
// classification one step lower, at least high for money, credentials and
// infrastructure; money and infrastructure keep the classification's own
// level, a credential's is critical only when stated (docs/risk.md, "A
// credential's classification speaks of its secrecy").
func TestIntegrityFromClassification(t *testing.T) {
	tests := []struct {
		name string
		a    Asset
		want Level
	}{
		{"restricted data", Asset{Kind: AssetData, Classification: ClassRestricted}, High},
		{"restricted credential", Asset{Kind: AssetCredential, Classification: ClassRestricted}, High},
		{"confidential credential", Asset{Kind: AssetCredential, Classification: ClassConfidential}, High},
		{"public credential", Asset{Kind: AssetCredential, Classification: ClassPublic}, High},
		{"restricted credential, integrity stated", Asset{Kind: AssetCredential, Classification: ClassRestricted, Integrity: Critical}, Critical},
		{"restricted money", Asset{Kind: AssetMoney, Classification: ClassRestricted}, Critical},
		{"restricted infrastructure", Asset{Kind: AssetInfrastructure, Classification: ClassRestricted}, Critical},
	}
	for _, tc := range tests {
		if got := tc.a.Need(Integrity); got != tc.want {
			t.Errorf("%s: integrity %v, want %v", tc.name, got, tc.want)
		}
	}
	a := Asset{Kind: AssetCredential, Classification: ClassRestricted}
	if got := a.Need(Confidentiality); got != Critical {
		t.Errorf("restricted credential: confidentiality %v, want critical", got)
	}
}
