package sqlstore

// Checkpoints is how many background checkpoints the store ran (SQLite).
func (s *DB) Checkpoints() int64 {
	if s.ckpt == nil {
		return 0
	}
	return s.ckpt.runs.Load()
}
