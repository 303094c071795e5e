package threagile

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/interop"
)

// generated writes a Threagile model of n technical assets, as large
// estates are written: n/5 data assets, three communication links per
// asset, n/20 trust boundaries. Deterministic for n.
func generated(n int) []byte {
	r := rand.New(rand.NewPCG(7, uint64(n)))
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	cia := []string{"public", "internal", "restricted", "confidential", "strictly-confidential"}
	crit := []string{"archive", "operational", "important", "critical", "mission-critical"}
	types := []string{"external-entity", "process", "process", "datastore"}
	techs := map[string][]string{"external-entity": {"browser", "client-system"},
		"process": {"web-server", "web-service-rest", "application-server", "load-balancer"}, "datastore": {"database", "file-server"}}
	var b strings.Builder
	fmt.Fprintf(&b, "threagile_version: 1.0.0\ntitle: Generated estate %d\ndate: 2024-03-01\nauthor:\n  name: Gen\nbusiness_criticality: important\n", n)
	na := max(n/5, 1)
	b.WriteString("data_assets:\n")
	for i := range na {
		fmt.Fprintf(&b, "  Data %d:\n    id: data-%d\n    description: Data asset %d\n    usage: business\n    quantity: many\n"+
			"    confidentiality: %s\n    integrity: %s\n    availability: %s\n", i, i, i, pick(cia...), pick(crit...), pick(crit...))
	}
	b.WriteString("technical_assets:\n")
	for i := range n {
		t := types[i%4]
		fmt.Fprintf(&b, "  Asset %d:\n    id: asset-%d\n    description: Technical asset %d\n    type: %s\n    usage: business\n"+
			"    size: component\n    technology: %s\n    internet: %t\n    machine: virtual\n    encryption: none\n    owner: Team %d\n"+
			"    confidentiality: %s\n    integrity: %s\n    availability: %s\n    custom_developed_parts: true\n    data_assets_processed:\n",
			i, i, i, t, pick(techs[t]...), i%17 == 0, i%20, pick(cia...), pick(crit...), pick(crit...))
		for range 3 {
			fmt.Fprintf(&b, "      - data-%d\n", r.IntN(na))
		}
		if t == "datastore" {
			fmt.Fprintf(&b, "    data_assets_stored:\n      - data-%d\n", r.IntN(na))
		}
		b.WriteString("    communication_links:\n")
		for k := range 3 {
			tgt := r.IntN(n)
			if tgt == i {
				tgt = (i + 1) % n
			}
			fmt.Fprintf(&b, "      Link %d-%d:\n        target: asset-%d\n        description: Link %d of asset %d\n        protocol: %s\n"+
				"        authentication: %s\n        authorization: technical-user\n        usage: business\n"+
				"        data_assets_sent:\n          - data-%d\n        data_assets_received:\n          - data-%d\n",
				i, k, tgt, k, i, pick("https", "http", "jdbc-encrypted", "jdbc", "ssh", "mqtt"),
				pick("none", "session-id", "token", "credentials", "client-certificate"), r.IntN(na), r.IntN(na))
		}
	}
	b.WriteString("trust_boundaries:\n")
	nb := max(n/20, 1)
	for j := range nb {
		fmt.Fprintf(&b, "  Boundary %d:\n    id: boundary-%d\n    type: network-cloud-security-group\n    technical_assets_inside:\n", j, j)
		for i := j; i < n; i += nb {
			fmt.Fprintf(&b, "      - asset-%d\n", i)
		}
	}
	return []byte(b.String())
}

// BenchmarkImport measures `ward import` of a generated Threagile model:
// reading it, converting it and writing (and re-checking) ward.yaml.
// MB/s is the rate of ward.yaml written.
func BenchmarkImport(b *testing.B) {
	for _, n := range []int{200, 2000} {
		b.Run("assets="+strconv.Itoa(n), func(b *testing.B) {
			data := generated(n)
			var out []byte
			b.ReportAllocs()
			for b.Loop() {
				res, err := Import("threagile.yaml", data)
				if err != nil {
					b.Fatal(err)
				}
				if out, err = interop.Encode(res.Doc, res.Notes, "Threagile file threagile.yaml"); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(len(out)))
		})
	}
}

// TestGeneratedImports checks that the benchmark's model imports.
func TestGeneratedImports(t *testing.T) {
	res, err := Import("threagile.yaml", generated(40))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := interop.Encode(res.Doc, res.Notes, "test"); err != nil {
		t.Fatal(err)
	}
	if len(res.Doc.Components) < 40 {
		t.Errorf("%d components, want at least 40", len(res.Doc.Components))
	}
}
