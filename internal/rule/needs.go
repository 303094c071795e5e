package rule

import "github.com/wardtm/ward/internal/model"

// NeedsKey is the key of the question about an asset's unstated needs:
// answered by the asset's confidentiality, integrity and availability, or
// its classification.
const NeedsKey = "needs"

// AskNeeds records, for each of as whose sensitivity the model does not
// state (NeedUnstated), the question of what it needs, as Lacks records an
// unknown control: the next Report's unverified threats are settled by the
// answers too. For threats raised because of what an asset may need, not
// because the model says it needs it. One question per asset, whatever
// the threats and rules that ask it.
func (x *Ctx) AskNeeds(as ...*model.Asset) {
	for _, a := range as {
		if NeedUnstated(a) {
			x.pending = append(x.pending, pending{key: NeedsKey, target: model.Target{Asset: a}, code: codeNeeds})
		}
	}
}

// NeedUnstated reports whether nothing in the model states how sensitive
// asset a is (no classification, data kind, need or value): what Ward reads
// of it came from its words (InferAsset), or is the unstated default.
func NeedUnstated(a *model.Asset) bool {
	return a.Inferred&(model.InferredData|model.InferredClass) != 0 || a.Unstated()
}

// guessedSensitive reports whether as is not empty and every asset in it
// is sensitive only by default: the model states nothing of its
// sensitivity and its words name no kind of data, so Ward took it as
// confidential (model.InferredClass). An asset whose data kinds were read
// from its words ("patient records": health data) is sensitive by what it
// holds; asking what it needs would ask the obvious.
func guessedSensitive(as []*model.Asset) bool {
	for _, a := range as {
		if a.Inferred&model.InferredClass == 0 {
			return false
		}
	}
	return len(as) > 0
}
