package risk

import "github.com/wardtm/ward/internal/model"

// This file is the impact side of a sparse model (ranksparse27): a model
// that states nothing of any asset's sensitivity, whose assets' data kinds
// Ward read from their words (model.InferAsset). docs/risk.md, "The
// integrity a sparse model's words imply", explains it with a worked
// example.

// needsGuessed reports whether the model states nothing of any asset's
// sensitivity: no classification, data kind, need or value on any asset,
// words aside (the rules' needsUnstated). A model that names no assets, or
// states one asset's sensitivity, is read as stated. Read once per run.
func needsGuessed(m *model.Model) bool {
	if len(m.Assets) == 0 {
		return false
	}
	for _, a := range m.Assets {
		if !a.Stated().Unstated() {
			return false
		}
	}
	return true
}

// guessedIntegrityWhy is what the impact's reason adds where guessedNeed
// raised the need.
const guessedIntegrityWhy = " (guessed: the model states no asset's sensitivity; data other than personal details alone is read as high integrity, never critical)"

// guessedNeed is asset a's need for prop in a model that states no asset's
// sensitivity (needsGuessed), need being what a.Need gives: the integrity
// of data whose sensitivity Ward read from its words is high, not the
// unstated default (medium), unless the words name personal details alone
// (guessedIntegrity). Never critical: a guess does not reach what only a
// model can state.
func guessedNeed(a *model.Asset, prop model.Property, need model.Level) model.Level {
	if prop != model.Integrity || need >= model.High || !guessedIntegrity(a) {
		return need
	}
	return model.High
}

// guessedIntegrity reports whether a is data whose sensitivity Ward read
// from its words (model.InferredData or model.InferredClass), stating no
// integrity need or value, whose words name a kind of data other than
// personal details, or none. Where models state these needs, two data
// assets in three need high integrity or more (the seen sets' words-only
// copies against their rich models: data whose words name health or
// financial data 81 and 87 %, no kind 72 %), against two in five whose
// words name personal details alone (38 % on half A, 44 % on half B).
// Money and credentials already need high integrity (model.Asset.Need).
func guessedIntegrity(a *model.Asset) bool {
	if a.Integrity != model.LevelUnset || a.Value != model.LevelUnset || a.Kind != "" && a.Kind != model.AssetData {
		return false
	}
	if a.Inferred&(model.InferredData|model.InferredClass) == 0 {
		return false
	}
	return len(a.Data) != 1 || a.Data[0] != model.DataPII
}

// sparseFlowWeight is what the ranking takes off a threat of the high or
// critical band whose first element is a flow of a sparse model
// (model.FocusSparseFlow), in 128ths of a point: two points, so that
// within the band it follows the components' threats of its score and
// of the score two points below (a 16 on a flow after a 14 on a
// component: docs/risk.md, "A sparse model's flows").
const sparseFlowWeight = 256

// sparseFlow returns model.FocusSparseFlow for a generated threat that
// names a flow first, in a model that states no asset's sensitivity
// (needsGuessed; the caller checks). Such a model states few of its
// flows' facts (what they carry, their protocol and authentication), so
// a flow's threat is read from its two ends' exposure and data — what
// the threats on those components already weigh — and on the seen sparse
// models and perturbed copies a high or critical flow threat in the top
// 10 matched a reviewer's high line half as often as a component's
// (docs/quality-history.md, ranksparse27b). The team's own threats name
// their elements as a set, in no order, and are not counted.
func sparseFlow(f *model.Finding) model.Focus {
	if f.Origin == model.OriginPeople || len(f.Targets) == 0 || !isFlow(f.Targets[0]) {
		return 0
	}
	return model.FocusSparseFlow
}
