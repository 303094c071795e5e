package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// metric reads one unlabelled value from /metrics.
func (s *shopEnv) metric(t *testing.T, name string) float64 {
	t.Helper()
	resp := s.do("GET", "/metrics", s.admin, nil)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(data)
	if m == nil {
		t.Fatalf("/metrics has no %s:\n%s", name, data)
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// result returns the stored analysis of a version, as served.
func (s *shopEnv) result(t *testing.T, n int) []byte {
	t.Helper()
	resp := s.do("GET", "/api/v1/systems/larkspur-shop/versions/"+strconv.Itoa(n), s.bearer, nil)
	defer resp.Body.Close()
	var v struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != 200 || len(v.Result) == 0 {
		t.Fatalf("version %d: %d %v", n, resp.StatusCode, err)
	}
	return v.Result
}

// TestAnalysisReusedForSameContent: content stored before (a model
// reverted to version 1) is not analysed again; the new version is still
// recorded, with the same analysis; pushing the latest content again
// stores nothing and answers unchanged, with its summary.
func TestAnalysisReusedForSameContent(t *testing.T) {
	s := newShop(t, filepath.Join(t.TempDir(), "ward.db"))
	const push = "/api/v1/systems/larkspur-shop/versions"
	reused := s.metric(t, "ward_analyses_reused")
	s.want(s.do("POST", push, s.bearer, map[string]any{"files": renamed(s.files, "Larkspur Store")}), 201)
	if got := s.metric(t, "ward_analyses_reused"); got != reused {
		t.Fatalf("new content: %v analyses reused, want %v", got, reused)
	}
	out := s.want(s.do("POST", push, s.bearer, map[string]any{"files": s.files, "message": "revert"}), 201)
	if out["version"].(float64) != 3 || out["created"] != true {
		t.Fatalf("revert: %v", out)
	}
	if got := s.metric(t, "ward_analyses_reused"); got != reused+1 {
		t.Fatalf("reverted content: %v analyses reused, want %v", got, reused+1)
	}
	if !bytes.Equal(s.result(t, 3), s.result(t, 1)) {
		t.Error("version 3 (the content of version 1) does not have version 1's analysis")
	}
	again := s.want(s.do("POST", push, s.bearer, map[string]any{"files": s.files}), 200)
	if again["version"].(float64) != 3 || again["created"] != false || again["sha256"] != out["sha256"] ||
		again["revision"] != out["revision"] || again["summary"] == nil {
		t.Fatalf("the same push again: %v, after %v", again, out)
	}
	if n, _ := s.latest(); n != 3 {
		t.Fatalf("latest is %d after an unchanged push, want 3", n)
	}
}

// TestMetricsDatabasePool: /metrics shows the database connection pool.
func TestMetricsDatabasePool(t *testing.T) {
	s := newShop(t, filepath.Join(t.TempDir(), "ward.db"))
	if open := s.metric(t, "ward_db_connections_open"); open < 1 {
		t.Errorf("ward_db_connections_open = %v after requests, want ≥ 1", open)
	}
	for _, name := range []string{"ward_db_connections_in_use", "ward_db_connection_waits", "ward_db_connection_wait_seconds"} {
		if v := s.metric(t, name); v < 0 {
			t.Errorf("%s = %v", name, v)
		}
	}
}
