package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/model"
)

// addHelpTopics adds 'ward help TOPIC' pages that are not commands.
func (a *app) addHelpTopics(root *cobra.Command) {
	topics := []struct{ name, short, long string }{
		{"format", "The ward.yaml model format", formatHelp},
		{"controls", "The controls Ward asks about (yes / no / unknown)", controlsHelp()},
		{"risk", "How likelihood, impact and severity are computed", riskHelp},
		{"exit-codes", "What ward's exit statuses mean", exitHelp},
		{"inference", "What Ward reads from names and flows when a sparse model leaves facts out", inferenceHelp},
	}
	for _, t := range topics {
		root.AddCommand(&cobra.Command{Use: t.name, Short: t.short, Long: t.long, Hidden: false,
			Run: func(c *cobra.Command, _ []string) { _ = c.Help() }, Annotations: map[string]string{"topic": "true"}})
	}
	root.SetHelpCommandGroupID("")
}

const formatHelp = `A model is a YAML file, usually ward.yaml beside the design doc and the code.
Sections (all optional but ward and system):

  ward: 1               format version
  include: [...]        more files to merge (inside the model's directory)
  rules: [...]          custom rule files (CEL), see docs/rules.md
  system:               id, name, description, team, contacts
  scope:                in / out: what is covered and what is not, and why
  context:              triage answers: paved_path, internet_facing,
                        sensitive_data, new_third_parties, auth_changes,
                        criticality
  assets:               what is worth protecting (kind, classification, data,
                        confidentiality / integrity / availability needs)
  boundaries:           trust boundaries (internet, partner, internal,
                        restricted), nestable
  components:           person, client, service, function, datastore, storage,
                        queue, external, device, llm, agent; boundary, stores,
                        processes, controls (yes / no / unknown)
  flows:                from, to, protocol, port, authentication, encryption,
                        carries
  threats:              the team's own threats: stride, targets, likelihood,
                        impact, status, found_by, mitigations
  decisions:            on generated findings, by finding id: mitigated,
                        accepted (owner, reason, expires), false_positive,
                        transferred; covers (the hops of a merged threat
                        it was taken on; a hop added later is not covered);
                        'ward decide' writes one, covers included
  mitigations:          status (proposed, planned, implemented, verified,
                        wont_do), owner, ticket, due
  assumptions:          text, status (unvalidated, validated, invalidated),
                        evidence, supports

Every key is documented in docs/format.md; 'ward schema' prints the JSON
Schema for editor completion. Unknown keys, dangling references and duplicate
ids are reported with file:line:col and what to do.

Each file of a model is at most 1 GiB, and its files together at most four
times the limit; --max-input SIZE or WARD_MAX_INPUT sets another (such as
2GiB) for the commands that read models or files to import (the others refuse
the flag). The server keeps 64 MiB a file: split a larger model with include.`

const inferenceHelp = `A sparse model leaves facts out. Rather than read what is unstated as
"nothing to protect", the loader reads a few facts from the elements' words,
and only facts that raise concern, never a control that lowers it:

  asset data      an asset that states none of classification, data,
                  confidentiality, integrity, availability and value has its
                  data kinds read from its id, name and description
                  (patient -> phi, customer -> pii, card -> payment_card,
                  password / token -> credentials, key / secret -> secrets,
                  payment / invoice -> financial)
  asset kind      an asset with no kind is a credential or money when its
                  words say so (password, token, key; payment, balance, ...);
                  not a credential when only its description names one,
                  among two or more other kinds of data (a backup of
                  "customers, card tokens, ledgers, credentials tables")
  classification  a data asset that states none of those facts and whose
                  words name no data kind is taken as confidential, so that
                  the rules that protect data still check it ("Client
                  documents", "Site telemetry"), unless its words call it public ("public",
                  "published") and none calls it private ("internal",
                  "private", "confidential", "unpublished", ...); the
                  rules treat it as sensitive, but its confidentiality need
                  stays medium, below a stated confidential asset's high
  component kind  a component of kind service (the generic kind) takes the
                  kind its head noun names: the last word of its name, or of
                  its id ("Orders database" -> datastore, "Mobile app" ->
                  client, "Nightly job" -> function); words that name a
                  service (API, gateway, worker, portal, ...) keep it one
  admin flag      a process or client of the team whose name says console,
                  admin or back office, used only by the organisation's own
                  people (every flow into it from a person inside the
                  network, or in no boundary), when it or its users are
                  named for the staff who run the system (support, ops,
                  admin, staff, operator): a case worker's console is not
  paid flag       a third party's SMS provider (or verify API) that a
                  sign-in or identity service calls: one-time codes, billed
                  per message; and, in a model that states paid and
                  third_party on no component, a called external whose name
                  says it is an API billed per use (SMS, telephony, voice,
                  maps, geocoding, translation, OCR, speech, credit bureau,
                  screening, enrichment, moderation, weather; not email)
  held assets     in a model that states processes on no component (its
                  writer records where data goes on the flows only), a
                  datastore or object storage that states no stores stores
                  what its flows carry and return, and a service, function,
                  LLM or agent that states neither stores nor processes
                  processes what its flows carry and return ("a restore-test
                  database written with backups holds backups"); a device
                  or an installed app of ours (a client whose tech or name
                  says mobile, native or desktop, or an app that is not a
                  web app) that states no stores stores what its flows bring
                  to it (carried to it, returned to it), leaving out data
                  that must not be stored; queues are left alone. A model
                  that states processes anywhere is read as stated
  carried assets  in such a model too, a flow that states neither carries
                  nor returns into a datastore or object storage carries
                  what the store stores, stated or read from its other
                  flows ("the API's sql link to the orders database carries
                  the orders"); read before the held assets too, so that
                  the store's callers process what they exchange with it.
                  Flows out of a store (an event as often as a read), into
                  a queue, between processes or into a third party's store
                  are left alone

An infrastructure asset's unstated integrity need is taken as at least high,
as for money and credentials. Stated facts always win.

What an asset needs is asked, not guessed away: where a threat stands only on
the needs of assets whose sensitivity the model does not state (the rules
that protect sensitive data, when every asset at stake is sensitive only by
the confidential default above, on a store, a device or a flow; a store
several components write in a model that states no asset's sensitivity,
whatever its words say), the threat is settled
too by the question "What does asset X need: confidentiality, integrity,
availability, or what is its classification?" (id X.needs, key needs), one
per asset whatever the threats that ask it, ranked with the other questions
by the risk its answer moves. Answer it with the asset's confidentiality,
integrity and availability (low .. critical) or its classification.

What a flow carries is asked too where a threat stands on Ward's reading of
it: an unverified threat on a flow whose every asset at stake the flow
carries only by the carried-assets inference above is settled too by "What
does flow F (a → b) carry? It states nothing; Ward read it as carrying what
b stores." (id F.carries, key carries), one per flow. Answer it by stating
the flow's carries (a list of asset ids): a flow that carries none of the
assets at stake drops the threat.

Ward shows what it guessed: "ward check" prints a line under the summary
counting the inferred facts; the Markdown and HTML reports mark them
"(inferred)" (the HTML report on each element's row, the Markdown report in
a table after the assets), and so do the pen-test brief (where a critical
asset lives), "ward blast" (an asset held by a guess) and the web UI (the
selected element's card; the visual editor shows what the model states, a
guess marked beside it and never written back unless ticked); the diagrams
(Mermaid, DOT, SVG and the web UI's) label an inferred component kind as in
"datastore (inferred)" (and, in the view of one asset, a component that
holds it by a guess "stores NAME (inferred)"); a threat whose title names
an asset its component holds only by a guess, and a question asked only for
such threats, end "(inferred: what X holds is read from its flows)", and
a threat on a flow that names an asset the flow carries only by a guess
"(inferred: what F carries is read from what S stores)" (the Markdown report
lists such flows in a table of their own, the HTML report on the flow's row,
the diagrams after the assets on the flow's label); and
the JSON result lists them in each asset's and
component's "inferred" ("kind", "data", "classification", "admin", "paid",
"stores", "processes"), each flow's "inferred" ("carries") and in
summary.inferred. "ward diff" marks an
inferred kind, data, classification, admin or paid flag, stores / processes or a
flow's carries
"(inferred)" when it changes (a rename can change a guess), and so the
sensitivity of data newly exposed, and shows no change when the
model comes to state what was guessed. Exports to other tools (ward export)
write only what the model states. To be sure, state the facts in the model:
the asset's kind and data (or classification / needs; "classification:
public" or "internal" for data that is not confidential), and the component's
kind and what it stores and processes; "admin: false" or "paid: false" keeps a
flag off.
`

const riskHelp = `Likelihood (1 rare, 2 unlikely, 3 possible, 4 likely, 5 almost certain) starts
from exposure: the least trusted boundary that reaches the element (internet 4,
partner 3, internal 2, restricted 1), plus 1 when a way in from a less trusted
place is unauthenticated, plus the rule's exploitability (-2..+2; an attack
that needs a foothold loses no step where only internal networks reach the
element, whose exposure already assumes one). Rules whose attack is content the element takes in (injection, prompts) start from
the least trusted place that content can come from, up to three flows away;
supply-chain rules (dependencies, build artefacts) start at possible (3),
whatever the exposure ('ward rules explain ID' says which).

Impact (1 negligible .. 5 severe) is the highest need, among the assets at
stake, for the property the threat is against (confidentiality for
information disclosure, availability for denial of service, integrity
otherwise): low 2, medium 3, high 4, critical 5. Needs default from the
asset's classification.

Score = likelihood × impact (1..25). Severity: critical >= 20, high >= 12,
medium >= 6, low >= 3, info otherwise.

Inherent risk ignores mitigations. Residual risk counts implemented or
verified mitigations (each lowers likelihood by 2, or impact by 1 with
reduces: impact). Projected risk also counts planned ones.

A threat whose control is stated absent is open; one whose control is unknown
is unverified (not known to be mitigated): its residual likelihood is lowered
by the uncertainty factor (1 step, not below unlikely; policy: {uncertainty:
N}), so a stated gap outranks an equal unknown one. Open and unverified
threats are ranked together by residual score (within a severity band, also
by how much of the design's data they reach); --fail-on compares residual
severity of open threats (add --fail-on-unverified to count unverified ones).
Full details: docs/risk.md.`

const exitHelp = `0  ok: the model is valid and no open finding reaches --fail-on
1  ward failed (I/O error, internal error)
2  usage error, or the model is invalid (problems printed as file:line:col)
3  open findings at or above --fail-on (default high for check; none for report)

The exit status never depends on --format.`

func controlsHelp() string {
	var b strings.Builder
	b.WriteString(`Controls are facts about components (and a few about flows), each yes, no or
unknown. Unknown is the default and is never read as "no": when a rule needs a
control you have not stated, ward lists the threat as unverified (not known
to be mitigated) with the question that settles it. Answer it under the
element's controls:

  components:
    - id: api
      controls:
        authenticates: yes
        rate_limits: no

`)
	for _, c := range model.AllControls() {
		info := c.Info()
		on := "component"
		if info.Flow {
			on = "flow"
		}
		fmt.Fprintf(&b, "  %-22s (%s) %s\n", info.Key, on, info.Doc)
	}
	b.WriteString(`
Flows also answer questions through their own keys: authentication (none,
password, session, token, api_key, mtls, signature, iam, ssh_key) and encryption
(none, tls, mtls). Components say how stored data is encrypted with
encryption_at_rest (none, disk, application, tokenized). Assets whose
sensitivity the model does not state answer the question of what they need
(key needs) with confidentiality, integrity and availability (low, medium,
high, critical) or a classification (ward help inference); a flow that states
nothing it carries, read as carrying what its store holds, answers the
question of what it carries (key carries) with its carries list.`)
	return b.String()
}
