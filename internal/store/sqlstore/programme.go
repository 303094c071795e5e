package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/store"
)

const outsideCols = `id, team_id, system_id, source, ref, title, severity, found, element, category, cwe, threat, cost,
	catch, catch_threat, catch_why, batch, imported_by, imported_at`

func cweText(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ",")
}

func cweList(s string) []int {
	var out []int
	for _, p := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// ImportOutside stores a batch of outside findings, skipping those
// imported before (same source, system and ref).
func (s *DB) ImportOutside(ctx context.Context, b store.ImportBatch, fs []store.OutsideFinding) (int, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	if b.At.IsZero() {
		b.At = now
	}
	added := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO outside_batches (id, source, file, format, imported_by, at) VALUES ($1, $2, $3, $4, $5, $6)`,
			b.ID, b.Source, b.File, b.Format, b.ImportedBy, ms(b.At)); err != nil {
			return mapErr(err)
		}
		const per = 19
		// PostgreSQL takes 500 rows per statement (fewer round trips);
		// SQLite one prepared row at a time (its parser is slow on
		// thousands of numbered parameters, and calls are in-process).
		rows := 500
		if s.dialect == SQLite {
			rows = 1
		}
		var prepared *sql.Stmt
		defer func() {
			if prepared != nil {
				prepared.Close()
			}
		}()
		for start := 0; start < len(fs); start += rows {
			chunk := fs[start:min(start+rows, len(fs))]
			var q strings.Builder
			q.WriteString(`INSERT INTO outside_findings (` + outsideCols + `) VALUES `)
			args := make([]any, 0, len(chunk)*per)
			for i, f := range chunk {
				if i > 0 {
					q.WriteByte(',')
				}
				q.WriteByte('(')
				for j := range per {
					if j > 0 {
						q.WriteByte(',')
					}
					fmt.Fprintf(&q, "$%d", i*per+j+1)
				}
				q.WriteByte(')')
				args = append(args, f.ID, f.TeamID, f.SystemID, f.Source, f.Ref, f.Title, f.Severity, ms(f.Found), f.Element, f.Category,
					cweText(f.CWE), f.Threat, f.Cost, f.Catch, f.CatchThreat, f.CatchWhy, b.ID, b.ImportedBy, ms(b.At))
			}
			q.WriteString(` ON CONFLICT (source, system_id, ref) WHERE ref <> '' DO NOTHING`)
			var res sql.Result
			var err error
			if rows == 1 {
				if prepared == nil {
					if prepared, err = tx.PrepareContext(ctx, q.String()); err != nil {
						return err
					}
				}
				res, err = prepared.ExecContext(ctx, args...)
			} else {
				res, err = tx.ExecContext(ctx, q.String(), args...)
			}
			if err != nil {
				if isForeignKey(err) {
					return fmt.Errorf("a finding's team does not exist: %w", store.ErrNotFound)
				}
				return mapErr(err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			added += int(n)
		}
		return audit(ctx, tx, now, b.ImportedBy, "outside.import", "batch:"+b.ID, fmt.Sprintf("%s from %s (%s): %d findings, %d new", b.Source, b.File, b.Format, len(fs), added))
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// OutsideFindings lists outside findings, newest found first.
func (s *DB) OutsideFindings(ctx context.Context, q store.OutsideQuery) ([]store.OutsideFinding, int, error) {
	p := q.Page.Normal()
	if q.Page.Limit > 500 {
		p.Limit = min(q.Page.Limit, 200_000) // programme views read whole teams
	}
	where := ` WHERE ($1 = '' OR team_id = $1) AND ($2 = '' OR system_id = $2) AND ($3 = '' OR source = $3) AND ($4 = '' OR catch = $4) AND ($5 = '' OR batch = $5)
		AND ($6 = ',' OR $6 LIKE '%,' || severity || ',%')`
	args := []any{q.TeamID, q.SystemID, q.Source, q.Catch, q.Batch, list(q.Severities)}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outside_findings`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+outsideCols+` FROM outside_findings`+where+` ORDER BY found DESC, id LIMIT $7 OFFSET $8`, append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []store.OutsideFinding
	for rows.Next() {
		var f store.OutsideFinding
		var found, at int64
		var cwe string
		if err := rows.Scan(&f.ID, &f.TeamID, &f.SystemID, &f.Source, &f.Ref, &f.Title, &f.Severity, &found, &f.Element, &f.Category, &cwe, &f.Threat,
			&f.Cost, &f.Catch, &f.CatchThreat, &f.CatchWhy, &f.Batch, &f.ImportedBy, &at); err != nil {
			return nil, 0, err
		}
		f.Found, f.ImportedAt, f.CWE = fromMS(found), fromMS(at), cweList(cwe)
		out = append(out, f)
	}
	return out, total, rows.Err()
}

// TeamPhase returns a team's phase.
func (s *DB) TeamPhase(ctx context.Context, teamID string) (store.TeamPhase, error) {
	var p store.TeamPhase
	var since int64
	err := s.db.QueryRowContext(ctx, `SELECT team_id, phase, since, updated_by FROM team_phases WHERE team_id = $1`, teamID).Scan(&p.TeamID, &p.Phase, &since, &p.UpdatedBy)
	p.Since = fromMS(since)
	return p, mapErr(err)
}

// ListTeamPhases lists the phases set.
func (s *DB) ListTeamPhases(ctx context.Context) ([]store.TeamPhase, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT team_id, phase, since, updated_by FROM team_phases ORDER BY team_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.TeamPhase
	for rows.Next() {
		var p store.TeamPhase
		var since int64
		if err := rows.Scan(&p.TeamID, &p.Phase, &since, &p.UpdatedBy); err != nil {
			return nil, err
		}
		p.Since = fromMS(since)
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *DB) setPhase(ctx context.Context, tx *sql.Tx, p store.TeamPhase, ev store.PhaseEvent) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO team_phases (team_id, phase, since, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (team_id) DO UPDATE SET phase = excluded.phase, since = excluded.since, updated_by = excluded.updated_by`,
		p.TeamID, p.Phase, ms(p.Since), p.UpdatedBy); err != nil {
		if isForeignKey(err) {
			return fmt.Errorf("team %q: %w", p.TeamID, store.ErrNotFound)
		}
		return mapErr(err)
	}
	return insertPhaseEvent(ctx, tx, ev)
}

func insertPhaseEvent(ctx context.Context, tx *sql.Tx, ev store.PhaseEvent) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO phase_events (team_id, seq, at, actor, kind, from_phase, to_phase, note, proposal)
		VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM phase_events WHERE team_id = $1), $2, $3, $4, $5, $6, $7, $8)`,
		ev.TeamID, ms(ev.At), ev.Actor, ev.Kind, ev.From, ev.To, ev.Note, ev.Proposal)
	if err != nil {
		return mapErr(err)
	}
	return audit(ctx, tx, ev.At, ev.Actor, "programme.phase."+ev.Kind, "team:"+ev.TeamID, fmt.Sprintf("%s → %s", ev.From, ev.To))
}

// SetTeamPhase sets a team's phase and appends the event.
func (s *DB) SetTeamPhase(ctx context.Context, p store.TeamPhase, ev store.PhaseEvent) error {
	if p.Since.IsZero() {
		p.Since = s.now()
	}
	p.Since = p.Since.UTC().Truncate(time.Millisecond)
	if ev.At.IsZero() {
		ev.At = p.Since
	}
	ev.TeamID = p.TeamID
	return s.tx(ctx, func(tx *sql.Tx) error { return s.setPhase(ctx, tx, p, ev) })
}

// PhaseEvents lists a team's programme history, oldest first.
func (s *DB) PhaseEvents(ctx context.Context, teamID string) ([]store.PhaseEvent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT team_id, seq, at, actor, kind, from_phase, to_phase, note, proposal FROM phase_events WHERE team_id = $1 ORDER BY seq`, teamID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.PhaseEvent
	for rows.Next() {
		var e store.PhaseEvent
		var at int64
		if err := rows.Scan(&e.TeamID, &e.Seq, &at, &e.Actor, &e.Kind, &e.From, &e.To, &e.Note, &e.Proposal); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

const proposalCols = `id, team_id, from_phase, to_phase, step_back, state, summary, evidence, created_at, decided_by, decided_at, note`

func scanProposal(r scanner) (store.PhaseProposal, error) {
	var p store.PhaseProposal
	var c, d int64
	if err := r.Scan(&p.ID, &p.TeamID, &p.From, &p.To, &p.StepBack, &p.State, &p.Summary, &p.Evidence, &c, &p.DecidedBy, &d, &p.Note); err != nil {
		return p, mapErr(err)
	}
	p.CreatedAt, p.DecidedAt = fromMS(c), fromMS(d)
	return p, nil
}

// CreateProposal stores an open proposal.
func (s *DB) CreateProposal(ctx context.Context, p store.PhaseProposal) (store.PhaseProposal, error) {
	if p.CreatedAt.IsZero() {
		p.CreatedAt = s.now()
	}
	p.CreatedAt, p.State = p.CreatedAt.UTC().Truncate(time.Millisecond), "open"
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO phase_proposals (`+proposalCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '', 0, '')`,
			p.ID, p.TeamID, p.From, p.To, p.StepBack, p.State, p.Summary, p.Evidence, ms(p.CreatedAt)); err != nil {
			if isForeignKey(err) {
				return fmt.Errorf("team %q: %w", p.TeamID, store.ErrNotFound)
			}
			return mapErr(err)
		}
		return insertPhaseEvent(ctx, tx, store.PhaseEvent{TeamID: p.TeamID, At: p.CreatedAt, Actor: "ward", Kind: "proposed", From: p.From, To: p.To,
			Note: p.Summary, Proposal: p.ID})
	})
	if err != nil {
		return store.PhaseProposal{}, err
	}
	return p, nil
}

// GetProposal returns a proposal.
func (s *DB) GetProposal(ctx context.Context, id string) (store.PhaseProposal, error) {
	return scanProposal(s.db.QueryRowContext(ctx, `SELECT `+proposalCols+` FROM phase_proposals WHERE id = $1`, id))
}

// ListProposals lists proposals, newest first.
func (s *DB) ListProposals(ctx context.Context, teamID, state string) ([]store.PhaseProposal, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+proposalCols+` FROM phase_proposals WHERE ($1 = '' OR team_id = $1) AND ($2 = '' OR state = $2)
		ORDER BY created_at DESC, id DESC LIMIT 500`, teamID, state)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.PhaseProposal
	for rows.Next() {
		p, err := scanProposal(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// DecideProposal confirms or dismisses an open proposal.
func (s *DB) DecideProposal(ctx context.Context, id string, confirm bool, actor, note string, at time.Time) (store.PhaseProposal, error) {
	if at.IsZero() {
		at = s.now()
	}
	at = at.UTC().Truncate(time.Millisecond)
	var p store.PhaseProposal
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		lock := ""
		if s.dialect == Postgres {
			lock = " FOR UPDATE"
		}
		if p, err = scanProposal(tx.QueryRowContext(ctx, `SELECT `+proposalCols+` FROM phase_proposals WHERE id = $1`+lock, id)); err != nil {
			return err
		}
		if p.State != "open" {
			return fmt.Errorf("proposal %s is %s already: %w", id, p.State, store.ErrConflict)
		}
		p.State, p.DecidedBy, p.DecidedAt, p.Note = "dismissed", actor, at, note
		if confirm {
			p.State = "confirmed"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE phase_proposals SET state = $1, decided_by = $2, decided_at = $3, note = $4 WHERE id = $5`,
			p.State, actor, ms(at), note, id); err != nil {
			return err
		}
		ev := store.PhaseEvent{TeamID: p.TeamID, At: at, Actor: actor, Kind: p.State, From: p.From, To: p.To, Note: note, Proposal: id}
		if !confirm {
			return insertPhaseEvent(ctx, tx, ev)
		}
		return s.setPhase(ctx, tx, store.TeamPhase{TeamID: p.TeamID, Phase: p.To, Since: at, UpdatedBy: actor}, ev)
	})
	if err != nil {
		return store.PhaseProposal{}, err
	}
	return p, nil
}

// RecordReviewedModel stores a reviewed model version.
func (s *DB) RecordReviewedModel(ctx context.Context, m store.ReviewedModel) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO reviewed_models (system_id, version, team_id, request_id, reviewed_at, threats) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (system_id, version) DO UPDATE SET team_id = excluded.team_id, request_id = excluded.request_id, reviewed_at = excluded.reviewed_at, threats = excluded.threats`,
		m.SystemID, m.Version, m.TeamID, m.RequestID, ms(m.ReviewedAt), m.Threats)
	return mapErr(err)
}

// ReviewedModels lists reviewed models, newest first.
func (s *DB) ReviewedModels(ctx context.Context, teamID string, limit int) ([]store.ReviewedModel, error) {
	if limit <= 0 || limit > 5000 {
		limit = 500
	}
	rows, err := s.db.QueryContext(ctx, `SELECT system_id, version, team_id, request_id, reviewed_at, threats FROM reviewed_models
		WHERE ($1 = '' OR team_id = $1) ORDER BY reviewed_at DESC, system_id, version DESC LIMIT $2`, teamID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.ReviewedModel
	for rows.Next() {
		var m store.ReviewedModel
		var at int64
		if err := rows.Scan(&m.SystemID, &m.Version, &m.TeamID, &m.RequestID, &at, &m.Threats); err != nil {
			return nil, err
		}
		m.ReviewedAt = fromMS(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

// RecordActivity stores an activity once.
func (s *DB) RecordActivity(ctx context.Context, a store.ProgrammeActivity) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO programme_activities (team_id, kind, ref, label, at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (team_id, kind, ref) DO NOTHING`, a.TeamID, a.Kind, a.Ref, a.Label, ms(a.At))
	return mapErr(err)
}

// Activities lists a team's activities, oldest first.
func (s *DB) Activities(ctx context.Context, teamID string) ([]store.ProgrammeActivity, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT team_id, kind, ref, label, at FROM programme_activities WHERE team_id = $1 ORDER BY at, ref`, teamID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.ProgrammeActivity
	for rows.Next() {
		var a store.ProgrammeActivity
		var at int64
		if err := rows.Scan(&a.TeamID, &a.Kind, &a.Ref, &a.Label, &at); err != nil {
			return nil, err
		}
		a.At = fromMS(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// PutSnapshot stores a weekly snapshot.
func (s *DB) PutSnapshot(ctx context.Context, x store.RiskSnapshot) error {
	if x.At.IsZero() {
		x.At = s.now()
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO risk_snapshots (week, team_id, data, at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (week, team_id) DO UPDATE SET data = excluded.data, at = excluded.at`, x.Week, x.TeamID, x.Data, ms(x.At))
	return mapErr(err)
}

// Snapshots lists snapshots, oldest first.
func (s *DB) Snapshots(ctx context.Context, teamID, since string) ([]store.RiskSnapshot, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT week, team_id, data, at FROM risk_snapshots WHERE ($1 = '' OR team_id = $1) AND week >= $2
		ORDER BY week, team_id LIMIT 20000`, teamID, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.RiskSnapshot
	for rows.Next() {
		var x store.RiskSnapshot
		var at int64
		if err := rows.Scan(&x.Week, &x.TeamID, &x.Data, &at); err != nil {
			return nil, err
		}
		x.At = fromMS(at)
		out = append(out, x)
	}
	return out, rows.Err()
}
