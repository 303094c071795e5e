package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/triage"
)

// scaffold is what ward init writes a model from.
type scaffold struct {
	id, name, team string
	answers        triage.Answers
	kinds          []model.ComponentKind
}

// defaultKinds are the component kinds a scaffold has when none are chosen.
var defaultKinds = []model.ComponentKind{model.KindPerson, model.KindService, model.KindDatastore}

func (a *app) initCmd() *cobra.Command {
	var (
		af               answerFlags
		dir, id, name    string
		team, components string
		yes, force       bool
	)
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Scaffold a commented ward.yaml for a new threat model",
		Long: `Init writes a ward.yaml in the current directory (or --dir): a valid, commented
model with the system, the triage context, an example asset, trust boundaries,
components and flows matching your answers, and commented-out examples of
threats, mitigations, assumptions and decisions. 'ward check' accepts it as
written; edit it to describe your design.

On a terminal, init asks for what the flags do not give (Enter takes the
default shown, or leaves a triage question unknown). With --yes, or when
standard input is not a terminal, it asks nothing and uses the flags and
defaults. It never overwrites an existing ward.yaml unless --force is given.`,
		Example: `  ward init
  ward init --yes --id payments-api --name "Payments API" --team payments \
    --internet-facing yes --sensitive-data payment_card,pii --components client,service,datastore,queue
  ward init --dir services/search --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			target := a.path(dir)
			if dir == "" {
				target = cmpOr(a.env.Dir, ".")
			}
			file := filepath.Join(target, "ward.yaml")
			if _, err := os.Stat(file); err == nil && !force {
				return usagef("%s already exists — edit it, or pass --force to replace it", a.display(file))
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			ans, err := af.answers(cmd)
			if err != nil {
				return err
			}
			sc := scaffold{id: id, name: name, team: team, answers: ans}
			if cmd.Flags().Changed("components") {
				if sc.kinds, err = parseKinds(components); err != nil {
					return usagef("--components: %v", err)
				}
			}
			if sc.id != "" && !idRE.MatchString(sc.id) {
				return usagef("--id %q: use lower-case letters, digits, '-', '_' and '.', starting with a letter or digit", sc.id)
			}
			defID := slug(filepath.Base(absOr(target)))
			if a.env.StdinTTY && !yes {
				if err := a.askScaffold(&sc, defID, cmd.Flags().Changed("components")); err != nil {
					return err
				}
			}
			if sc.id == "" {
				sc.id = defID
			}
			if sc.name == "" {
				sc.name = titleOf(sc.id)
			}
			if sc.kinds == nil {
				sc.kinds = defaultKinds
			}
			data := sc.render()
			// Never write a model ward itself would reject.
			if _, _, err := spec.Parse(file, data); err != nil {
				return fmt.Errorf("internal error: the scaffold does not validate:\n%v", err)
			}
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			if err := writeFileAtomic(file, data); err != nil {
				return fmt.Errorf("write %s: %w", a.display(file), err)
			}
			if _, err := spec.Load(cmdContext(cmd), file); err != nil {
				return fmt.Errorf("wrote %s but it does not load:\n%v", a.display(file), err)
			}
			shown := a.display(file)
			fmt.Fprintf(a.env.Stderr, "wrote %s\n\nNext steps:\n", shown)
			fmt.Fprintf(a.env.Stderr, "  1. edit %s: describe your components, flows and assets\n", shown)
			fmt.Fprintf(a.env.Stderr, "  2. ward triage %s    — does it need a threat model, and who leads it?\n", shown)
			fmt.Fprintf(a.env.Stderr, "  3. ward check %s     — find threats, rank them, list open questions\n", shown)
			fmt.Fprintf(a.env.Stderr, "  4. ward schema > %s  — editor completion\n", a.display(filepath.Join(target, "ward.schema.json")))
			if u := sc.answers.Unknown(); len(u) > 0 {
				names := make([]string, len(u))
				for i, q := range u {
					names[i] = string(q)
				}
				fmt.Fprintf(a.env.Stderr, "\nStill unknown in context: %s — answer them to refine triage.\n", strings.Join(names, ", "))
			}
			return nil
		},
	}
	af.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&dir, "dir", "", "write ward.yaml in this `directory` (created if missing) instead of the current one")
	fl.StringVar(&id, "id", "", "system `id` (default: the directory's name)")
	fl.StringVar(&name, "name", "", "system `name` (default: from the id)")
	fl.StringVar(&team, "team", "", "owning `team`")
	fl.StringVar(&components, "components", "", "component `kinds` to scaffold, comma-separated (person, client, service, function, datastore, storage, queue, external, device, llm, agent; default person,service,datastore)")
	fl.BoolVarP(&yes, "yes", "y", false, "ask nothing: accept defaults for what the flags do not give")
	fl.BoolVar(&force, "force", false, "overwrite an existing ward.yaml")
	return cmd
}

// askScaffold asks for what the flags left out.
func (a *app) askScaffold(sc *scaffold, defID string, kindsGiven bool) error {
	p := a.prompter()
	fmt.Fprintln(a.env.Stderr, "Creating ward.yaml. Press Enter to accept the default in [brackets].")
	if sc.id == "" {
		if err := p.ask("System id?", "letters, digits, - _ .", defID, func(s string) error {
			if s == "" {
				return nil
			}
			if !idRE.MatchString(s) {
				return fmt.Errorf("%q is not a valid id", s)
			}
			sc.id = s
			return nil
		}); err != nil {
			return err
		}
	}
	if sc.name == "" {
		def := titleOf(cmpOr(sc.id, defID))
		if err := p.ask("System name?", "as people say it", def, func(s string) error { sc.name = s; return nil }); err != nil {
			return err
		}
	}
	if sc.team == "" {
		if err := p.ask("Owning team?", "Enter to skip", "", func(s string) error { sc.team = s; return nil }); err != nil {
			return err
		}
	}
	if err := p.askAnswers(&sc.answers); err != nil {
		return err
	}
	if !kindsGiven {
		all := make([]string, len(model.ComponentKinds))
		for i, k := range model.ComponentKinds {
			all[i] = string(k)
		}
		def := make([]string, len(defaultKinds))
		for i, k := range defaultKinds {
			def[i] = string(k)
		}
		if err := p.ask("Which kinds of components does it have?", "comma-separated: "+strings.Join(all, ", "), strings.Join(def, ","), func(s string) error {
			if s == "" {
				return nil
			}
			ks, err := parseKinds(s)
			if err == nil {
				sc.kinds = ks
			}
			return err
		}); err != nil {
			return err
		}
	}
	fmt.Fprintln(a.env.Stderr)
	return nil
}

func cmpOr(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func absOr(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// slug turns a name into an id.
func slug(s string) string {
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

func titleOf(id string) string {
	parts := strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' || r == '.' })
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	if len(parts) == 0 {
		return id
	}
	return strings.Join(parts, " ")
}

func parseKinds(s string) ([]model.ComponentKind, error) {
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

// q quotes a string for YAML when it needs it.
func q(s string) string {
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

// render writes the scaffold as a commented ward.yaml.
func (sc scaffold) render() []byte {
	ans := sc.answers
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# yaml-language-server: $schema=./ward.schema.json\n")
	w("# Threat model for %s, created by `ward init`.\n", strings.ReplaceAll(sc.name, "\n", " "))
	w("# Describe the design below, then run `ward triage` and `ward check`.\n")
	w("# Every key is documented in docs/format.md (or run `ward help format`).\n")
	w("ward: 1\n\n")

	w("system:\n  id: %s\n  name: %s\n", sc.id, q(sc.name))
	w("  description: What the system does, in a sentence or two.\n")
	if sc.team != "" {
		w("  team: %s\n", q(sc.team))
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
			names[i] = q(n)
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
	w("\nscope:\n  in:\n    - what: %s\n      why: the design under review\n", q(sc.name))
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
	for _, k := range sc.kinds {
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
		id := uniq(slug(name))
		tpIDs = append(tpIDs, id)
		w("  - id: %s\n    name: %s\n    kind: external\n    boundary: third-parties\n    third_party: true\n    new: true\n    description: A third party new to the organisation.\n", id, q(name))
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
