package rules

import (
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// What the handoff rules (handoffs.go) ask of a model: which flows hand data
// to whom, which stores are fed from outside, which content a component runs.

// handoffAPIProtocols are request/response API protocols: a call to a
// payment API over them is not a file or batch handed over.
var handoffAPIProtocols = map[string]bool{"http": true, "https": true, "grpc": true, "rest": true, "graphql": true}

// handoffMessagingWords name an e-mail, SMS or push vendor.
var handoffMessagingWords = []string{"email", "e-mail", "mail", "smtp", "sms", "push", "notify", "notification", "notifications", "sendgrid", "mailgun", "twilio"}

// notifyWords name a service that delivers messages to people or channels:
// the messaging vendors, paging and chat.
var notifyWords = append([]string{"pager", "paging", "pagerduty", "opsgenie", "chat", "slack", "teams"}, handoffMessagingWords...)

// notifyContent returns the sensitive assets among as that a message can
// reveal, leaving sign-in material to sign-in-secrets-through-third-party.
func notifyContent(as []*model.Asset) []*model.Asset {
	var out []*model.Asset
	for _, a := range sensitive(as) {
		if a.Kind == model.AssetCredential && a.HasData(model.DataCredentials) && !a.HasData(model.DataSecrets) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// handoffKeyWords name a key service.
var handoffKeyWords = []string{"kms", "hsm", "hsms", "cloudhsm", "keyvault", "vault"}

// handoffUntrustedWriter reports whether c puts content from the internet
// or a partner into the system: an outside actor there, or a process that
// takes flows from one.
func handoffUntrustedWriter(c *model.Component) bool {
	if c.IsActor() {
		// Devices fetch firmware and configuration far more often than
		// they deposit files.
		return c.Kind != model.KindDevice && c.Trust() <= model.TrustPartner
	}
	if !c.IsProcess() {
		return false
	}
	for _, f := range c.In {
		if t := f.From.Trust(); t <= model.TrustPartner && t < c.Trust() && len(f.Carries) > 0 {
			return true
		}
	}
	return false
}

type fedStoresKey struct{}

// handoffFedStores returns the object stores whose content comes, directly
// or through up to three workers that copy it on, from a less trusted
// source. It is computed once per run.
func handoffFedStores(x *rule.Ctx) map[*model.Component]bool {
	return x.Memo(fedStoresKey{}, func() any { return findFedStores(x.Model) }).(map[*model.Component]bool)
}

func findFedStores(m *model.Model) map[*model.Component]bool {
	fed := map[*model.Component]bool{}
	tainted := map[*model.Component]bool{}
	for _, c := range m.Components {
		if handoffUntrustedWriter(c) {
			tainted[c] = true
		}
	}
	for range 4 {
		grew := false
		for _, c := range m.Components {
			if c.Kind != model.KindStorage || fed[c] {
				continue
			}
			for _, f := range c.In {
				if tainted[f.From] && len(f.Carries) > 0 {
					fed[c], grew = true, true
					break
				}
			}
		}
		// A worker that reads a fed store and writes another passes the
		// content on.
		for _, s := range m.Components {
			if !fed[s] {
				continue
			}
			for _, f := range s.In {
				if w := f.From; w.IsProcess() && !f.OneWay && !tainted[w] {
					tainted[w], grew = true, true
				}
			}
			for _, f := range s.Out {
				if w := f.To; w.IsProcess() && !tainted[w] {
					tainted[w], grew = true, true
				}
			}
		}
		if !grew {
			break
		}
	}
	return fed
}

// handoffArtefacts reports whether c loads serialized artefacts (pickles,
// plugins) from store s that some other component writes.
func handoffArtefacts(c, s *model.Component) bool {
	var as []*model.Asset
	for _, a := range s.Stores {
		if handoffSerialized(a) {
			as = append(as, a)
		}
	}
	if len(as) == 0 {
		return false
	}
	for _, f := range s.In {
		if f.From != c {
			for _, a := range f.Carries {
				if handoffSerialized(a) {
					return true
				}
			}
		}
	}
	return false
}

// handoffSerialized reports whether asset a is described as native
// serialized code: loading it runs it.
func handoffSerialized(a *model.Asset) bool {
	return hasWord(a.ID, handoffSerialWords) || hasWord(a.Name, handoffSerialWords) || hasWord(a.Description, handoffSerialWords)
}

var handoffSerialWords = []string{"pickle", "pickled", "pickles", "joblib", "plugin", "plugins"}

// handoffStaff returns the people of the organisation who use c directly:
// people inside its network, or anyone using an administrative console.
func handoffStaff(c *model.Component) []*model.Component {
	var out []*model.Component
	for _, f := range c.In {
		if p := f.From; p.Kind == model.KindPerson && !p.ThirdParty && (p.Trust() >= model.TrustInternal || c.Admin) {
			out = append(out, p)
		}
	}
	return distinct(out)
}

// handoffConsequential returns what staff change through c that moves
// money or that others rely on: money, and data whose integrity need is
// high or more (decisions, balances, results), that c writes on.
func handoffConsequential(c *model.Component) []*model.Asset {
	var out []*model.Asset
	for _, f := range c.Out {
		if f.To.IsActor() && !f.To.OutOfScope && f.To.Kind != model.KindExternal {
			continue
		}
		for _, a := range f.Carries {
			consequential := a.Kind == model.AssetMoney || a.Kind == model.AssetData && a.Need(model.Integrity) >= model.High
			if consequential && !containsAsset(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

// handoffPersonal returns the assets among as holding many people's
// personal data: personal, health or financial data classified restricted
// or needing high confidentiality.
func handoffPersonal(as []*model.Asset) []*model.Asset {
	var out []*model.Asset
	for _, a := range withData(as, model.DataPII, model.DataPHI, model.DataFinancial) {
		if a.Kind != model.AssetCredential && a.Need(model.Confidentiality) >= model.High {
			out = append(out, a)
		}
	}
	return out
}

// handoffWebhookFlow reports whether f is a webhook the system sends: from
// a process of ours to a less trusted receiver, named a webhook or
// callback on the flow, or sent one way by a component so named.
func handoffWebhookFlow(f *model.Flow) bool {
	if !f.From.IsProcess() || f.From.OutOfScope || f.From.ThirdParty || f.To.Trust() > model.TrustPartner || f.To.Kind == model.KindPerson {
		return false
	}
	if hasWord(f.ID, handoffWebhookWords) || hasWord(f.Name, handoffWebhookWords) || f.OneWay && reviewerWords(f.From, handoffWebhookWords...) {
		return true
	}
	for _, t := range f.Tags {
		if hasWord(t, handoffWebhookWords) {
			return true
		}
	}
	return false
}

var handoffWebhookWords = []string{"webhook", "webhooks", "callback", "callbacks"}

// handoffWebhookTargets returns the less trusted receivers c sends webhooks
// to: their URLs are chosen by whoever registers them.
func handoffWebhookTargets(c *model.Component) []*model.Component {
	var out []*model.Component
	for _, f := range c.Out {
		if handoffWebhookFlow(f) {
			out = append(out, f.To)
		}
	}
	return distinct(out)
}

// handoffServiceToken reports whether f is an internal service-to-service
// call authenticated by a bearer token or API key to a receiver holding
// restricted data or money: a token copied from the caller's host, config
// or logs is replayed from anywhere inside.
func handoffServiceToken(f *model.Flow) bool {
	if !f.From.IsProcess() || f.From.Trust() < model.TrustInternal || f.To.Trust() < model.TrustInternal ||
		f.Authentication != model.AuthToken && f.Authentication != model.AuthAPIKey {
		return false
	}
	return len(reviewerRestricted(f.To.Assets())) > 0
}

// handoffServesOtherSystems returns, for a business-critical system (its
// context says criticality high or critical), what process c answers to
// processes of other systems (callers outside the model's scope): they
// stop when c stops, so c needs the availability the system is rated for.
func handoffServesOtherSystems(m *model.Model, c *model.Component) []*model.Asset {
	if m.Context.Criticality < model.High {
		return nil
	}
	var out []*model.Asset
	for _, f := range c.In {
		if !f.From.OutOfScope || !f.From.IsProcess() || f.OneWay {
			continue
		}
		as := f.Returns
		if len(as) == 0 {
			as = c.Assets()
		}
		for _, a := range as {
			if !containsAsset(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

// handoffProcessorFlow reports whether f hands data to an outside
// processor: a vendor's system a process of ours calls, a vendor's hosted
// LLM a process of ours prompts, or a vendor's service a client of ours
// reports to (an analytics, crash or advertising SDK in our app sends from
// the user's device, not through our servers).
func handoffProcessorFlow(f *model.Flow) bool {
	if handoffToVendor(f) {
		return true
	}
	if !f.To.ThirdParty || f.From.ThirdParty || f.From.OutOfScope {
		return false
	}
	switch {
	case f.From.IsProcess() && f.To.Kind == model.KindLLM:
		return true
	case f.From.Kind == model.KindClient && f.To.Kind == model.KindExternal:
		return true
	}
	return false
}

// handoffToVendor reports whether f hands data from our own in-scope code to
// an outside system another organisation runs.
func handoffToVendor(f *model.Flow) bool {
	return f.From.IsProcess() && !f.From.ThirdParty && !f.From.OutOfScope && f.To.Kind == model.KindExternal && f.To.ThirdParty
}

// handoffPayment reports whether f hands a payment to the provider that
// executes it: it carries money or payment card data, and no health data
// (an insurance claim carries diagnoses and treatments, which no payment
// needs executed: its receiver handles health records).
func handoffPayment(f *model.Flow) bool {
	if len(withData(f.Carries, model.DataPHI)) > 0 {
		return false
	}
	return len(ofKind(f.Carries, model.AssetMoney)) > 0 || len(withData(f.Carries, model.DataPaymentCard)) > 0
}

// handoffDeliversToPeople reports whether third party p is drawn passing
// any of the assets at on to a person or a client.
func handoffDeliversToPeople(p *model.Component, at []*model.Asset) bool {
	for _, f := range p.Out {
		if f.To.Kind != model.KindPerson && f.To.Kind != model.KindClient {
			continue
		}
		for _, a := range f.Carries {
			if containsAsset(at, a) {
				return true
			}
		}
	}
	return false
}

// handoffContent names, for a threat's title, the kinds of content others
// write that a component states it executes.
var handoffContent = map[string]string{
	"templates": "templates others edit",
	"builds":    "builds of repositories others write",
	"documents": "documents others supply",
	"web":       "web pages or ads others supply",
	"media":     "media others upload",
	"notebooks": "notebooks others write",
	"code":      "code others supply",
}

// handoffFetches reports whether the content kinds include pages or
// documents, whose renderer or converter fetches what they reference
// (server-side request forgery).
func handoffFetches(kinds []string) bool {
	return slices.Contains(kinds, "web") || slices.Contains(kinds, "documents")
}

// handoffExecutes joins the phrases for the kinds of content stated in
// executes, in the order given; empty when only none is stated.
func handoffExecutes(kinds []string) string {
	var out []string
	for _, k := range kinds {
		if p, ok := handoffContent[k]; ok {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// handoffReportExecutes raises untrusted-file-parsing for a component that
// runs, renders, builds or converts content others write (what), settled
// by a sandbox.
func handoffReportExecutes(x *rule.Ctx, c *model.Component, what string) {
	if gap := x.Lacks(c, model.CtlSandboxed); x.Reports(gap) {
		x.Report(gap, q(c.ID)+" runs, renders or builds "+what+"; a crafted one runs code in "+q(c.ID)+" with its access", nil)
	}
}

// staffPayment reports whether f is a person of ours (in an internal or
// restricted zone, not a third party's) sending to a system outside ours
// (an external or a third party's component in scope): a clerk at a
// bank's portal. What they send there is entered or uploaded by hand.
func staffPayment(f *model.Flow) bool {
	p := f.From
	return p.Kind == model.KindPerson && !p.ThirdParty && !p.OutOfScope && p.Trust() >= model.TrustInternal &&
		tpThirdParty(f.To) && !f.To.OutOfScope
}

// outsideWithoutSecondApproval is staff-action-without-second-approval on
// a system outside ours where staff release the organisation's payments
// (a bank's portal): one clerk sending money there alone is the threat,
// and the approval rules are the organisation's settings on its account
// there (dual_approval on the outside system).
func outsideWithoutSecondApproval(x *rule.Ctx, c *model.Component) {
	var staff []*model.Component
	var at []*model.Asset
	for _, f := range c.In {
		if !staffPayment(f) {
			continue
		}
		money := ofKind(f.Carries, model.AssetMoney)
		if len(money) == 0 {
			continue
		}
		staff = append(staff, f.From)
		for _, a := range money {
			if !containsAsset(at, a) {
				at = append(at, a)
			}
		}
	}
	if len(staff) == 0 || reviewerWords(c, handoffMessagingWords...) {
		return
	}
	if gap := x.Lacks(c, model.CtlDualApproval); x.Reports(gap) {
		x.Report(gap, "One "+ids(distinct(staff), compID)+" acting alone in "+q(c.ID)+" can release "+ids(at, assetID)+" with no second approval", at)
	}
}
