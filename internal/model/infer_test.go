package model

import (
	"slices"
	"testing"
)

func TestInferAsset(t *testing.T) {
	for _, tc := range []struct {
		a          Asset
		kindStated bool
		kind       AssetKind
		data       []DataKind
		inferred   Inferred
	}{
		{a: Asset{ID: "patient-records"}, data: []DataKind{DataPHI}, inferred: InferredData},
		{a: Asset{ID: "customer-profiles", Name: "Customer profiles"}, data: []DataKind{DataPII}, inferred: InferredData},
		{a: Asset{ID: "api-keys"}, kind: AssetCredential, data: []DataKind{DataCredentials, DataSecrets}, inferred: InferredKind | InferredData},
		{a: Asset{ID: "sessions", Name: "Session tokens"}, kind: AssetCredential, data: []DataKind{DataCredentials}, inferred: InferredKind | InferredData},
		{a: Asset{ID: "payouts"}, kind: AssetMoney, data: []DataKind{DataFinancial}, inferred: InferredKind | InferredData},
		{a: Asset{ID: "card-data"}, data: []DataKind{DataPaymentCard}, inferred: InferredData},
		// Stated facts are kept: a stated kind, and any stated sensitivity.
		{a: Asset{ID: "payouts", Kind: AssetData}, kindStated: true, kind: AssetData, data: []DataKind{DataFinancial}, inferred: InferredData},
		{a: Asset{ID: "patient-records", Classification: ClassPublic}, data: nil},
		{a: Asset{ID: "patient-records", Integrity: High}, data: nil},
		{a: Asset{ID: "patient-records", Data: []DataKind{DataPII}}, data: []DataKind{DataPII}},
		// Words that name no data kind leave its data unknown; it is taken
		// as confidential (TestInferClassification), not public.
		{a: Asset{ID: "widgets"}, data: nil, inferred: InferredClass},
	} {
		a := tc.a
		InferAsset(&a, tc.kindStated)
		if a.Kind != tc.kind || !slices.Equal(a.Data, tc.data) || a.Inferred != tc.inferred {
			t.Errorf("%s: got kind %q data %v inferred %b, want %q %v %b", tc.a.ID, a.Kind, a.Data, a.Inferred, tc.kind, tc.data, tc.inferred)
		}
	}
}

// TestNamesCredential: an asset is read as a credential when its words say
// that is what it is, not when its description lists credentials among
// several other kinds of data.
func TestNamesCredential(t *testing.T) {
	for _, tc := range []struct {
		a    Asset
		want bool
	}{
		// Fires: the id or name names a credential, whatever the description lists.
		{Asset{ID: "db-passwords", Name: "Backup user passwords", Description: "Customer emails, card numbers and ledgers."}, true},
		{Asset{ID: "signing", Name: "Signing keys"}, true},
		// Fires: the description names a credential and at most one other kind of data.
		{Asset{ID: "resident-accounts", Name: "Resident accounts", Description: "Email and password."}, true},
		{Asset{ID: "cloud-admin", Name: "Cloud administrator access", Description: "Admin role in 140 AWS accounts; GCP service-account key."}, true},
		{Asset{ID: "state", Name: "Terraform state", Description: "Resource attributes including generated database passwords."}, true},
		// Quiet: the description lists credentials among several other kinds of data.
		{Asset{ID: "backups", Name: "Database backups", Description: "Encrypted dumps of every production database (customer identities, card tokens, bank accounts, loan ledgers, credentials tables)."}, false},
		{Asset{ID: "exports", Name: "Nightly exports", Description: "Patient records, invoices and API tokens."}, false},
		// Quiet: no credential word anywhere.
		{Asset{ID: "orders", Description: "Customer orders and invoices."}, false},
	} {
		if got := namesCredential(&tc.a); got != tc.want {
			t.Errorf("%s: namesCredential %v, want %v", tc.a.ID, got, tc.want)
		}
	}
	// The backups keep credentials among their data kinds; their kind stays data.
	a := Asset{ID: "backups", Name: "Database backups", Description: "Dumps of every database (customers, card tokens, loan ledgers, credentials tables)."}
	InferAsset(&a, false)
	if a.Kind != "" || !slices.Contains(a.Data, DataCredentials) || !slices.Contains(a.Data, DataPII) {
		t.Errorf("backups: kind %q data %v", a.Kind, a.Data)
	}
}

func TestInferClassification(t *testing.T) {
	for _, tc := range []struct {
		a          Asset
		kindStated bool
		want       bool // taken as confidential
	}{
		// Fires: a data asset that states nothing and names no data kind.
		{a: Asset{ID: "client-documents", Name: "Client documents", Description: "Contracts and unpublished patents."}, want: true},
		{a: Asset{ID: "telemetry", Name: "Site telemetry"}, want: true},
		{a: Asset{ID: "drafts", Kind: AssetData}, kindStated: true, want: true},
		// Public words with a private one: part of it is not public.
		{a: Asset{ID: "zone-data", Description: "Public and internal DNS records."}, want: true},
		// Quiet: words that call it public.
		{a: Asset{ID: "listings", Name: "Public listings"}},
		{a: Asset{ID: "articles", Description: "Published articles."}},
		// Quiet: a data kind read from its words says how sensitive it is.
		{a: Asset{ID: "patient-records"}},
		// Quiet: any stated sensitivity, and other kinds than data.
		{a: Asset{ID: "drafts", Classification: ClassInternal}},
		{a: Asset{ID: "drafts", Integrity: High}},
		{a: Asset{ID: "drafts", Value: Low}},
		{a: Asset{ID: "firmware", Kind: AssetInfrastructure}, kindStated: true},
		{a: Asset{ID: "vouchers"}}, // money, read from its words
	} {
		a := tc.a
		InferAsset(&a, tc.kindStated)
		got := a.Inferred&InferredClass != 0
		if got != tc.want || got != (a.Classification == ClassConfidential && tc.a.Classification == ClassUnset) {
			t.Errorf("%s %q: inferred %v classification %v, want inferred %v", tc.a.ID, tc.a.Name+tc.a.Description, got, a.Classification, tc.want)
		}
		if got {
			// Sensitive for the rules, but a guess ranks as the unstated
			// default (medium), below a stated confidential (high).
			if !a.Sensitive() || a.Need(Confidentiality) != Medium || a.Need(Integrity) != Medium {
				t.Errorf("%s: sensitive %v, confidentiality %v, integrity %v; want true, medium, medium", tc.a.ID, a.Sensitive(), a.Need(Confidentiality), a.Need(Integrity))
			}
			if st := a.Stated(); st.Classification != ClassUnset || st.Inferred != 0 {
				t.Errorf("%s: stated classification %v, want unset", tc.a.ID, st.Classification)
			}
			if fs := a.InferredFacts(); !slices.Contains(fs, "classification") {
				t.Errorf("%s: inferred facts %v, want classification", tc.a.ID, fs)
			}
		}
	}
}

func TestInferredAssetIsSensitive(t *testing.T) {
	a := Asset{ID: "lab-results", Name: "Lab results"}
	if a.Sensitive() {
		t.Fatal("sensitive before inference")
	}
	InferAsset(&a, false)
	if !a.Sensitive() || a.Need(Confidentiality) != High {
		t.Errorf("lab results: sensitive %v, confidentiality %v; want true, high", a.Sensitive(), a.Need(Confidentiality))
	}
}

func TestInfrastructureIntegrity(t *testing.T) {
	a := Asset{ID: "firmware", Kind: AssetInfrastructure}
	if a.Need(Integrity) != High {
		t.Errorf("infrastructure integrity %v, want high", a.Need(Integrity))
	}
	a.Integrity = Medium
	if a.Need(Integrity) != Medium {
		t.Errorf("stated integrity %v, want medium (stated wins)", a.Need(Integrity))
	}
}

func TestInferComponentKind(t *testing.T) {
	for _, tc := range []struct {
		c    Component
		want ComponentKind
	}{
		{Component{ID: "db", Name: "Orders database"}, KindDatastore},
		{Component{ID: "orders-db"}, KindDatastore},
		{Component{ID: "x", Name: "Payments queue"}, KindQueue},
		{Component{ID: "x", Name: "Media bucket"}, KindStorage},
		{Component{ID: "x", Name: "Document store"}, KindStorage},
		{Component{ID: "x", Name: "Nightly export job"}, KindFunction},
		{Component{ID: "x", Name: "Customers"}, KindPerson},
		{Component{ID: "x", Name: "Mobile app"}, KindClient},
		{Component{ID: "x", Name: "Driver app (iOS, Android)"}, KindClient},
		{Component{ID: "x", Name: "Support agent"}, KindPerson},
		{Component{ID: "x", Name: "Store manager"}, KindPerson},
		{Component{ID: "x", Name: "Build agent"}, KindService},
		{Component{ID: "x", Name: "Secrets manager"}, KindService},
		{Component{ID: "x", Name: "Web app"}, KindService},
		{Component{ID: "partner-app", ThirdParty: true}, KindService},
		{Component{ID: "x", Name: "Payment provider"}, KindExternal},
		{Component{ID: "x", Name: "Temperature sensor"}, KindDevice},
		{Component{ID: "x", Name: "Support assistant"}, KindAgent},
		{Component{ID: "x", Name: "Orders", Tech: "PostgreSQL"}, KindService},
		{Component{ID: "x", Name: "Triage", Tools: []string{"refund"}}, KindAgent},
		// The head noun decides: a customer API is a service.
		{Component{ID: "x", Name: "Customer API"}, KindService},
		{Component{ID: "x", Name: "Database proxy"}, KindService},
		{Component{ID: "x", Name: "Staff admin"}, KindService},
		{Component{ID: "x", Name: "Back-office app"}, KindService},
		{Component{ID: "x", Name: "Orchestrator (scoring jobs)"}, KindService},
		// The tech is not read: it may name what the service uses.
		{Component{ID: "x", Name: "Fulfilment consumer", Tech: "Kafka"}, KindService},
		// With a name, the id is not read.
		{Component{ID: "voter-lookup", Name: "Lookup"}, KindService},
	} {
		c := tc.c
		c.Kind = KindService
		InferComponentKind(&c)
		if c.Kind != tc.want {
			t.Errorf("%s %q: kind %q, want %q", c.ID, c.Name, c.Kind, tc.want)
		}
		if (c.Inferred&InferredComponentKind != 0) != (tc.want != KindService) {
			t.Errorf("%s %q: inferred %b", c.ID, c.Name, c.Inferred)
		}
	}
	// Only a service is read again: a stated kind is kept.
	c := Component{ID: "orders-db", Kind: KindExternal}
	InferComponentKind(&c)
	if c.Kind != KindExternal {
		t.Errorf("stated external read as %q", c.Kind)
	}
}
