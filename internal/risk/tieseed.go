// The order of ties, perturbed for measurement only (build tag tieseed).

package risk

import (
	"hash/fnv"
	"slices"

	"github.com/wardtm/ward/internal/model"
)

// tieSeed, when not zero, orders findings whose rank keys are equal by a
// hash of the seed and their id rather than by id (NewRanking). It is
// zero in every normal build; a binary built with the tag tieseed sets
// it from WARD_TIE_SEED (tieseed_on.go), so that evaluating with several
// seeds shows how far the order of ties alone moves the scores.
var tieSeed uint64

// shuffleTies reorders fs by a hash of tieSeed and each finding's id (and
// position), deterministically for one seed.
func shuffleTies(fs []*model.Finding) {
	h := make(map[*model.Finding]uint64, len(fs))
	for _, f := range fs {
		x := fnv.New64a()
		var b [8]byte
		for i := range b {
			b[i] = byte(tieSeed >> (8 * i))
		}
		x.Write(b[:])
		x.Write([]byte(f.ID))
		x.Write([]byte(f.Pos.String()))
		h[f] = x.Sum64()
	}
	slices.SortStableFunc(fs, func(a, b *model.Finding) int {
		switch {
		case h[a] < h[b]:
			return -1
		case h[a] > h[b]:
			return 1
		}
		return 0
	})
}
