package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"strings"
)

// slackEscape escapes the three characters Slack's mrkdwn reserves.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// WebhookBody is the JSON a webhook receives: Slack's incoming-webhook
// message (text, with the same text as a section block) and the event
// itself under "ward" for receivers that are not Slack.
func WebhookBody(e Event) ([]byte, error) {
	text := "*" + slackEscape.Replace(e.Title) + "*"
	if e.Text != "" {
		text += "\n" + slackEscape.Replace(e.Text)
	}
	if e.URL != "" && (strings.HasPrefix(e.URL, "https://") || strings.HasPrefix(e.URL, "http://")) {
		text += "\n<" + slackEscape.Replace(e.URL) + "|Open in Ward>"
	}
	body := map[string]any{
		"text": text,
		"blocks": []any{map[string]any{
			"type": "section",
			"text": map[string]string{"type": "mrkdwn", "text": text},
		}},
		"ward": e,
	}
	return json.Marshal(body)
}

// Mail is an email: a subject and the same message as plain text and
// HTML.
type Mail struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

var mailHTML = template.Must(template.New("mail").Parse(`<!doctype html>
<html><body style="font-family: sans-serif; color: #1a1a1a">
<p><strong>{{.Title}}</strong></p>
{{range .Lines}}<p>{{.}}</p>
{{end}}{{if .URL}}<p><a href="{{.URL}}">Open in Ward</a></p>
{{end}}<p style="color: #555; font-size: 90%">You receive this because of your Ward notification preferences ({{.Kind}}).{{if .Prefs}} Change them at <a href="{{.Prefs}}">{{.Prefs}}</a>.{{end}}</p>
</body></html>
`))

// EmailFor renders an event as an email to one address. prefsURL links to
// the preferences page ("" to leave it out).
func EmailFor(e Event, to, prefsURL string) (Mail, error) {
	var text strings.Builder
	text.WriteString(e.Title + "\n")
	if e.Text != "" {
		text.WriteString("\n" + e.Text + "\n")
	}
	if e.URL != "" {
		text.WriteString("\nOpen in Ward: " + e.URL + "\n")
	}
	fmt.Fprintf(&text, "\n-- \nYou receive this because of your Ward notification preferences (%s).\n", e.Kind)
	if prefsURL != "" {
		text.WriteString("Change them at " + prefsURL + "\n")
	}
	var lines []string
	for _, l := range strings.Split(e.Text, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	// Only absolute http(s) links become links in HTML.
	link := func(u string) string {
		if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
			return u
		}
		return ""
	}
	var html bytes.Buffer
	err := mailHTML.Execute(&html, map[string]any{"Title": e.Title, "Lines": lines, "URL": link(e.URL), "Kind": string(e.Kind), "Prefs": link(prefsURL)})
	if err != nil {
		return Mail{}, err
	}
	return Mail{To: to, Subject: "[Ward] " + e.Title, Text: text.String(), HTML: html.String()}, nil
}
