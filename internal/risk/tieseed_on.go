//go:build tieseed

package risk

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// A measurement build: WARD_TIE_SEED (a number) shuffles ties (tieSeed);
// WARD_ABLATE (names, comma-separated) switches ingredients off (ab).
func init() {
	tieSeed, _ = strconv.ParseUint(os.Getenv("WARD_TIE_SEED"), 10, 64)
	names := ablateNames()
	for _, n := range strings.Split(os.Getenv("WARD_ABLATE"), ",") {
		if n == "" {
			continue
		}
		p, ok := names[n]
		if !ok {
			fmt.Fprintln(os.Stderr, "WARD_ABLATE: unknown", n)
			os.Exit(2)
		}
		*p = true
	}
}
