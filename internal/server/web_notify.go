package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wardtm/ward/internal/notify"
	"github.com/wardtm/ward/internal/store"
)

// Notification pages: my preferences (/account/notifications) and a
// team's webhooks with their latest deliveries (/teams/{team}/notifications,
// for administrators and the team's members). Every action is an operation
// of notify_api.go; a new or rotated signing secret is shown once, on the
// page answering the form.

func (s *Server) notifyPages(wr webRouter) {
	wr.page("GET /account/notifications", s.pageMyNotifications)
	wr.page("POST /account/notifications", s.pageSetMyNotifications)
	wr.page("GET /teams/{team}/notifications", s.pageTeamNotifications)
	wr.page("POST /teams/{team}/webhooks", s.pageCreateWebhook)
	wr.page("POST /teams/{team}/webhooks/{id}", s.pageChangeWebhook)
	wr.page("POST /teams/{team}/notifications/test", s.pageTestNotifications)
}

// formError sorts a form's error: a 4xx other than 403 and 404 is shown
// on the page again (status and message); others become the error page.
func formError(ferr error) (int, string, error) {
	if ferr == nil {
		return http.StatusOK, "", nil
	}
	pe := classify(ferr)
	if pe == nil || pe.Status >= 500 || pe.Status == http.StatusNotFound || pe.Status == http.StatusForbidden {
		return 0, "", ferr
	}
	return pe.Status, pe.Msg, nil
}

// eventChoice is a kind with whether it is ticked.
type eventChoice struct {
	notify.KindInfo
	On bool
}

func eventChoices(on []string, allWhenEmpty bool) []eventChoice {
	out := make([]eventChoice, 0, len(notify.Kinds))
	for _, k := range notify.Kinds {
		ticked := allWhenEmpty && len(on) == 0
		for _, x := range on {
			ticked = ticked || x == string(k.Kind)
		}
		out = append(out, eventChoice{KindInfo: k, On: ticked})
	}
	return out
}

// formKinds reads the ticked kinds of a form.
func formKinds(r *http.Request) []string {
	var out []string
	for _, k := range r.PostForm["kinds"] {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

type myNotifyView struct {
	Prefs prefsJSON
	Kinds []eventChoice
	Team  string
	Error string
}

func (s *Server) myNotifyAnswer(w http.ResponseWriter, r *http.Request, ferr error) error {
	p := principal(r.Context())
	status, msg, err := formError(ferr)
	if err != nil {
		return err
	}
	pr, err := s.getPrefs(r.Context(), p)
	if err != nil {
		return err
	}
	v := myNotifyView{Prefs: pr, Kinds: eventChoices(pr.Kinds, false), Error: msg}
	if Allowed(p, Configure, p.TeamID) {
		v.Team = p.TeamID
	}
	return s.renderStatus(w, r, status, "notify_account.html", "layout", s.viewFor(w, r, "Notification preferences", v))
}

func (s *Server) pageMyNotifications(w http.ResponseWriter, r *http.Request) error {
	return s.myNotifyAnswer(w, r, nil)
}

func (s *Server) pageSetMyNotifications(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	email := r.PostFormValue("email") == "on"
	kinds := formKinds(r)
	if _, err := s.setPrefs(r.Context(), principal(r.Context()), prefsInput{Email: &email, Kinds: &kinds}); err != nil {
		return s.myNotifyAnswer(w, r, err)
	}
	return s.done(w, r, "/account/notifications", "Notification preferences saved.")
}

type teamNotifyView struct {
	Team       string
	Webhooks   []webhookJSON
	Deliveries []deliveryJSON
	Total      int
	Kinds      []eventChoice
	Email      bool
	Private    bool
	Sealed     bool
	Secret     *secret
	Error      string
}

func (s *Server) teamNotifyAnswer(w http.ResponseWriter, r *http.Request, sec *secret, ferr error) error {
	ctx := r.Context()
	p := principal(ctx)
	team := r.PathValue("team")
	status, msg, err := formError(ferr)
	if err != nil {
		return err
	}
	hooks, err := s.listWebhooks(ctx, p, team)
	if err != nil {
		return err
	}
	ds, total, err := s.teamDeliveries(ctx, p, team, store.Page{Limit: 20})
	if err != nil {
		return err
	}
	v := teamNotifyView{Team: team, Webhooks: hooks, Deliveries: ds, Total: total, Kinds: eventChoices(nil, true),
		Email: s.notifier.cfg.SMTP != nil, Private: s.notifier.cfg.AllowPrivate, Sealed: s.notifier.sealer.Encrypts(), Secret: sec, Error: msg}
	return s.renderStatus(w, r, status, "notify_team.html", "layout", s.viewFor(w, r, "Notifications of team "+team, v))
}

func (s *Server) pageTeamNotifications(w http.ResponseWriter, r *http.Request) error {
	return s.teamNotifyAnswer(w, r, nil, nil)
}

func secretShown(h webhookJSON) *secret {
	return &secret{What: "Signing secret of webhook " + h.Name, Value: h.Secret,
		Hint: "Copy it now: Ward will not show it again. The receiver checks each request's Ward-Signature with it (docs/notifications.md)."}
}

func (s *Server) pageCreateWebhook(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	name, url, kinds := formValue(r, "name"), formValue(r, "url"), formKinds(r)
	if len(kinds) == len(notify.Kinds) {
		kinds = []string{} // every kind, including kinds added later
	}
	h, err := s.createWebhook(r.Context(), principal(r.Context()), r.PathValue("team"), webhookInput{Name: &name, URL: &url, Kinds: &kinds})
	if err != nil {
		return s.teamNotifyAnswer(w, r, nil, err)
	}
	return s.teamNotifyAnswer(w, r, secretShown(h), nil)
}

// pageChangeWebhook enables, disables, rotates the secret of, or deletes
// a webhook (the form's "do").
func (s *Server) pageChangeWebhook(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx, p, team, id := r.Context(), principal(r.Context()), r.PathValue("team"), r.PathValue("id")
	to := "/teams/" + team + "/notifications"
	var in webhookInput
	switch formValue(r, "do") {
	case "delete":
		if err := s.deleteWebhook(ctx, p, team, id); err != nil {
			return s.teamNotifyAnswer(w, r, nil, err)
		}
		return s.done(w, r, to, "Webhook deleted.")
	case "enable", "disable":
		on := formValue(r, "do") == "enable"
		in.Enabled = &on
	case "rotate":
		in.RotateSecret = true
	default:
		return s.teamNotifyAnswer(w, r, nil, invalid("do: enable, disable, rotate or delete"))
	}
	h, err := s.updateWebhook(ctx, p, team, id, in)
	if err != nil {
		return s.teamNotifyAnswer(w, r, nil, err)
	}
	if in.RotateSecret {
		return s.teamNotifyAnswer(w, r, secretShown(h), nil)
	}
	return s.done(w, r, to, "Webhook "+h.Name+" "+formValue(r, "do")+"d.")
}

func (s *Server) pageTestNotifications(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	team := r.PathValue("team")
	n, err := s.testNotifications(r.Context(), principal(r.Context()), team, formValue(r, "webhook"))
	if err != nil {
		return s.teamNotifyAnswer(w, r, nil, err)
	}
	msg := "Test message queued."
	if n != 1 {
		msg = "Test messages queued (" + strconv.Itoa(n) + ")."
	}
	return s.done(w, r, "/teams/"+team+"/notifications", msg+" Reload to see the deliveries.")
}
