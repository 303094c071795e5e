package yamledit

// Prepare reads every file of a bundle into the memo as a merge would
// (each file is parsed and its merged sections indexed once per name and
// content), without merging anything. A server calls it for a push's
// files while the push waits for the slot its merge runs on, so that the
// merge finds them read. A nil *Memo does nothing.
func (m *Memo) Prepare(files map[string]string) {
	if m == nil {
		return
	}
	for name, src := range files {
		m.file(name, src)
	}
}
