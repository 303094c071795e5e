package server

// How the programme's phase shapes a live session (issue 12 §2): in the
// Observation phase the team leads its sessions and security attends and
// guides, so opening a session invites security as observer by default
// (the facilitator may untick it); the invitation is the notification
// session.observe, to security by email (per preferences) and to the
// team's webhooks that take it, and the session's record keeps that
// security was invited.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wardtm/ward/internal/notify"
	"github.com/wardtm/ward/internal/programme"
	"github.com/wardtm/ward/internal/store"
)

// observedByDefault reports whether a session of the team invites
// security by default: the team is in the Observation phase.
func (s *Server) observedByDefault(ctx context.Context, teamID string) bool {
	ph, err := s.store.TeamPhase(ctx, teamID)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Warn("programme: the team's phase for a session", "team", teamID, "err", err)
		}
		return false
	}
	return ph.Phase == string(programme.Observation)
}

// inviteObserver notifies security that a session waits for an observer;
// the session is stored already, so a failure to enqueue is logged.
func (s *Server) inviteObserver(ctx context.Context, p *Principal, x store.System, id, title string, ends time.Time) {
	s.notifyLogged(ctx, notify.Event{Key: "session.observe:" + id, Kind: notify.SessionObserve, Team: x.TeamID, System: x.ID,
		Title: fmt.Sprintf("Observe a threat-modeling session: %s", title),
		Text: fmt.Sprintf("%s opened a session on %s (team %s, Observation phase: the team leads, security attends and guides). It runs until %s UTC.",
			p.display(), x.Name, x.TeamID, ends.UTC().Format("2006-01-02 15:04")),
		URL: "/s/" + id, Actor: p.display(), ActorID: p.OwnerID,
		Data: map[string]any{"session": id, "system": x.ID, "ends": ends.UTC().Format(time.RFC3339)}})
}
