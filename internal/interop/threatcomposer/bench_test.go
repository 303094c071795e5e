package threatcomposer

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/interop"
)

// generatedWorkspace is a Threat Composer workspace of n threats as Ward's
// export writes them for a large estate: four metadata entries each, and
// impacted assets from a pool of n/10 names, most threats naming a few and
// one in eight about a hundred (an estate's shared data stores), repeats
// included. Deterministic for n.
func generatedWorkspace(n int) []byte {
	r := rand.New(rand.NewPCG(13, uint64(n)))
	pool := max(n/10, 4)
	w := workspace{Schema: 1, ApplicationInfo: &appInfo{Name: "Generated estate " + strconv.Itoa(n), Description: "An estate."}}
	for i := range n {
		k := 1 + r.IntN(4)
		if i%8 == 0 {
			k = 100 + r.IntN(90)
		}
		var assets []string
		for range k {
			assets = append(assets, "Asset "+strconv.Itoa(r.IntN(pool)))
		}
		src, act := "external threat actor", fmt.Sprintf("make this happen: threat %d against the estate", i)
		imp := "unauthorised changes to " + strings.Join(assets[:min(len(assets), 4)], ", ")
		w.Threats = append(w.Threats, threat{
			ID: fmt.Sprintf("t-%08d", i), NumericID: i + 1, DisplayOrder: i + 1,
			Metadata: []metadata{{Key: "Priority", Value: []string{"High", "Medium", "Low"}[i%3]}, {Key: "STRIDE", Value: []any{"T"}},
				{Key: "Comments", Value: fmt.Sprintf("Ward finding `t-%d` (people), status open, residual risk critical.", i)},
				{Key: "custom:wardId", Value: "t-" + strconv.Itoa(i)}},
			ThreatSource: src, Prerequisites: fmt.Sprintf("who can send, read or alter traffic on the external-%d → function-%d flow", i, i+1),
			ThreatAction: act, ThreatImpact: imp, ImpactedGoal: []string{"integrity"}, ImpactedAssets: assets,
			Statement: "An " + src + " " + act + ", which leads to " + imp, Status: threatIdentified,
		})
	}
	data, err := json.Marshal(w)
	if err != nil {
		panic(err)
	}
	return data
}

// BenchmarkImport measures `ward import` of a generated Threat Composer
// workspace: reading it, converting it and writing ward.yaml (in parts, as
// the command does). MB/s is the rate of the input read.
func BenchmarkImport(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run("threats="+strconv.Itoa(n), func(b *testing.B) {
			data := generatedWorkspace(n)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				res, err := Import("ws.tc.json", data)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := interop.EncodeYAMLParts(res.Doc, res.Notes, "Threat Composer file ws.tc.json"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestGeneratedWorkspaceImports checks that the benchmark's workspace
// imports with every threat and its assets named once.
func TestGeneratedWorkspaceImports(t *testing.T) {
	res, err := Import("ws.tc.json", generatedWorkspace(80))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Doc.Threats) != 80 || len(res.Doc.Assets) != 8 {
		t.Fatalf("%d threats, %d assets; want 80 and 8", len(res.Doc.Threats), len(res.Doc.Assets))
	}
	for _, th := range res.Doc.Threats {
		seen := map[string]bool{}
		for _, a := range th.Assets {
			if seen[a] {
				t.Fatalf("threat %s lists asset %s twice", th.ID, a)
			}
			seen[a] = true
		}
	}
}
