package server

// Notification settings: operations shared by the JSON API and the pages
// (web_notify.go) — a team's webhooks, a test message, recent deliveries,
// and each account's preferences.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/notify"
	"github.com/wardtm/ward/internal/store"
)

// webhookJSON is a webhook as the API shows it: never its secret, except
// once, when it is created or rotated.
type webhookJSON struct {
	ID        string    `json:"id"`
	Team      string    `json:"team"`
	Name      string    `json:"name"`
	URL       string    `json:"url"`
	Kinds     []string  `json:"kinds"`
	Enabled   bool      `json:"enabled"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Secret    string    `json:"secret,omitempty"`
}

func webhookView(h store.Webhook) webhookJSON {
	k := h.Kinds
	if k == nil {
		k = []string{}
	}
	return webhookJSON{ID: h.ID, Team: h.TeamID, Name: h.Name, URL: h.URL, Kinds: k, Enabled: h.Enabled, CreatedBy: h.CreatedBy,
		CreatedAt: h.CreatedAt, UpdatedAt: h.UpdatedAt}
}

// webhookInput creates or changes a webhook; nil fields stay as they are.
type webhookInput struct {
	Name    *string   `json:"name"`
	URL     *string   `json:"url"`
	Kinds   *[]string `json:"kinds"`
	Enabled *bool     `json:"enabled"`
	// RotateSecret makes a new signing secret (returned once).
	RotateSecret bool `json:"rotate_secret"`
}

// teamFor checks that a team exists and p may have access a to it; a
// team p may not read is not revealed (404).
func (s *Server) teamFor(ctx context.Context, p *Principal, team string, a Access) error {
	if !Allowed(p, Read, team) {
		return store.ErrNotFound
	}
	if _, err := s.store.GetTeam(ctx, team); err != nil {
		return err
	}
	return s.requireP(p, a, team)
}

func (s *Server) listWebhooks(ctx context.Context, p *Principal, team string) ([]webhookJSON, error) {
	if err := s.teamFor(ctx, p, team, Configure); err != nil {
		return nil, err
	}
	hs, err := s.store.ListWebhooks(ctx, team)
	if err != nil {
		return nil, err
	}
	out := make([]webhookJSON, 0, len(hs))
	for _, h := range hs {
		out = append(out, webhookView(h))
	}
	return out, nil
}

// newWebhookSecret makes a signing secret.
func newWebhookSecret() string { return "whsec_" + randomSecret() }

func (s *Server) checkWebhook(h *store.Webhook, in webhookInput) error {
	if in.Name != nil {
		h.Name = strings.TrimSpace(*in.Name)
	}
	if h.Name == "" || len(h.Name) > 100 {
		return invalid("name: give the webhook a name of at most 100 characters (e.g. Slack #team-payments)")
	}
	if in.URL != nil {
		h.URL = strings.TrimSpace(*in.URL)
		if err := s.notifier.policy.CheckURL(h.URL); err != nil {
			return invalid("%v", err)
		}
	}
	if in.Kinds != nil {
		if err := notify.CheckKinds(*in.Kinds); err != nil {
			return invalid("kinds: %v", err)
		}
		h.Kinds = slices.Clone(*in.Kinds)
	}
	if in.Enabled != nil {
		h.Enabled = *in.Enabled
	}
	return nil
}

func (s *Server) createWebhook(ctx context.Context, p *Principal, team string, in webhookInput) (webhookJSON, error) {
	if err := s.teamFor(ctx, p, team, Configure); err != nil {
		return webhookJSON{}, err
	}
	if in.URL == nil {
		return webhookJSON{}, invalid("url: give the receiver's https:// URL")
	}
	h := store.Webhook{ID: "wh-" + newID(6), TeamID: team, Enabled: true}
	if err := s.checkWebhook(&h, in); err != nil {
		return webhookJSON{}, err
	}
	if hs, err := s.store.ListWebhooks(ctx, team); err != nil {
		return webhookJSON{}, err
	} else if len(hs) >= 20 {
		return webhookJSON{}, invalid("team %s has 20 webhooks already: delete one first", team)
	}
	secret := newWebhookSecret()
	sealed, err := s.notifier.seal(secret)
	if err != nil {
		return webhookJSON{}, err
	}
	h.Secret = sealed
	out, err := s.store.CreateWebhook(ctx, h, p.Actor())
	if err != nil {
		return webhookJSON{}, err
	}
	v := webhookView(out)
	v.Secret = secret
	return v, nil
}

// teamWebhook loads a webhook of team p may configure.
func (s *Server) teamWebhook(ctx context.Context, p *Principal, team, id string) (store.Webhook, error) {
	if err := s.teamFor(ctx, p, team, Configure); err != nil {
		return store.Webhook{}, err
	}
	h, err := s.store.GetWebhook(ctx, id)
	if err == nil && h.TeamID != team {
		err = store.ErrNotFound
	}
	return h, err
}

func (s *Server) updateWebhook(ctx context.Context, p *Principal, team, id string, in webhookInput) (webhookJSON, error) {
	h, err := s.teamWebhook(ctx, p, team, id)
	if err != nil {
		return webhookJSON{}, err
	}
	if err := s.checkWebhook(&h, in); err != nil {
		return webhookJSON{}, err
	}
	secret := ""
	if in.RotateSecret {
		secret = newWebhookSecret()
		if h.Secret, err = s.notifier.seal(secret); err != nil {
			return webhookJSON{}, err
		}
	}
	out, err := s.store.UpdateWebhook(ctx, h, p.Actor())
	if err != nil {
		return webhookJSON{}, err
	}
	v := webhookView(out)
	v.Secret = secret
	return v, nil
}

func (s *Server) deleteWebhook(ctx context.Context, p *Principal, team, id string) error {
	if _, err := s.teamWebhook(ctx, p, team, id); err != nil {
		return err
	}
	return s.store.DeleteWebhook(ctx, id, p.Actor())
}

// testNotifications queues a test message to the team's enabled webhooks
// (one, when webhook is set), whatever kinds they take, and to the
// caller's own email when the server sends email. It returns how many
// deliveries it queued.
func (s *Server) testNotifications(ctx context.Context, p *Principal, team, webhook string) (int, error) {
	if err := s.teamFor(ctx, p, team, Write); err != nil {
		return 0, err
	}
	ev := notify.Event{Key: "ward.test:" + newID(8), Kind: notify.Test, At: s.cfg.Now().UTC(), Team: team,
		Title: "Test notification from Ward", Text: fmt.Sprintf("Sent by %s to check team %s's notification settings.", p.display(), team),
		URL: s.notifier.cfg.BaseURL + "/teams/" + team + "/notifications", Actor: p.display(), ActorID: p.OwnerID}
	payload, err := json.Marshal(ev)
	if err != nil {
		return 0, err
	}
	hs, err := s.store.ListWebhooks(ctx, team)
	if err != nil {
		return 0, err
	}
	var ds []store.Delivery
	for _, h := range hs {
		if h.Enabled && (webhook == "" || h.ID == webhook) {
			ds = append(ds, store.Delivery{Key: ev.Key + "|webhook|" + h.ID, Channel: store.ChannelWebhook, Target: h.ID, TeamID: team, Kind: string(ev.Kind), Payload: payload, NextAttemptAt: ev.At})
		}
	}
	if webhook != "" && len(ds) == 0 {
		return 0, invalid("webhook %s is not an enabled webhook of team %s", webhook, team)
	}
	if s.notifier.cfg.SMTP != nil && p.Email != "" && webhook == "" {
		ds = append(ds, store.Delivery{Key: ev.Key + "|email|" + p.Email, Channel: store.ChannelEmail, Target: p.Email, TeamID: team, Kind: string(ev.Kind), Payload: payload, NextAttemptAt: ev.At})
	}
	n, err := s.store.EnqueueDeliveries(ctx, ds)
	if err != nil {
		return 0, err
	}
	s.notifier.worker.Wake()
	return n, nil
}

// deliveryJSON is one delivery of a team's webhooks.
type deliveryJSON struct {
	ID          int64     `json:"id"`
	Webhook     string    `json:"webhook"`
	Kind        string    `json:"kind"`
	State       string    `json:"state"`
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"next_attempt_at"`
	LastError   string    `json:"last_error"`
	CreatedAt   time.Time `json:"created_at"`
	DeliveredAt time.Time `json:"delivered_at"`
	Title       string    `json:"title"`
}

// teamDeliveries lists the latest deliveries to a team's webhooks.
func (s *Server) teamDeliveries(ctx context.Context, p *Principal, team string, pg store.Page) ([]deliveryJSON, int, error) {
	if err := s.teamFor(ctx, p, team, Write); err != nil {
		return nil, 0, err
	}
	ds, total, err := s.store.ListDeliveries(ctx, store.DeliveryQuery{TeamID: team, Channel: store.ChannelWebhook, Page: pg})
	if err != nil {
		return nil, 0, err
	}
	out := make([]deliveryJSON, 0, len(ds))
	for _, d := range ds {
		var ev notify.Event
		_ = json.Unmarshal(d.Payload, &ev)
		out = append(out, deliveryJSON{ID: d.ID, Webhook: d.Target, Kind: d.Kind, State: d.State, Attempts: d.Attempts, NextAttempt: d.NextAttemptAt,
			LastError: d.LastError, CreatedAt: d.CreatedAt, DeliveredAt: d.DeliveredAt, Title: ev.Title})
	}
	return out, total, nil
}

// prefsJSON is an account's notification preferences.
type prefsJSON struct {
	Email bool     `json:"email"`
	Kinds []string `json:"kinds"`
	// Default tells that the account has set none (these are the defaults).
	Default bool `json:"default"`
	// EmailConfigured tells whether this server sends email at all.
	EmailConfigured bool              `json:"email_configured"`
	Available       []notify.KindInfo `json:"available"`
}

// prefsInput changes preferences; nil fields stay as they are.
type prefsInput struct {
	Email *bool     `json:"email"`
	Kinds *[]string `json:"kinds"`
}

func errSignIn() error {
	return errorf(http.StatusForbidden, "forbidden", "notification preferences belong to an account: sign in (an API token has none)")
}

func (s *Server) getPrefs(ctx context.Context, p *Principal) (prefsJSON, error) {
	if p.UserID == "" {
		return prefsJSON{}, errSignIn()
	}
	_, err := s.store.NotifyPrefs(ctx, p.UserID)
	def := errors.Is(err, store.ErrNotFound)
	if err != nil && !def {
		return prefsJSON{}, err
	}
	pr, err := s.prefs(ctx, p.UserID)
	if err != nil {
		return prefsJSON{}, err
	}
	k := pr.Kinds
	if k == nil {
		k = []string{}
	}
	return prefsJSON{Email: pr.Email, Kinds: k, Default: def, EmailConfigured: s.notifier.cfg.SMTP != nil, Available: notify.Kinds}, nil
}

func (s *Server) setPrefs(ctx context.Context, p *Principal, in prefsInput) (prefsJSON, error) {
	if p.UserID == "" {
		return prefsJSON{}, errSignIn()
	}
	pr, err := s.prefs(ctx, p.UserID)
	if err != nil {
		return prefsJSON{}, err
	}
	if in.Email != nil {
		pr.Email = *in.Email
	}
	if in.Kinds != nil {
		if err := notify.CheckKinds(*in.Kinds); err != nil {
			return prefsJSON{}, invalid("kinds: %v", err)
		}
		pr.Kinds = *in.Kinds
	}
	if err := s.store.SetNotifyPrefs(ctx, pr); err != nil {
		return prefsJSON{}, err
	}
	return s.getPrefs(ctx, p)
}

// JSON handlers.

func (s *Server) handleListWebhooks(w http.ResponseWriter, r *http.Request) error {
	out, err := s.listWebhooks(r.Context(), principal(r.Context()), r.PathValue("team"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

func (s *Server) handleCreateWebhook(w http.ResponseWriter, r *http.Request) error {
	var in webhookInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.createWebhook(r.Context(), principal(r.Context()), r.PathValue("team"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) handleUpdateWebhook(w http.ResponseWriter, r *http.Request) error {
	var in webhookInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.updateWebhook(r.Context(), principal(r.Context()), r.PathValue("team"), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleDeleteWebhook(w http.ResponseWriter, r *http.Request) error {
	if err := s.deleteWebhook(r.Context(), principal(r.Context()), r.PathValue("team"), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleTestNotifications(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Webhook string `json:"webhook"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
	}
	n, err := s.testNotifications(r.Context(), principal(r.Context()), r.PathValue("team"), in.Webhook)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"queued": n})
	return nil
}

func (s *Server) handleTeamDeliveries(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	out, total, err := s.teamDeliveries(r.Context(), principal(r.Context()), r.PathValue("team"), pg)
	if err != nil {
		return err
	}
	writeList(w, out, total, pg)
	return nil
}

func (s *Server) handleGetPrefs(w http.ResponseWriter, r *http.Request) error {
	out, err := s.getPrefs(r.Context(), principal(r.Context()))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleSetPrefs(w http.ResponseWriter, r *http.Request) error {
	var in prefsInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.setPrefs(r.Context(), principal(r.Context()), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
