package rule

import (
	"slices"

	"github.com/wardtm/ward/internal/model"
)

// CarriesKey is the key of the question about what a flow carries, when
// the flow states nothing and Ward read it as carrying what the store it
// reaches holds (model.InferCarried): answered by the flow's carries list.
const CarriesKey = "carries"

// askCarried records, when the threat on flow f stands on what Ward read f
// to carry (every asset at stake is one f carries by inference), the
// question of what f carries, as Lacks records an unknown control: the
// threat is settled by the answer too (a flow that carries none of them
// has nothing at stake). One question per flow, whatever the threats and
// rules that ask it.
func (x *Ctx) askCarried(f *model.Flow, assets []*model.Asset) {
	if f == nil || f.Inferred&model.InferredCarries == 0 || len(assets) == 0 {
		return
	}
	for _, a := range assets {
		if !slices.Contains(f.Carries, a) {
			return
		}
	}
	x.pending = append(x.pending, pending{key: CarriesKey, target: model.Target{Flow: f}, code: codeCarries})
}

// appendCarriesText appends the wording of the question of what flow f
// carries.
func appendCarriesText(b []byte, f *model.Flow) []byte {
	return appendAll(b, "What does flow `", f.ID, "` (", f.From.ID, " → ", f.To.ID, ") carry? It states nothing; Ward read it as carrying what `", f.To.ID, "` stores.")
}
