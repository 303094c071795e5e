package server

// Notifications (issue 12 §5): the server turns events into deliveries in
// the store's outbox — one per team webhook that takes the kind, and one
// per account whose role and preferences want it by email — and runs the
// worker that delivers them (package notify) and a periodic scan for
// overdue reviews and expiring acceptances. Events are enqueued after the
// change they report is stored; a key per event makes enqueueing
// idempotent, so the scan may run on every replica.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wardtm/ward/internal/notify"
	"github.com/wardtm/ward/internal/review"
	"github.com/wardtm/ward/internal/store"
)

// NotifyConfig configures notifications. The zero value sends webhooks
// (to public addresses only) and no email.
type NotifyConfig struct {
	// SMTP, when set, sends email.
	SMTP *notify.SMTP
	// AllowPrivate lets webhooks reach private and loopback addresses
	// (receivers on premises); link-local and metadata addresses stay
	// refused.
	AllowPrivate bool
	// Key seals webhook secrets in the database (AES-GCM); without it
	// they are stored unsealed (and still never returned).
	Key string
	// BaseURL is the server's public address, for links in notifications
	// (e.g. https://ward.example.com); without it links are paths.
	BaseURL string
	// Concurrency bounds deliveries in flight per process (default 4);
	// Timeout bounds each (default 15s); Poll is how often the outbox is
	// read (default 5s); Scan how often overdue reviews and expiring
	// acceptances are looked for (default 1h); ExpiryWarn how long before
	// its end an acceptance is notified (default 14 days).
	Concurrency int
	Timeout     time.Duration
	Poll        time.Duration
	Scan        time.Duration
	ExpiryWarn  time.Duration
	// Backoff is the retry schedule (default notify.DefaultBackoff).
	Backoff notify.Backoff
}

// notifier is the server's notification machinery.
type notifier struct {
	cfg    NotifyConfig
	sealer *notify.Sealer
	// sealErr is a bad notification key's error.
	sealErr error
	policy  notify.Policy
	worker  *notify.Worker
}

func (s *Server) newNotifier() {
	c := s.cfg.Notify
	// A bad key (ward serve checks it first) leaves secrets unsealable:
	// creating a webhook then fails, and no secret is stored unsealed.
	sealer, sealErr := notify.NewSealer(c.Key)
	if sealErr != nil {
		sealer = &notify.Sealer{}
	}
	if c.Scan <= 0 {
		c.Scan = time.Hour
	}
	if c.ExpiryWarn <= 0 {
		c.ExpiryWarn = 14 * 24 * time.Hour
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	n := &notifier{cfg: c, sealer: sealer, sealErr: sealErr, policy: notify.Policy{AllowPrivate: c.AllowPrivate}}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	n.worker = &notify.Worker{Store: s.store, Client: n.policy.Client(timeout), Sealer: sealer, PrefsURL: c.BaseURL + "/account/notifications",
		Backoff: c.Backoff, Concurrency: c.Concurrency, Timeout: timeout, Poll: c.Poll, Now: s.cfg.Now, Log: s.log}
	if c.BaseURL == "" {
		n.worker.PrefsURL = ""
	}
	if c.SMTP != nil {
		n.worker.Mail = c.SMTP
	}
	s.notifier = n
	for i, name := range []string{"ward_notifications_delivered", "ward_notifications_retried", "ward_notifications_given_up"} {
		s.metrics.gauge(name, func() float64 {
			d, r, g := n.worker.Stats()
			return float64([]int64{d, r, g}[i])
		})
	}
}

// seal seals a new webhook secret.
func (n *notifier) seal(secret string) (string, error) {
	if n.sealErr != nil {
		return "", n.sealErr
	}
	return n.sealer.Seal(secret), nil
}

// RunNotifications delivers notifications and runs the periodic scan until
// ctx ends; it returns when the deliveries in flight have finished. ward
// serve runs it beside the HTTP server, on every replica.
func (s *Server) RunNotifications(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.notifier.worker.Run(ctx) })
	wg.Go(func() {
		t := time.NewTicker(s.notifier.cfg.Scan)
		defer t.Stop()
		for {
			if err := s.ScanNotifications(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("notifications: scan", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	wg.Wait()
}

// DeliverNotifications makes one pass over the outbox, delivering what is
// due at once (tests use it); it returns how many it claimed.
func (s *Server) DeliverNotifications(ctx context.Context) (int, error) {
	return s.notifier.worker.RunOnce(ctx)
}

// notify enqueues an event for everyone who should hear of it: the team's
// webhooks that take its kind, and by email (when SMTP is configured) the
// accounts of the kind's audience and the named recipients (ev.To) whose
// preferences want it, except its actor. Enqueueing the same ev.Key again
// does nothing. Other packages' code (programme, training) calls it with
// their kinds (notify.EscapeImported, notify.PhaseProposed); see
// docs/notifications.md.
func (s *Server) notify(ctx context.Context, ev notify.Event) error {
	if ev.At.IsZero() {
		ev.At = s.cfg.Now().UTC()
	}
	if strings.HasPrefix(ev.URL, "/") {
		ev.URL = s.notifier.cfg.BaseURL + ev.URL
	}
	if err := ev.Check(); err != nil {
		return err
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	var ds []store.Delivery
	add := func(channel, target string) {
		ds = append(ds, store.Delivery{Key: ev.Key + "|" + channel + "|" + target, Channel: channel, Target: target, TeamID: ev.Team,
			Kind: string(ev.Kind), Payload: payload, NextAttemptAt: s.cfg.Now()})
	}
	hooks, err := s.store.ListWebhooks(ctx, ev.Team)
	if err != nil {
		return err
	}
	for _, h := range hooks {
		if h.Enabled && (len(h.Kinds) == 0 || slices.Contains(h.Kinds, string(ev.Kind))) {
			add(store.ChannelWebhook, h.ID)
		}
	}
	if s.notifier.cfg.SMTP != nil {
		to, err := s.emailRecipients(ctx, ev)
		if err != nil {
			return err
		}
		for _, addr := range to {
			add(store.ChannelEmail, addr)
		}
	}
	if len(ds) == 0 {
		return nil
	}
	if _, err := s.store.EnqueueDeliveries(ctx, ds); err != nil {
		return err
	}
	s.notifier.worker.Wake()
	return nil
}

// notifyLogged is notify for callers whose own work succeeded already: a
// failure to enqueue is logged, not returned.
func (s *Server) notifyLogged(ctx context.Context, ev notify.Event) {
	if err := s.notify(context.WithoutCancel(ctx), ev); err != nil {
		s.log.Warn("notifications: enqueue", "kind", ev.Kind, "key", ev.Key, "err", err)
	}
}

// emailRecipients lists the addresses an event goes to by email.
func (s *Server) emailRecipients(ctx context.Context, ev notify.Event) ([]string, error) {
	info, _ := notify.Info(ev.Kind)
	var out []string
	err := s.eachUser(ctx, func(u store.User) error {
		if u.Disabled || u.Email == "" || u.Email == ev.Actor || u.ID == ev.ActorID {
			return nil
		}
		p := &Principal{UserID: u.ID, Email: u.Email, Role: u.Role, TeamID: u.TeamID}
		if !Allowed(p, Read, ev.Team) {
			return nil
		}
		named := slices.Contains(ev.To, u.Email)
		team := info.Team && Allowed(p, Write, ev.Team) && u.TeamID == ev.Team
		security := info.Security && Allowed(p, Approve, ev.Team)
		if !named && !team && !security {
			return nil
		}
		prefs, err := s.prefs(ctx, u.ID)
		if err == nil && prefs.Email && slices.Contains(prefs.Kinds, string(ev.Kind)) {
			out = append(out, u.Email)
		}
		return err
	})
	return out, err
}

// eachUser calls fn with every account, 500 at a time.
func (s *Server) eachUser(ctx context.Context, fn func(store.User) error) error {
	for off := 0; ; off += 500 {
		us, total, err := s.store.ListUsers(ctx, store.Page{Limit: 500, Offset: off})
		if err != nil {
			return err
		}
		for _, u := range us {
			if err := fn(u); err != nil {
				return err
			}
		}
		if off+500 >= total || len(us) == 0 {
			return nil
		}
	}
}

// prefs returns an account's preferences, or the defaults (email on, every
// kind) when it has set none.
func (s *Server) prefs(ctx context.Context, userID string) (store.NotifyPrefs, error) {
	p, err := s.store.NotifyPrefs(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return store.NotifyPrefs{UserID: userID, Email: true, Kinds: notify.AllKinds()}, nil
	}
	return p, err
}

// ScanNotifications enqueues the notifications of the periodic job: the
// review reminders that need someone (package review: open reviews past
// their due date, approvals gone stale by new high risks, approvals
// expired) as review.stale, and acceptances ending within
// NotifyConfig.ExpiryWarn (acceptance.expiring); then it prunes old
// deliveries and takes this week's risk snapshots (SnapshotRisk). Each is
// keyed by what it is about and its date, so it is sent (or taken) once
// however often the scan runs and on however many replicas.
func (s *Server) ScanNotifications(ctx context.Context) error {
	now := s.cfg.Now().UTC()
	if err := s.scanReminders(ctx); err != nil {
		return err
	}
	if err := s.scanAcceptances(ctx, now); err != nil {
		return err
	}
	// Finished deliveries are kept 30 days, for the deliveries list.
	if _, err := s.store.PruneDeliveries(ctx, now.Add(-deliveryRetention)); err != nil {
		return err
	}
	// This week's risk snapshots, for the leadership trend (programme_snapshot.go).
	_, err := s.SnapshotRisk(ctx)
	return err
}

// deliveryRetention is how long finished deliveries are kept.
const deliveryRetention = 30 * 24 * time.Hour

// staleTitles are the titles of the reminders that become review.stale.
var staleTitles = map[review.ReminderKind]string{
	review.RemindOverdue: "Design review overdue",
	review.RemindStale:   "Design approval stale",
	review.RemindExpired: "Design approval expired",
}

// scanReminders notifies the review reminders that need someone now.
func (s *Server) scanReminders(ctx context.Context) error {
	cfg, err := s.reviewConfig(ctx)
	if err != nil {
		return err
	}
	var open []review.Request
	for off := 0; ; off += 500 {
		rs, total, err := s.store.ListReviews(ctx, store.ReviewQuery{States: openStates, Page: store.Page{Limit: 500, Offset: off}})
		if err != nil {
			return err
		}
		for _, r := range rs {
			open = append(open, ruleRequest(r))
		}
		if off+500 >= total || len(rs) == 0 {
			break
		}
	}
	rems, err := s.reminders(ctx, "", open, cfg.Settings)
	if err != nil {
		return err
	}
	for _, rem := range rems {
		title, ok := staleTitles[rem.Kind]
		if !ok || rem.Request == "" {
			continue
		}
		r, err := s.store.GetReview(ctx, rem.Request)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		ev := notify.Event{Key: fmt.Sprintf("review.stale:%s:%s:%s", rem.Kind, r.ID, rem.When.Format(time.DateOnly)), Kind: notify.ReviewStale,
			Team: r.TeamID, System: r.SystemID, Title: fmt.Sprintf("%s: %s", title, r.Title), Text: upperFirst(rem.Text) + ".",
			URL: "/review/" + r.ID, Data: map[string]any{"reason": string(rem.Kind), "review": r.ID, "when": rem.When.Format(time.DateOnly),
				"state": r.State, "assignee": r.Assignee}}
		if r.Assignee != "" {
			ev.To = []string{r.Assignee}
		}
		if err := s.notify(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// scanAcceptances notifies acceptances of the systems' latest versions
// that end within the warning period (or ended already).
func (s *Server) scanAcceptances(ctx context.Context, now time.Time) error {
	horizon := now.Add(s.notifier.cfg.ExpiryWarn).Format(time.DateOnly)
	for off := 0; ; off += 500 {
		xs, total, err := s.store.ListSystems(ctx, "", store.Page{Limit: 500, Offset: off})
		if err != nil {
			return err
		}
		for _, x := range xs {
			if x.Latest == 0 {
				continue
			}
			v, err := s.store.GetVersion(ctx, x.ID, x.Latest)
			if err != nil {
				return err
			}
			var res struct {
				Summary struct {
					Accepted []struct{ ID, Title, Owner, Expires string }
				}
			}
			if err := json.Unmarshal(v.Result, &res); err != nil {
				continue // an old result format: nothing to say
			}
			// One decision can cover several threats: the STRIDE
			// categories of one weakness ("rule:target" and
			// "rule:target:tampering"). They expire together and are
			// announced once, naming every threat.
			type acceptance struct {
				ID, Title, Owner, Expires string
				covers                    []string
			}
			var due []*acceptance
			accepted := res.Summary.Accepted
			slices.SortFunc(accepted, func(a, b struct{ ID, Title, Owner, Expires string }) int { return strings.Compare(a.ID, b.ID) })
			for _, a := range accepted {
				if a.Expires == "" || a.Expires > horizon {
					continue
				}
				grouped := false
				for _, d := range due {
					if d.Expires == a.Expires && d.Owner == a.Owner && strings.HasPrefix(a.ID, d.ID+":") {
						d.covers, grouped = append(d.covers, a.ID), true
						break
					}
				}
				if !grouped {
					due = append(due, &acceptance{ID: a.ID, Title: a.Title, Owner: a.Owner, Expires: a.Expires, covers: []string{a.ID}})
				}
			}
			for _, a := range due {
				also := ""
				if len(a.covers) > 1 {
					also = fmt.Sprintf("\nThe same acceptance covers %s.", strings.Join(a.covers[1:], ", "))
				}
				ev := notify.Event{Key: "acceptance.expiring:" + x.ID + ":" + a.ID + ":" + a.Expires, Kind: notify.AcceptanceExpiring, Team: x.TeamID, System: x.ID,
					Title: fmt.Sprintf("Acceptance of %s in %s ends %s", a.ID, x.ID, a.Expires),
					Text:  fmt.Sprintf("%s\nAccepted by %s until %s. Review the risk: extend the acceptance with a reason, or mitigate it.%s", a.Title, orDash(a.Owner), a.Expires, also),
					URL:   "/systems/" + x.ID, Data: map[string]any{"finding": a.ID, "findings": a.covers, "expires": a.Expires, "owner": a.Owner}}
				if err := s.notify(ctx, ev); err != nil {
					return err
				}
			}
		}
		if off+500 >= total || len(xs) == 0 {
			return nil
		}
	}
}

// pushSummary is what notifications compare between two versions.
type pushSummary struct {
	Findings []struct {
		ID, Title, Severity, Status string
	} `json:"findings"`
	Assumptions []struct {
		ID, Text, Status string
	} `json:"assumptions"`
}

func openHigh(sev, status string) bool {
	return (sev == "high" || sev == "critical") && status == "open"
}

// notifyPush tells of what a new version brings: high or critical open
// threats that were not open at that severity in the version before, and
// assumptions newly invalidated.
// prevKnown, when not nil, is what the version before brought (from the
// memo); else it is read from the store.
func (s *Server) notifyPush(ctx context.Context, pr *Principal, systemID, team string, version int, cur pushSummary, prevKnown *pushSummary) {
	var prev pushSummary
	if prevKnown != nil {
		prev = *prevKnown
	} else if version > 1 {
		v, err := s.store.GetVersion(ctx, systemID, version-1)
		if err != nil {
			s.log.Warn("notifications: previous version", "system", systemID, "err", err)
			return
		}
		_ = json.Unmarshal(v.Result, &prev)
	}
	before := map[string]bool{}
	for _, f := range prev.Findings {
		before[f.ID] = openHigh(f.Severity, f.Status)
	}
	var lines, ids []string
	for _, f := range cur.Findings {
		if openHigh(f.Severity, f.Status) && !before[f.ID] {
			ids = append(ids, f.ID)
			lines = append(lines, fmt.Sprintf("%s [%s] %s", f.ID, f.Severity, f.Title))
		}
	}
	url := fmt.Sprintf("/systems/%s", systemID)
	if len(ids) > 0 {
		text := strings.Join(lines[:min(len(lines), 10)], "\n")
		if len(lines) > 10 {
			text += fmt.Sprintf("\n… and %d more", len(lines)-10)
		}
		s.notifyLogged(ctx, notify.Event{Key: fmt.Sprintf("risk.high_pushed:%s:%d", systemID, version), Kind: notify.HighRiskPushed, Team: team,
			System: systemID, Title: fmt.Sprintf("%s version %d adds %d high or critical risk(s)", systemID, version, len(ids)), Text: text,
			URL: url, Actor: pr.display(), ActorID: pr.OwnerID, Data: map[string]any{"version": version, "findings": ids}})
	}
	wasInvalid := map[string]bool{}
	for _, a := range prev.Assumptions {
		wasInvalid[a.ID] = a.Status == "invalidated"
	}
	for _, a := range cur.Assumptions {
		if a.Status != "invalidated" || wasInvalid[a.ID] {
			continue
		}
		s.notifyLogged(ctx, notify.Event{Key: fmt.Sprintf("assumption.invalidated:%s:%s:%d", systemID, a.ID, version), Kind: notify.AssumptionInvalidated,
			Team: team, System: systemID, Title: fmt.Sprintf("Assumption %s of %s is invalidated", a.ID, systemID),
			Text: a.Text + "\nThe threats and mitigations it held up are open again.", URL: url, Actor: pr.display(), ActorID: pr.OwnerID,
			Data: map[string]any{"version": version, "assumption": a.ID}})
	}
}

// notifyReview tells of a review request's step.
func (s *Server) notifyReview(ctx context.Context, p *Principal, before, after store.ReviewRequest, action review.Action) {
	url := "/review/" + after.ID
	data := map[string]any{"review": after.ID, "state": after.State, "tier": after.Tier, "assignee": after.Assignee}
	key := fmt.Sprintf("%s:%d", after.ID, after.Revision)
	if after.Assignee != "" && after.Assignee != before.Assignee {
		s.notifyLogged(ctx, notify.Event{Key: "review.assigned:" + key, Kind: notify.ReviewAssigned, Team: after.TeamID, System: after.SystemID,
			Title: fmt.Sprintf("Design review assigned to %s: %s", after.Assignee, after.Title),
			Text:  fmt.Sprintf("Tier %s, due %s.", after.Tier, after.Due.Format(time.DateOnly)), URL: url, Actor: p.display(), ActorID: p.OwnerID,
			To: []string{after.Assignee}, Data: data})
	}
	if action == review.Approve {
		s.notifyLogged(ctx, notify.Event{Key: "review.approved:" + key, Kind: notify.ReviewApproved, Team: after.TeamID, System: after.SystemID,
			Title: fmt.Sprintf("Design review approved: %s", after.Title), Text: "Approved by " + p.display() + ".", URL: url, Actor: p.display(), ActorID: p.OwnerID,
			To: []string{after.RequestedBy}, Data: data})
	}
}

// notifyRequested tells security of a new request in the queue.
func (s *Server) notifyRequested(ctx context.Context, p *Principal, r store.ReviewRequest) {
	s.notifyLogged(ctx, notify.Event{Key: "review.requested:" + r.ID, Kind: notify.ReviewRequested, Team: r.TeamID, System: r.SystemID,
		Title: fmt.Sprintf("Design review requested: %s", r.Title),
		Text:  fmt.Sprintf("Team %s asks for a review of %s (tier %s, priority %d), due %s.", r.TeamID, r.SystemID, r.Tier, r.Score, r.Due.Format(time.DateOnly)),
		URL:   "/review/" + r.ID, Actor: p.display(), ActorID: p.OwnerID, Data: map[string]any{"review": r.ID, "tier": r.Tier, "priority": r.Score, "due": r.Due.Format(time.DateOnly)}})
}

var _ slog.LogValuer = (*notify.SMTP)(nil)
