package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestServeQueueWait checks that --analysis-queue-wait and
// WARD_ANALYSIS_QUEUE_WAIT reach the server's configuration and that a
// bound outside (0, the request timeout] is refused before anything
// starts.
func TestServeQueueWait(t *testing.T) {
	a := &app{env: Env{Getenv: func(k string) string {
		return map[string]string{"WARD_ANALYSIS_QUEUE_WAIT": "250ms"}[k]
	}}}
	var c serveConfig
	if err := a.envDefaults(&c); err != nil {
		t.Fatal(err)
	}
	if c.queueWait != 250*time.Millisecond {
		t.Errorf("WARD_ANALYSIS_QUEUE_WAIT=250ms: queueWait %s", c.queueWait)
	}
	for _, args := range [][]string{{"--analysis-queue-wait", "2m"}, {"--analysis-queue-wait", "-1s"}} {
		var out, errb bytes.Buffer
		code := Main(context.Background(), append([]string{"serve", "--data-dir", t.TempDir()}, args...), Env{Stdout: &out, Stderr: &errb, Dir: t.TempDir(),
			Getenv: func(string) string { return "" }, Now: time.Now, Version: "test"})
		if code != 2 || !strings.Contains(errb.String(), "--analysis-queue-wait") {
			t.Errorf("serve %v: exit %d, stderr %q; want 2 and a word on the flag", args, code, errb.String())
		}
	}
}
