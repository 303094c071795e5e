//go:build tieseed

package risk

import (
	"os"
	"strconv"
)

// A measurement build: WARD_TIE_SEED (a number) shuffles ties (tieSeed).
func init() {
	tieSeed, _ = strconv.ParseUint(os.Getenv("WARD_TIE_SEED"), 10, 64)
}
