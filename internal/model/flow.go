package model

// AtRest is how data at rest is encrypted.
type AtRest string

// Encryption at rest strengths, weakest first.
const (
	AtRestUnknown     AtRest = ""
	AtRestNone        AtRest = "none"
	AtRestDisk        AtRest = "disk"
	AtRestApplication AtRest = "application"
	AtRestTokenized   AtRest = "tokenized"
)

// AtRestValues lists the values accepted for encryption at rest.
var AtRestValues = []AtRest{AtRestNone, AtRestDisk, AtRestApplication, AtRestTokenized}

// Auth is how a flow's sender is authenticated.
type Auth string

// Flow authentication methods. AuthUnknown is the default.
const (
	AuthUnknown   Auth = ""
	AuthNone      Auth = "none"
	AuthPassword  Auth = "password"
	AuthSession   Auth = "session"
	AuthToken     Auth = "token"
	AuthAPIKey    Auth = "api_key"
	AuthMTLS      Auth = "mtls"
	AuthSignature Auth = "signature"
	AuthIAM       Auth = "iam"
	AuthSSHKey    Auth = "ssh_key"
)

// AuthValues lists the values accepted for flow authentication.
var AuthValues = []Auth{AuthNone, AuthPassword, AuthSession, AuthToken, AuthAPIKey, AuthMTLS, AuthSignature, AuthIAM, AuthSSHKey}

// Encryption is a flow's encryption in transit.
type Encryption string

// Encryption in transit. EncUnknown is the default.
const (
	EncUnknown Encryption = ""
	EncNone    Encryption = "none"
	EncTLS     Encryption = "tls"
	EncMTLS    Encryption = "mtls"
)

// EncryptionValues lists the values accepted for encryption in transit.
var EncryptionValues = []Encryption{EncNone, EncTLS, EncMTLS}

// Flow is a data flow from one component to another.
type Flow struct {
	// num is the flow's index in its model's Flows, set by Index (read it
	// with Model.FlowNum, which checks it).
	num            int32
	ID             string
	Name           string
	Description    string
	From           *Component
	To             *Component
	Protocol       string
	Port           int
	Authentication Auth
	Encryption     Encryption
	Carries        []*Asset
	// OneWay is true for fire-and-forget flows; otherwise the flow is a
	// request with a response.
	OneWay bool
	// Returns lists the assets the response carries back, when stated.
	Returns []*Asset
	// Local marks a same-host or link-local flow (transport threats do not
	// apply).
	Local bool
	// ForwardsIdentity says whether the end user's identity reaches the
	// receiver (yes) or only the calling service's (no).
	ForwardsIdentity Tri
	Tags             []string
	// Controls holds tri-state control facts about the flow itself
	// (for example verifies_signatures on a webhook).
	Controls Controls
	// Inferred says which of the flow's facts the loader read from its
	// ends (InferredCarries), 0 when every fact was stated.
	Inferred Inferred
	Pos      Pos
}

// Label returns the flow's name or "from → to".
func (f *Flow) Label() string {
	if f.Name != "" {
		return f.Name
	}
	return f.From.ID + " → " + f.To.ID
}

// CrossesBoundary reports whether the flow leaves one boundary for another.
func (f *Flow) CrossesBoundary() bool { return f.From.Boundary != f.To.Boundary }

// Inbound reports whether the flow goes from a less trusted place to a more
// trusted one.
func (f *Flow) Inbound() bool { return f.From.Trust() < f.To.Trust() }

// CarriesSensitive reports whether the flow carries a sensitive asset.
func (f *Flow) CarriesSensitive() bool {
	for _, a := range f.Carries {
		if a.Sensitive() {
			return true
		}
	}
	return false
}

// Authenticated reports whether the flow's sender is authenticated: yes when
// a method is named, no when it is "none", unknown when it is not stated.
func (f *Flow) Authenticated() Tri {
	switch f.Authentication {
	case AuthUnknown:
		return Unknown
	case AuthNone:
		return No
	}
	return Yes
}

// Encrypted reports whether the flow is encrypted in transit.
func (f *Flow) Encrypted() Tri {
	switch f.Encryption {
	case EncUnknown:
		return Unknown
	case EncNone:
		return No
	}
	return Yes
}

// HasTag reports whether the flow carries the tag.
func (f *Flow) HasTag(t string) bool {
	for _, x := range f.Tags {
		if x == t {
			return true
		}
	}
	return false
}

// TouchesData reports whether the flow carries an asset or reads or
// writes a store.
func (f *Flow) TouchesData() bool {
	return len(f.Carries) > 0 || f.From.IsStore() || f.To.IsStore()
}
