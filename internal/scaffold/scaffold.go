// Package scaffold writes a new threat model: the commented ward.yaml
// that `ward init` creates from the intake answers and component kinds, and
// the templates of common system shapes (web app with API and database,
// event pipeline, LLM feature) that the server's "new system" page offers.
// Both ask the same questions (triage.Questions) and both produce models
// that spec loads as written.
package scaffold

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/triage"
)

// Scaffold is what a new model is written from.
type Scaffold struct {
	ID, Name, Team string
	Answers        triage.Answers
	// Kinds are the component kinds to draw; nil means DefaultKinds.
	Kinds []model.ComponentKind
}

// DefaultKinds are the component kinds a scaffold has when none are chosen.
var DefaultKinds = []model.ComponentKind{model.KindPerson, model.KindService, model.KindDatastore}

// IDPattern is what a system id looks like.
var IDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Slug turns a name into an id.
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if b.Len() > 0 && !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if len(out) > 48 {
		out = strings.TrimRight(out[:48], "-")
	}
	if out == "" {
		return "my-system"
	}
	return out
}

func Title(id string) string {
	parts := strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' || r == '.' })
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	if len(parts) == 0 {
		return id
	}
	return strings.Join(parts, " ")
}

func ParseKinds(s string) ([]model.ComponentKind, error) {
	all := make([]string, len(model.ComponentKinds))
	for i, k := range model.ComponentKinds {
		all[i] = string(k)
	}
	var out []model.ComponentKind
	for _, part := range strings.Split(strings.ToLower(s), ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !slices.Contains(all, part) {
			hint := "use " + strings.Join(all, ", ")
			if sug := spec.Suggest(part, all); sug != "" {
				hint = fmt.Sprintf("did you mean %q?", sug)
			}
			return nil, fmt.Errorf("%q is not a component kind — %s", part, hint)
		}
		if k := model.ComponentKind(part); !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("name at least one component kind")
	}
	return out, nil
}

// Quote quotes a string for YAML when it needs it.
func Quote(s string) string {
	if plainRE.MatchString(s) && !slices.Contains([]string{"yes", "no", "true", "false", "null", "on", "off", "y", "n", "~"}, strings.ToLower(s)) {
		return s
	}
	return strconv.Quote(s)
}

var plainRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9 ._/()-]*[A-Za-z0-9.)]$|^[A-Za-z]$`)

// kindInfo is how the scaffold names an example component of each kind.
var kindInfo = map[model.ComponentKind]struct{ id, name, desc, tech string }{
	model.KindPerson:    {"user", "User", "A person using the system.", ""},
	model.KindClient:    {"web-app", "Web app", "The client people use (browser or mobile app).", "TypeScript"},
	model.KindDevice:    {"device", "Device", "A device that talks to the system.", ""},
	model.KindService:   {"api", "API", "The main service.", "Go"},
	model.KindFunction:  {"worker-fn", "Worker function", "A serverless function.", "AWS Lambda"},
	model.KindAgent:     {"agent", "Agent", "An LLM agent acting on the system's behalf.", ""},
	model.KindLLM:       {"llm", "LLM", "A large language model the system calls.", ""},
	model.KindDatastore: {"db", "Database", "Where the system keeps its data.", "PostgreSQL"},
	model.KindStorage:   {"bucket", "Object storage", "Files and blobs.", "S3"},
	model.KindQueue:     {"queue", "Queue", "Asynchronous messages between parts of the system.", "SQS"},
	model.KindExternal:  {"external-api", "External API", "A system run by someone else.", ""},
}

// Render writes the scaffold as a commented ward.yaml.
func (sc Scaffold) Render() []byte {
	if sc.Kinds == nil {
		sc.Kinds = DefaultKinds
	}
	if sc.Name == "" {
		sc.Name = Title(sc.ID)
	}
	ans := sc.Answers
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# yaml-language-server: $schema=./ward.schema.json\n")
	w("# Threat model for %s, created by `ward init`.\n", strings.ReplaceAll(sc.Name, "\n", " "))
	w("# Describe the design below, then run `ward triage` and `ward check`.\n")
	w("# Every key is documented in docs/format.md (or run `ward help format`).\n")
	w("ward: 1\n\n")

	w("system:\n  id: %s\n  name: %s\n", sc.ID, Quote(sc.Name))
	w("  description: What the system does, in a sentence or two.\n")
	if sc.Team != "" {
		w("  team: %s\n", Quote(sc.Team))
	} else {
		w("  # team: the-owning-team\n")
	}
	w("\n# The answers to the intake questions; `ward triage` reads them.\n")
	w("# Anything left unknown counts as risky until answered.\n")
	w("context:\n")
	kv := func(line, comment string) { w("  %-33s # %s\n", line, comment) }
	kv("paved_path: "+ans.PavedPath.String(), "the common, already secured way to build and deploy?")
	kv("internet_facing: "+ans.InternetFacing.String(), "is any part reachable from the internet?")
	if ans.Known(triage.QSensitiveData) {
		kinds := make([]string, len(ans.SensitiveData))
		for i, k := range ans.SensitiveData {
			kinds[i] = string(k)
		}
		kv("sensitive_data: ["+strings.Join(kinds, ", ")+"]", "pii, phi, payment_card, credentials, secrets, financial")
	} else {
		kv("# sensitive_data: [pii]", "unknown: list pii, phi, payment_card, credentials, secrets, financial, or []")
	}
	if ans.Known(triage.QNewThirdParties) {
		names := make([]string, len(ans.NewThirdParties))
		for i, n := range ans.NewThirdParties {
			names[i] = Quote(n)
		}
		kv("new_third_parties: ["+strings.Join(names, ", ")+"]", "third parties new to the organisation")
	} else {
		kv("# new_third_parties: []", "unknown: name third parties new to the organisation, or []")
	}
	kv("auth_changes: "+ans.AuthChanges.String(), "does it change authentication or authorization?")
	if ans.Criticality != model.LevelUnset {
		kv("criticality: "+ans.Criticality.String(), "low, medium, high or critical")
	} else {
		kv("# criticality: medium", "unknown: low, medium, high or critical")
	}
	w("\nscope:\n  in:\n    - what: %s\n      why: the design under review\n", Quote(sc.Name))
	w("  out:\n    - what: The platform the system runs on\n      why: covered by the platform team's own model\n")

	// The example asset follows the sensitive data answered.
	assetID, class := "service-data", "internal"
	var data []string
	for _, k := range ans.SensitiveData {
		data = append(data, string(k))
		switch k {
		case model.DataPaymentCard, model.DataPHI, model.DataCredentials, model.DataSecrets:
			class = "restricted"
		default:
			if class != "restricted" {
				class = "confidential"
			}
		}
	}
	if len(data) > 0 {
		assetID = "sensitive-data"
	}
	w("\n# What is worth protecting: data, credentials, money, infrastructure, availability.\n")
	w("assets:\n  - id: %s\n    name: %s\n    kind: data\n    classification: %s\n", assetID, map[bool]string{true: "Sensitive data", false: "Service data"}[len(data) > 0], class)
	if len(data) > 0 {
		w("    data: [%s]\n", strings.Join(data, ", "))
	} else {
		w("    # data: [pii]   # kinds of sensitive data it contains\n")
	}
	w("    description: Replace with what the system keeps and why it matters.\n")

	// Boundaries: where people and clients come from, the system itself, and
	// third parties.
	entryKinds := []model.ComponentKind{model.KindPerson, model.KindClient, model.KindDevice}
	var entries, others []model.ComponentKind
	for _, k := range sc.Kinds {
		if slices.Contains(entryKinds, k) {
			entries = append(entries, k)
		} else {
			others = append(others, k)
		}
	}
	core := model.ComponentKind("")
	for _, k := range []model.ComponentKind{model.KindService, model.KindFunction, model.KindAgent} {
		if slices.Contains(others, k) {
			core = k
			break
		}
	}
	if core == "" {
		core = model.KindService
		others = append([]model.ComponentKind{core}, others...)
	}
	thirdParties := ans.NewThirdParties
	outside, outsideTrust, outsideName := "corporate", "internal", "Corporate network"
	if ans.InternetFacing == model.Yes {
		outside, outsideTrust, outsideName = "internet", "internet", "Internet"
	}
	w("\n# Trust boundaries, from least trusted (internet) to most (restricted).\n")
	w("boundaries:\n")
	if len(entries) > 0 {
		w("  - id: %s\n    name: %s\n    trust: %s\n", outside, outsideName, outsideTrust)
	}
	w("  - id: production\n    name: Production\n    trust: internal\n")
	hasExternal := slices.Contains(others, model.KindExternal) || slices.Contains(others, model.KindLLM) || len(thirdParties) > 0
	if hasExternal {
		w("  - id: third-parties\n    name: Third parties\n    trust: partner\n")
	}

	used := map[string]bool{}
	ids := map[model.ComponentKind]string{}
	uniq := func(base string) string {
		id := base
		for i := 2; used[id]; i++ {
			id = fmt.Sprintf("%s-%d", base, i)
		}
		used[id] = true
		return id
	}
	w("\n# People, clients, services, data stores, queues and external systems.\n")
	w("components:\n")
	comp := func(k model.ComponentKind, boundary string, extra string) {
		info := kindInfo[k]
		id := uniq(info.id)
		ids[k] = id
		w("  - id: %s\n    name: %s\n    kind: %s\n    boundary: %s\n    description: %s\n", id, info.name, k, boundary, info.desc)
		if info.tech != "" {
			w("    tech: %s\n", info.tech)
		}
		w("%s", extra)
	}
	for _, k := range entries {
		comp(k, outside, "")
	}
	for _, k := range others {
		switch k {
		case model.KindDatastore, model.KindStorage:
			comp(k, "production", fmt.Sprintf("    stores: [%s]\n    # encryption_at_rest: disk   # none, disk, application or tokenized\n", assetID))
		case model.KindExternal:
			comp(k, "third-parties", "    third_party: true\n")
		case model.KindLLM:
			comp(k, "third-parties", "    third_party: true\n    paid: true\n")
		default:
			extra := ""
			if k == core {
				extra = fmt.Sprintf("    processes: [%s]\n    # controls:                 # yes / no / unknown; see `ward help controls`\n    #   validates_input: yes\n", assetID)
			}
			comp(k, "production", extra)
		}
	}
	var tpIDs []string
	for _, name := range thirdParties {
		id := uniq(Slug(name))
		tpIDs = append(tpIDs, id)
		w("  - id: %s\n    name: %s\n    kind: external\n    boundary: third-parties\n    third_party: true\n    new: true\n    description: A third party new to the organisation.\n", id, Quote(name))
	}

	coreID := ids[core]
	w("\n# Data flows. Leave authentication and encryption out when you do not know:\n")
	w("# ward check then asks about them instead of assuming.\n")
	w("flows:\n")
	flow := func(from, to, proto, note string, carries bool) {
		w("  - from: %s\n    to: %s\n    protocol: %s\n", from, to, proto)
		if carries {
			w("    carries: [%s]\n", assetID)
		}
		if note != "" {
			w("%s", note)
		}
	}
	authNote := "    # authentication: token     # none, password, session, token, api_key, mtls, signature, iam\n    # encryption: tls\n"
	first := true
	for _, k := range entries {
		id := ids[k]
		if k == model.KindPerson && slices.Contains(entries, model.KindClient) {
			flow(id, ids[model.KindClient], "https", "", false)
			continue
		}
		note := ""
		if first {
			note, first = authNote, false
		}
		flow(id, coreID, "https", note, true)
	}
	protos := map[model.ComponentKind]string{model.KindDatastore: "sql", model.KindStorage: "https", model.KindQueue: "amqp"}
	for _, k := range others {
		if k == core {
			continue
		}
		proto := protos[k]
		if proto == "" {
			proto = "https"
		}
		flow(coreID, ids[k], proto, "", k != model.KindLLM)
	}
	for _, id := range tpIDs {
		flow(coreID, id, "https", "", false)
	}
	w(`
# Threats the team found themselves. Ward also generates findings from rules.
# threats:
#   - id: stolen-session
#     title: An attacker replays a stolen session token against the API
#     stride: [spoofing]
#     targets: [%[1]s]
#     assets: [%[2]s]
#     likelihood: possible        # rare, unlikely, possible, likely, almost_certain
#     impact: major               # negligible, minor, moderate, major, severe
#     found_by: team
#     mitigations: [short-lived-tokens]

# Controls, each linked from threats or decisions, with an owner and a status.
# mitigations:
#   - id: short-lived-tokens
#     title: Expire session tokens after 15 minutes
#     status: planned             # proposed, planned, implemented, verified, wont_do
#     owner: alice
#     ticket: https://tracker.example.com/SEC-123

# What the model takes for granted. Invalidated assumptions re-open what they support.
# assumptions:
#   - id: db-private
#     text: The database is unreachable from the internet
#     supports: [short-lived-tokens]

# Decisions on findings generated by rules (ids as printed by ward check).
# decisions:
#   - finding: some-rule:%[1]s
#     status: accepted            # mitigated, accepted, false_positive, transferred
#     reason: Why the risk is acceptable
#     owner: alice
#     expires: 2027-01-31
`, coreID, assetID)
	return []byte(b.String())
}
