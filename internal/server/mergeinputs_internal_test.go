package server

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// shopServer is a server on a fresh SQLite store with team storefront,
// and the shop example's files.
func shopServer(t *testing.T) (*Server, *sqlstore.DB, map[string]string) {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := New(Config{}, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := st.CreateTeam(t.Context(), store.Team{ID: "storefront", Name: "Storefront"}, "test"); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	root := os.DirFS("../../examples/shop")
	names, _ := fs.Glob(root, "*.yaml")
	for _, n := range names {
		data, _ := fs.ReadFile(root, n)
		files[n] = string(data)
	}
	return s, st, files
}

// TestMergeInputsStale: a push's merge inputs read while it queued are
// used only if the system did not change since; a decision stored in
// between is merged into the push, not lost (using the stale inputs
// would merge against the version before the decision), and fresh inputs
// give the same version as reading them on the slot.
func TestMergeInputsStale(t *testing.T) {
	s, st, files := shopServer(t)
	pr := &Principal{UserID: "u1", Role: store.RoleAdmin}
	const id = "larkspur-shop"
	if _, err := s.storeVersionCached(t.Context(), pr, store.Push{SystemID: id, TeamID: "storefront", Message: "first"},
		Bundle{Main: "ward.yaml", Files: files}, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	fl, _, err := st.Findings(t.Context(), store.FindingQuery{SystemID: id, Status: "open", Page: store.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	finding := ""
	for _, f := range fl {
		if strings.Contains(f.ID, ":") {
			finding = f.ID
			break
		}
	}
	if finding == "" {
		t.Fatal("no generated finding to decide on")
	}
	push := func(n int, in *mergeInputs) pushResponse {
		t.Helper()
		ours := map[string]string{}
		for k, v := range files {
			ours[k] = v
		}
		ours["ward.yaml"] += "# push " + strings.Repeat("x", n) + "\n"
		req := pushRequest{Team: "storefront", Message: "push", Bundle: Bundle{Main: "ward.yaml", Files: ours}}
		if in != nil && !in.ok {
			s.fetch(t.Context(), id, req, in)
			if !in.ok {
				t.Fatal("fetch read nothing")
			}
		}
		res, err := s.pushMerged(t.Context(), pr, id, req, in)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	// Read while queued, then a decision before the slot.
	stale := &mergeInputs{}
	s.fetch(t.Context(), id, pushRequest{Team: "storefront", Bundle: Bundle{Main: "ward.yaml", Files: files}}, stale)
	if _, err := s.decide(t.Context(), pr, id, decisionRequest{Finding: finding, Status: "accepted", Reason: "edge control", Owner: "dana", Expires: "2030-01-01"}); err != nil {
		t.Fatal(err)
	}
	res := push(1, stale)
	v, err := st.GetVersion(t.Context(), id, res.Version)
	if err != nil {
		t.Fatal(err)
	}
	got := unarchive(v.YAML)
	if !strings.Contains(got.Files["ward.yaml"]+got.Files["threats.yaml"], "- finding: "+finding+"\n") || len(res.Merged) == 0 {
		t.Fatalf("the decision taken while the push queued was not merged (merged %v)", res.Merged)
	}

	// Fresh inputs and none at all store the same model.
	a := push(2, &mergeInputs{})
	b := push(3, nil)
	va, _ := st.GetVersion(t.Context(), id, a.Version)
	vb, _ := st.GetVersion(t.Context(), id, b.Version)
	fa, fb := unarchive(va.YAML).Files, unarchive(vb.YAML).Files
	fa["ward.yaml"], fb["ward.yaml"] = strings.Replace(fa["ward.yaml"], "# push xx\n", "", 1), strings.Replace(fb["ward.yaml"], "# push xxx\n", "", 1)
	if fa["ward.yaml"] != fb["ward.yaml"] || fa["threats.yaml"] != fb["threats.yaml"] || a.Version+1 != b.Version {
		t.Error("a push with fresh merge inputs stored another model than one reading them on the slot")
	}
}

// TestUnchangedFromSummary: a push of the latest version's content is
// answered unchanged from the summaries memo when the memo of analyses has
// dropped the analysis, without analysing again, with the very answer the
// analysis gives.
func TestUnchangedFromSummary(t *testing.T) {
	s, _, files := shopServer(t)
	pr := &Principal{UserID: "u1", Role: store.RoleAdmin}
	const id = "larkspur-shop"
	req := pushRequest{Team: "storefront", Message: "push", Bundle: Bundle{Main: "ward.yaml", Files: files}}
	if _, err := s.pushMerged(t.Context(), pr, id, req, nil); err != nil {
		t.Fatal(err)
	}
	again := func() (pushResponse, int64) {
		t.Helper()
		s.memo = newAnalysisMemo(analysisMemoBytes) // the analysis dropped
		_, misses := s.memo.stats()
		res, err := s.pushMerged(t.Context(), pr, id, req, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, after := s.memo.stats()
		return res, after - misses
	}
	fromSummary, analysed := again()
	if analysed != 0 || s.summaryReused.Load() != 1 {
		t.Errorf("the latest content pushed again was analysed (%d memo misses, %d answered from the summary)", analysed, s.summaryReused.Load())
	}
	s.summaries = newAnalysisMemo(summaryMemoBytes) // the summary dropped too: analysed
	fromAnalysis, analysed := again()
	if analysed != 1 {
		t.Errorf("with both memos empty the push was not analysed (%d memo misses)", analysed)
	}
	a, _ := json.Marshal(fromSummary)
	b, _ := json.Marshal(fromAnalysis)
	if !bytes.Equal(a, b) || fromSummary.Created || fromSummary.Version != 1 {
		t.Errorf("answered from the summary:\n%s\nfrom the analysis:\n%s", a, b)
	}
}
