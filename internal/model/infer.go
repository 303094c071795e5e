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

// InferredClass: the asset states nothing of how sensitive it is (Unstated),
// no data kind was read from its words, its kind is data and its words do
// not call it public, so it is taken as confidential (InferAsset). It takes
// a bit above the component flags' (inferflags.go).
const InferredClass Inferred = 1 << 4

// Unstated reports whether nothing in the asset says how sensitive it is:
// no classification, no data kinds, no confidentiality, integrity or
// availability need and no value.
func (a *Asset) Unstated() bool {
	return a.Classification == ClassUnset && len(a.Data) == 0 && a.Confidentiality == LevelUnset &&
		a.Integrity == LevelUnset && a.Availability == LevelUnset && a.Value == LevelUnset
}

// InferAsset fills in what a sparse model leaves out of an asset, from its
// id, name and description: the kind (credential or money; credential only
// when the words say that is what the asset is, namesCredential) when
// kindStated is false, and the data kinds when nothing states how sensitive the asset
// is (Unstated). Unknown is never read as "not sensitive": an asset named
// "patient records" holds health data whether or not the model says so,
// and a data asset that states nothing of its sensitivity and whose words
// name no data kind ("client documents", "site telemetry", "drafts") is
// taken as confidential, so that the rules that protect data still check
// it (with the unstated, medium, confidentiality need: classNeed), unless
// its words call it public ("public listings", "published articles") and
// none of them private ("public and internal records" is taken as
// confidential). It records what it inferred in a.Inferred and leaves
// stated facts alone.
func InferAsset(a *Asset, kindStated bool) {
	ws := assetWords(a)
	if !kindStated {
		switch {
		case namesCredential(a):
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
	switch {
	case len(a.Data) > 0:
		a.Inferred |= InferredData
	case (a.Kind == "" || a.Kind == AssetData) && (!ws.any(publicWords) || ws.any(privateWords)):
		a.Classification, a.Inferred = ClassConfidential, a.Inferred|InferredClass
	}
}

// publicWords call an asset public: it is not taken as confidential when
// the model states nothing of its sensitivity, unless privateWords say part
// of it is not ("public and internal records").
var (
	publicWords  = []string{"public", "publicly", "published"}
	privateWords = []string{"internal", "private", "confidential", "secret", "sensitive", "unpublished", "restricted"}
)

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
	return textWords(a.ID, a.Name, a.Description)
}

// namesCredential reports whether the asset's words say it is a credential
// or a secret: its id or name names one ("API keys", "db-passwords"), or its
// description does and names at most one other kind of data (personal,
// health, card, financial). A description that lists credentials among
// several other kinds of data ("dumps of every database: customer
// identities, card tokens, loan ledgers, credentials tables") describes a
// store that holds credentials, not a credential: its data kinds still
// include credentials, its kind stays data.
func namesCredential(a *Asset) bool {
	if id := textWords(a.ID, a.Name); id.any(credentialWords) || id.any(secretWords) {
		return true
	}
	d := textWords(a.Description)
	if !d.any(credentialWords) && !d.any(secretWords) {
		return false
	}
	others := 0
	for _, l := range [][]string{personalWords, healthWords, cardWords, financialWords} {
		if d.any(l) {
			others++
		}
	}
	return others < 2
}

// textWords is the wordSet of the texts.
func textWords(texts ...string) wordSet {
	ws := wordSet{}
	for _, s := range texts {
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

// InferredComponentKind: the component's kind was stated as service, the
// format's most generic kind, and a more specific one was read from its
// words.
const InferredComponentKind = InferredKind

// InferComponentKind reads a more specific kind for a component stated as a
// service, the format's most generic kind, from the head noun of its name
// (its last word: "orders database", "customer", "mobile app", "payments
// queue"), or of its id when it has no name; failing that, a component
// with tools is an agent. A head noun that names a service (API, portal,
// gateway, worker, admin, ...), is ambiguous or names nothing keeps it a
// service, and so does an app run by a third party. The tech is not read:
// it may name what the service uses ("Kafka", "PostgreSQL") as well as
// what it is. It records the change in c.Inferred.
func InferComponentKind(c *Component) {
	if c.Kind != KindService {
		return
	}
	var k ComponentKind
	switch {
	case strings.TrimSpace(c.Name) != "":
		k = headKind(c.Name)
	default:
		k = headKind(c.ID)
	}
	if k == "" && len(c.Tools) > 0 {
		k = KindAgent
	}
	// Another organisation's app is its system, not a client our users
	// run.
	if k == "" || k == KindService || k == KindClient && c.ThirdParty {
		return
	}
	c.Kind, c.Inferred = k, c.Inferred|InferredComponentKind
}

// headKind returns the kind the head noun of s (its last word, leaving out
// anything in parentheses) names, KindService for a word that names a
// service, or "" when the head noun does not tell.
func headKind(s string) ComponentKind {
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = s[:i]
	}
	ws := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	if len(ws) == 0 {
		return ""
	}
	w, prev := ws[len(ws)-1], ""
	if len(ws) > 1 {
		prev = ws[len(ws)-2]
	}
	if k := wordKind(prev, w); k != "" {
		return k
	}
	if s := strings.TrimSuffix(w, "s"); len(w) > 3 && s != w {
		return wordKind(prev, s)
	}
	return ""
}

// wordKind is the kind one word names, given the word before it.
func wordKind(prev, w string) ComponentKind {
	switch {
	case w == "app":
		// An app is what its users run (a driver app, a single-page app);
		// a back-office or backend app is the team's, and a web app may be
		// either.
		switch prev {
		case "web", "backend", "server", "office", "backoffice", "facing", "people":
			return ""
		}
		return KindClient
	case w == "agent" && humanAgent[prev], w == "manager" && humanManager[prev]:
		return KindPerson
	case w == "store" && (prev == "object" || prev == "blob" || prev == "file" || prev == "document"):
		return KindStorage
	case w == "agent" && (prev == "ai" || prev == "llm" || prev == "autonomous"):
		return KindAgent
	case w == "model" && (prev == "language" || prev == "ai" || prev == "foundation"):
		return KindLLM
	}
	return kindWords[w]
}

// humanAgent and humanManager are the words before "agent" and "manager"
// that make them people (a support agent, a store manager) rather than
// software (a build agent, a secrets manager).
var (
	humanAgent   = map[string]bool{"support": true, "call": true, "centre": true, "center": true, "desk": true, "contact": true, "service": true, "sales": true, "helpdesk": true, "dispute": true, "claims": true, "travel": true, "insurance": true, "estate": true}
	humanManager = map[string]bool{"store": true, "duty": true, "release": true, "product": true, "building": true, "account": true, "hiring": true, "data": true, "case": true, "line": true, "office": true, "project": true, "property": true, "shift": true, "branch": true, "site": true}
)

// kindWords maps the head nouns that name a sort of element to its kind.
var kindWords = func() map[string]ComponentKind {
	m := map[string]ComponentKind{}
	for k, ws := range map[ComponentKind][]string{
		KindService: {"service", "api", "console", "portal", "gateway", "server", "engine", "broker", "worker", "dashboard", "connector",
			"vault", "pipeline", "proxy", "page", "registry", "cdn", "ui", "backend", "endpoint", "system", "manager", "platform", "hub",
			"router", "scheduler", "orchestrator", "webhook", "bff", "microservice", "site", "website", "processor", "handler", "agent", "tool",
			"relay", "ingress", "admin", "controller", "scanner", "tracker", "bot", "frontend", "application"},
		KindPerson: {"user", "customer", "patient", "staff", "engineer", "administrator", "operator", "member", "technician",
			"analyst", "scientist", "clerk", "developer", "contractor", "recipient", "parent", "reviewer", "officer", "coordinator",
			"resident", "seller", "buyer", "visitor", "moderator", "approver", "caregiver", "employee", "homeowner", "clinician",
			"shopper", "guest", "policyholder", "applicant", "physician", "doctor", "nurse", "teacher", "student", "citizen",
			"attacker", "rider", "passenger", "donor", "volunteer", "learner", "auditor", "accountant", "pharmacist", "courier",
			"subscriber", "player", "inspector", "investigator", "lawyer", "attorney", "filer", "voter", "traveller", "traveler",
			"candidate", "recruiter", "person", "people", "human", "farmer", "owner", "tenant", "landlord", "borrower",
			"carer", "caseworker", "signer", "fan", "promoter", "examiner", "listener", "creator", "underwriter", "tutor", "trainer",
			"supervisor", "superuser", "sitter", "researcher", "requester", "prospect", "pilot", "paralegal", "organiser",
			"organizer", "invigilator", "installer", "housekeeper", "freelancer", "nurse", "pharmacist", "dentist", "therapist",
			"lawyer", "solicitor"},
		KindClient: {"browser", "spa", "android", "ios", "laptop", "workstation", "smartphone", "pc", "ipad",
			"widget", "sdk", "cli", "extension", "desktop", "client"},
		KindDevice: {"device", "plc", "sensor", "camera", "thermostat", "lock", "kiosk", "drone",
			"robot", "printer", "inverter", "mcu", "charger", "turbine", "vehicle", "beacon", "wearable",
			"pump", "valve", "rtu", "modem", "firmware", "terminal", "tablet"},
		KindDatastore: {"database", "db", "datastore", "store", "warehouse", "index", "replica", "historian", "table", "cache",
			"postgres", "postgresql", "mysql", "mariadb", "mongodb", "mongo", "redis", "dynamodb", "cassandra", "elasticsearch",
			"opensearch", "snowflake", "bigquery", "rds", "aurora", "sqlite", "memcached", "firestore", "cosmosdb", "spanner", "oracle", "mssql"},
		KindStorage: {"bucket", "storage", "blob", "s3", "gcs", "lake", "nas", "nfs", "share", "drive"},
		KindQueue: {"queue", "topic", "stream", "bus", "kafka", "sqs", "sns", "rabbitmq", "pubsub", "kinesis", "eventbridge",
			"firehose", "mq", "nats", "eventhub"},
		KindFunction: {"lambda", "function", "job", "cron", "cronjob"},
		KindExternal: {"provider", "vendor", "partner", "saas", "idp", "psp", "stripe", "twilio", "sendgrid", "okta", "auth0",
			"slack", "pagerduty", "zendesk", "salesforce", "paypal", "adyen", "braintree", "mailgun", "fcm",
			"apns", "docusign", "plaid"},
		KindLLM:   {"llm", "gpt", "openai", "claude", "gemini", "bedrock"},
		KindAgent: {"copilot", "assistant", "chatbot"},
	} {
		for _, w := range ws {
			if o, ok := m[w]; ok && o != k {
				panic("model: head noun " + w + " names both " + string(o) + " and " + string(k))
			}
			m[w] = k
		}
	}
	return m
}()

// Stated returns a copy of the asset as the model stated it: the inferred
// kind back to the default (data), the inferred data kinds and the inferred
// classification dropped.
// Exports and anything else that writes the model out use it, so that a
// guess of Ward's is never passed on as the model's fact.
func (a *Asset) Stated() *Asset {
	if a.Inferred == 0 {
		return a
	}
	s := *a
	if a.Inferred&InferredKind != 0 {
		s.Kind = AssetData
	}
	if a.Inferred&InferredData != 0 {
		s.Data = nil
	}
	if a.Inferred&InferredClass != 0 {
		s.Classification = ClassUnset
	}
	s.Inferred = 0
	return &s
}

// StatedKind is the component's kind as the model stated it: service when
// Ward read a more specific kind from its name.
func (c *Component) StatedKind() ComponentKind {
	if c.Inferred&InferredComponentKind != 0 {
		return KindService
	}
	return c.Kind
}

// InferredFacts names the asset's inferred facts ("kind", "data",
// "classification"), nil when every fact was stated.
func (a *Asset) InferredFacts() []string {
	var fs []string
	if a.Inferred&InferredKind != 0 {
		fs = append(fs, "kind")
	}
	if a.Inferred&InferredData != 0 {
		fs = append(fs, "data")
	}
	if a.Inferred&InferredClass != 0 {
		fs = append(fs, "classification")
	}
	return fs
}

// InferredFacts names the component's inferred facts ("kind", "admin",
// "paid", and "stores" or "processes" read from its flows by InferHeld),
// nil when every fact was stated.
func (c *Component) InferredFacts() []string {
	var fs []string
	if c.Inferred&InferredComponentKind != 0 {
		fs = append(fs, "kind")
	}
	if c.Inferred&InferredAdmin != 0 {
		fs = append(fs, "admin")
	}
	if c.Inferred&InferredPaid != 0 {
		fs = append(fs, "paid")
	}
	return append(fs, c.heldFacts()...)
}

// StatedAdmin and StatedPaid are the component's admin and paid flags as
// the model stated them: false when Ward inferred them (InferFlags).
func (c *Component) StatedAdmin() bool { return c.Admin && c.Inferred&InferredAdmin == 0 }

// StatedPaid: see StatedAdmin.
func (c *Component) StatedPaid() bool { return c.Paid && c.Inferred&InferredPaid == 0 }
