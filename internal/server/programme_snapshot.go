package server

// The leadership view's trend (issue 12 §4) is a series of weekly
// snapshots of each team's open risk. They are taken by the server's
// periodic job (ScanNotifications, hourly on every replica) so that the
// trend has a point for every week whether or not anyone read the view;
// reading the view still takes this week's when it is missing. A week's
// snapshot of a team is stored once (ISO week + team is its key), so
// running the job again, or on another replica, changes nothing.

import (
	"context"

	"github.com/wardtm/ward/internal/store"
)

// periodicReader is the principal the periodic job reads the organisation
// as: every team, nothing written on anyone's behalf.
var periodicReader = &Principal{UserID: "ward", Email: "ward (periodic job)", Role: store.RoleAdmin}

// SnapshotRisk stores this ISO week's risk snapshot of every team that has
// none yet and returns how many it stored.
func (s *Server) SnapshotRisk(ctx context.Context) (int, error) {
	teams, err := s.readableTeams(ctx, periodicReader)
	if err != nil || len(teams) == 0 {
		return 0, err
	}
	week := isoWeek(s.cfg.Now().UTC())
	count := func() (int, error) {
		have, err := s.store.Snapshots(ctx, "", week)
		n := 0
		for _, h := range have {
			if h.Week == week {
				n++
			}
		}
		return n, err
	}
	before, err := count()
	if err != nil || before >= len(teams) {
		return 0, err
	}
	// The leadership view computes each team's open risk, phase and
	// outside findings and stores the missing snapshots (snapshotWeek).
	if _, err := s.leadershipView(ctx, periodicReader); err != nil {
		return 0, err
	}
	after, err := count()
	return after - before, err
}
