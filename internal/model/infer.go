package model

import "strings"

// Inferred records which of an element's facts were not stated in the model
// but read from its words (id, name, description) by the loader. Ward infers
// only what a sparser model leaves unstated, and only facts that raise
// concern (what data an asset holds), never a control that lowers it.
type Inferred uint8

// The inferred facts.
const (
	// InferredData: the asset states no classification, data, needs or
	// value, and its data kinds were read from its words.
	InferredData Inferred = 1 << iota
	// InferredKind: the asset states no kind, and credential or money was
	// read from its words.
	InferredKind
)

// Unstated reports whether nothing in the asset says how sensitive it is:
// no classification, no data kinds, no confidentiality, integrity or
// availability need and no value.
func (a *Asset) Unstated() bool {
	return a.Classification == ClassUnset && len(a.Data) == 0 && a.Confidentiality == LevelUnset &&
		a.Integrity == LevelUnset && a.Availability == LevelUnset && a.Value == LevelUnset
}

// InferAsset fills in what a sparse model leaves out of an asset, from its
// id, name and description: the kind (credential or money) when kindStated
// is false, and the data kinds when nothing states how sensitive the asset
// is (Unstated). Unknown is never read as "not sensitive": an asset named
// "patient records" holds health data whether or not the model says so.
// It records what it inferred in a.Inferred and leaves stated facts alone.
func InferAsset(a *Asset, kindStated bool) {
	ws := assetWords(a)
	if !kindStated {
		switch {
		case ws.any(credentialWords) || ws.any(secretWords):
			a.Kind, a.Inferred = AssetCredential, a.Inferred|InferredKind
		case ws.any(moneyWords):
			a.Kind, a.Inferred = AssetMoney, a.Inferred|InferredKind
		}
	}
	if !a.Unstated() {
		return
	}
	for _, d := range dataWords {
		if ws.any(d.words) {
			a.Data = append(a.Data, d.kind)
		}
	}
	if len(a.Data) > 0 {
		a.Inferred |= InferredData
	}
}

// The words that name each kind of sensitive data. Plurals are matched by
// dropping a final "s" from the asset's words.
var (
	credentialWords = []string{"password", "passwd", "credential", "cred", "creds", "login", "token", "session", "apikey", "otp", "mfa", "2fa", "totp", "cookie", "jwt", "oauth", "passkey", "pin"}
	secretWords     = []string{"secret", "key", "keypair", "certificate", "cert", "kms", "hsm", "keystore", "keytab", "seed"}
	moneyWords      = []string{"payment", "payout", "fund", "balance", "wallet", "refund", "money", "cash", "transfer", "withdrawal", "deposit", "voucher", "giftcard", "credit", "charge", "settlement", "disbursement", "remittance"}
	cardWords       = []string{"card", "cardholder", "pan", "cvv", "cvc"}
	healthWords     = []string{"patient", "health", "medical", "clinical", "diagnosis", "diagnostic", "prescription", "medication", "ehr", "emr", "phi", "lab", "treatment", "therapy", "dicom", "radiology", "symptom", "vital", "clinic", "care", "consultation", "immunisation", "immunization", "vaccination", "donor", "pharmacy", "hospital"}
	personalWords   = []string{"personal", "pii", "customer", "user", "profile", "address", "email", "phone", "contact", "identity", "passport", "employee", "applicant", "student", "member", "citizen", "resident", "location", "gps", "biometric", "face", "photo", "birth", "kyc", "person", "people", "guest", "candidate", "driver", "rider", "passenger", "subscriber", "voter", "child", "parent", "hr", "recording", "transcript", "message", "chat", "attendee", "visitor", "tenant", "owner", "household", "account"}
	financialWords  = []string{"payment", "invoice", "bank", "iban", "ledger", "transaction", "payroll", "salary", "wage", "billing", "tax", "loan", "credit", "refund", "payout", "wallet", "fund", "balance", "financial", "income", "earning", "statement", "remittance", "settlement", "insurance", "claim"}
	dataWords       = []struct {
		kind  DataKind
		words []string
	}{
		{DataPII, personalWords},
		{DataPHI, healthWords},
		{DataPaymentCard, cardWords},
		{DataCredentials, credentialWords},
		{DataSecrets, secretWords},
		{DataFinancial, financialWords},
	}
)

// wordSet is the lower-case words of some text, with a final "s" dropped
// too, and adjacent pairs joined ("api key" also gives "apikey").
type wordSet map[string]bool

func assetWords(a *Asset) wordSet {
	ws := wordSet{}
	for _, s := range []string{a.ID, a.Name, a.Description} {
		prev := ""
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
		}) {
			ws.add(w)
			if prev != "" {
				ws.add(prev + w)
			}
			prev = w
		}
	}
	return ws
}

func (ws wordSet) add(w string) {
	ws[w] = true
	if len(w) > 3 && strings.HasSuffix(w, "s") {
		ws[strings.TrimSuffix(w, "s")] = true
	}
}

func (ws wordSet) any(words []string) bool {
	for _, w := range words {
		if ws[w] {
			return true
		}
	}
	return false
}
