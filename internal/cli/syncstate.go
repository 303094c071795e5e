package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// baseFile is the name of the small file, beside the model, in which push
// and pull remember the version the local files start from; push sends it
// as the base, so the server merges what changed there since (decisions,
// mitigations, assumptions) instead of reverting it. It is local state:
// add it to .gitignore. Without it (a fresh clone, CI) the server takes as
// the base the newest version that came from a push (docs/server.md).
const baseFile = ".ward-base"

// syncState is the content of .ward-base.
type syncState struct {
	Server string `json:"server"`
	System string `json:"system"`
	// Version is the version pulled or pushed last.
	Version int `json:"version"`
	// Pushed says the files are that version's files as this client pushed
	// them (the server may have merged its own changes into what it stored).
	Pushed bool `json:"pushed,omitempty"`
}

// readBase returns the state in dir for server and system, if any.
func readBase(dir, server, system string) (syncState, bool) {
	data, err := os.ReadFile(filepath.Join(dir, baseFile))
	if err != nil {
		return syncState{}, false
	}
	var s syncState
	if json.Unmarshal(data, &s) != nil || s.Server != server || s.System != system || s.Version <= 0 {
		return syncState{}, false
	}
	return s, true
}

// writeBase records the state in dir.
func writeBase(dir string, s syncState) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, baseFile), append(data, '\n'), 0o644)
}
