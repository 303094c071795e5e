// Command ward-synth writes a large synthetic threat model to standard output,
// for benchmarks and scale tests. It is a development tool, not part of Ward.
//
//	go run ./cmd/ward-synth -n 10000 > big.yaml
//	go run ./cmd/ward-synth -n 100000 -split DIR   # DIR/ward.yaml and DIR/parts/*.yaml
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wardtm/ward/internal/synth"
)

func main() {
	fs := flag.NewFlagSet("ward-synth", flag.ExitOnError)
	n := fs.Int("n", 1000, "number of components (flows are 5n, boundaries n/10, assets n/5)")
	flows := fs.Int("flows-per", 5, "flows per component")
	seed := fs.Uint64("seed", synth.DefaultSeed, "random seed; the same seed gives the same model")
	split := fs.String("split", "", "write `DIR`/ward.yaml including DIR/parts/*.yaml (parts of at most 32 MB) instead of one file to standard output, for models larger than a model file may be")
	_ = fs.Parse(os.Args[1:])
	if *n < 2 || *flows < 1 {
		fmt.Fprintln(os.Stderr, "ward-synth: -n must be at least 2 and -flows-per at least 1")
		os.Exit(2)
	}
	data := synth.GenerateWith(synth.Options{Components: *n, FlowsPer: *flows, Seed: *seed})
	if *split != "" {
		main, parts := synth.Split(data, 32<<20)
		err := os.MkdirAll(filepath.Join(*split, "parts"), 0o755)
		if err == nil {
			err = os.WriteFile(filepath.Join(*split, "ward.yaml"), main, 0o644)
		}
		for name, b := range parts {
			if err == nil {
				err = os.WriteFile(filepath.Join(*split, name), b, 0o644)
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "ward-synth:", err)
			os.Exit(1)
		}
		return
	}
	if _, err := os.Stdout.Write(data); err != nil {
		fmt.Fprintln(os.Stderr, "ward-synth:", err)
		os.Exit(1)
	}
}
