package server

// The programme settings page (administrators): the graduation rules and
// the cost model with each figure's source, over the same operations as
// GET/PUT /api/v1/programme/settings (programmeConfig, setProgrammeConfig).
// The page only turns the form into the operation's JSON and shows each
// problem the operation finds next to its field.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/wardtm/ward/internal/programme"
)

// settingRule is one graduation rule on the page: its JSON key and label.
type settingRule struct {
	Key, Label, Group string
	Share             bool
}

var rulesOnPage = []settingRule{
	{"training_exercises", "Training exercises completed", "Training → Observation", false},
	{"observed_sessions", "Sessions security observed", "Training → Observation", false},
	{"observation_models", "Reviewed models looked at (the last N)", "Observation → Review", false},
	{"observation_max_critical", "At most this many critical threats added by security", "Observation → Review", false},
	{"observation_max_high", "At most this many high threats added by security", "Observation → Review", false},
	{"review_models", "Reviewed models looked at (the last N)", "Review → Security-optional", false},
	{"review_months", "Over at least this many months", "Review → Security-optional", false},
	{"review_max_critical", "At most this many critical threats added by security", "Review → Security-optional", false},
	{"review_max_high", "At most this many high threats added by security", "Review → Security-optional", false},
	{"review_max_medium_share", "At most this share of the medium threats added by security (0–1)", "Review → Security-optional", true},
	{"review_max_critical_escapes", "At most this many critical escapes", "Review → Security-optional", false},
	{"step_back_critical_escapes", "Critical escapes that propose a step back", "Step back", false},
	{"step_back_high_escapes", "High escapes that propose a step back", "Step back", false},
	{"step_back_days", "… within this many days", "Step back", false},
	{"sample_share", "Share of a Security-optional team's designs security still reviews (0–1, highest risk first)", "Sampling", true},
}

// settingFigure is one figure of the cost model on the page.
type settingFigure struct {
	Key, Label string // Key is the JSON key ("engineer_rate", "bounty.high")
	Money      bool
}

var figuresOnPage = []settingFigure{
	{"production_multiplier", "Production fix multiplier (× the design-time fix)", false},
	{"design_fix_hours", "Design-time fix (engineer-hours per threat)", false},
	{"engineer_rate", "Engineer rate", true},
	{"pen_test_day_rate", "Pen-test day rate", true},
	{"pen_test_days_per_finding", "Pen-test days per finding", false},
	{"bounty.critical", "Bug bounty, critical", true},
	{"bounty.high", "Bug bounty, high", true},
	{"bounty.medium", "Bug bounty, medium", true},
	{"bounty.low", "Bug bounty, low", true},
	{"breach", "Data breach (context only, never added)", true},
}

// settingsField is a field's value and problem on the page.
type settingsField struct {
	Name, Label, Value, Error string
	Share                     bool
}

type settingsFigureRow struct {
	Key, Label                   string
	Money                        bool
	Low, Central, High           settingsField
	Currency, Unit, Source, Self settingsField // Self: the figure as a whole (low ≤ central ≤ high)
}

type programmeSettingsPage struct {
	Groups   []settingsGroup
	Currency settingsField
	Figures  []settingsFigureRow
	// Error is a problem no field holds (shown at the top).
	Error string
}

type settingsGroup struct {
	Name   string
	Fields []settingsField
}

// settingsView fills the page from values (form names → text) and
// problems (field → message).
func settingsView(values, problems map[string]string) programmeSettingsPage {
	var v programmeSettingsPage
	if len(problems) > 0 {
		v.Error = fmt.Sprintf("Nothing was saved: %d problem(s), each shown next to its field.", len(problems))
	}
	field := func(name, label string) settingsField {
		return settingsField{Name: name, Label: label, Value: values[name], Error: problems[name]}
	}
	for _, r := range rulesOnPage {
		if len(v.Groups) == 0 || v.Groups[len(v.Groups)-1].Name != r.Group {
			v.Groups = append(v.Groups, settingsGroup{Name: r.Group})
		}
		f := field("rules."+r.Key, r.Label)
		f.Share = r.Share
		g := &v.Groups[len(v.Groups)-1]
		g.Fields = append(g.Fields, f)
	}
	v.Currency = field("costs.currency", "Currency of the cost view (ISO 4217 code)")
	for _, f := range figuresOnPage {
		n := "costs." + f.Key
		v.Figures = append(v.Figures, settingsFigureRow{Key: f.Key, Label: f.Label, Money: f.Money,
			Low: field(n+".low", "Low"), Central: field(n+".central", "Central"), High: field(n+".high", "High"),
			Currency: field(n+".currency", "Currency"), Unit: field(n+".unit", "Unit"), Source: field(n+".source", "Source"),
			Self: settingsField{Error: problems[n]}})
	}
	return v
}

// settingsValues turns the stored configuration into the form's values.
func settingsValues(c programmeConfig) map[string]string {
	out := map[string]string{}
	var rules map[string]any
	b, _ := json.Marshal(c.Rules)
	_ = json.Unmarshal(b, &rules)
	for k, x := range rules {
		out["rules."+k] = strconv.FormatFloat(x.(float64), 'f', -1, 64)
	}
	out["costs.currency"] = c.Costs.Currency
	for _, f := range figuresOnPage {
		fig := costFigure(c.Costs, f.Key)
		n := "costs." + f.Key
		if fig.Set() {
			out[n+".low"] = strconv.FormatFloat(fig.Low, 'f', -1, 64)
			out[n+".central"] = strconv.FormatFloat(fig.Central, 'f', -1, 64)
			out[n+".high"] = strconv.FormatFloat(fig.High, 'f', -1, 64)
		}
		out[n+".currency"], out[n+".unit"], out[n+".source"] = fig.Currency, fig.Unit, fig.Source
	}
	return out
}

// costFigure returns the figure with the page's key.
func costFigure(c programme.CostModel, key string) programme.Figure {
	switch key {
	case "production_multiplier":
		return c.ProductionMultiplier
	case "design_fix_hours":
		return c.DesignFixHours
	case "engineer_rate":
		return c.EngineerRate
	case "pen_test_day_rate":
		return c.PenTestDayRate
	case "pen_test_days_per_finding":
		return c.PenTestDaysPerFinding
	case "breach":
		return c.Breach
	}
	if len(key) > 7 && key[:7] == "bounty." {
		return c.Bounty[key[7:]]
	}
	return programme.Figure{}
}

func (s *Server) pageProgrammeSettings(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	if err := s.requireP(p, Admin, ""); err != nil {
		return err
	}
	c, err := s.programmeConfig(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, "programme_settings.html", "Programme settings", settingsView(settingsValues(c), nil))
}

func (s *Server) pageSetProgrammeSettings(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(ctx)
	if err := s.requireP(p, Admin, ""); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if formValue(r, "reset") == "1" {
		if _, err := s.setProgrammeConfig(ctx, p, json.RawMessage("{}"), json.RawMessage("{}")); err != nil {
			return err
		}
		return s.done(w, r, "/programme/settings", "Programme settings restored to the defaults.")
	}
	values, problems := map[string]string{}, map[string]string{}
	num := func(name string) float64 {
		t := formValue(r, name)
		values[name] = t
		if t == "" {
			return 0
		}
		x, err := strconv.ParseFloat(t, 64)
		if err != nil {
			problems[name] = "write a number"
		}
		return x
	}
	text := func(name string) string {
		t := formValue(r, name)
		values[name] = t
		return t
	}
	rules := map[string]any{}
	for _, f := range rulesOnPage {
		x := num("rules." + f.Key)
		if f.Share {
			rules[f.Key] = x
		} else if x != float64(int(x)) {
			problems["rules."+f.Key] = "write a whole number"
		} else {
			rules[f.Key] = int(x)
		}
	}
	costs := map[string]any{"currency": text("costs.currency")}
	bounty := map[string]any{}
	for _, f := range figuresOnPage {
		n := "costs." + f.Key
		fig := programme.Figure{Low: num(n + ".low"), Central: num(n + ".central"), High: num(n + ".high"), Unit: text(n + ".unit"), Source: text(n + ".source")}
		if f.Money {
			fig.Currency = text(n + ".currency")
		}
		if len(f.Key) > 7 && f.Key[:7] == "bounty." {
			if fig.Set() {
				bounty[f.Key[7:]] = fig
			}
			continue
		}
		costs[f.Key] = fig
	}
	costs["bounty"] = bounty
	if len(problems) == 0 {
		rj, _ := json.Marshal(rules)
		cj, _ := json.Marshal(costs)
		_, err := s.setProgrammeConfig(ctx, p, rj, cj)
		if err == nil {
			return s.done(w, r, "/programme/settings", "Programme settings saved.")
		}
		var pe *Error
		if !errors.As(err, &pe) || pe.Status != http.StatusBadRequest {
			return err
		}
		fe, _ := pe.Details.(programme.Invalid)
		for _, e := range fe {
			problems[e.Field] += e.Msg
		}
		v := settingsView(values, problems)
		if len(fe) == 0 {
			v.Error = "Nothing was saved: " + pe.Msg
		}
		return s.renderStatus(w, r, http.StatusBadRequest, "programme_settings.html", "layout", s.viewFor(w, r, "Programme settings", v))
	}
	return s.renderStatus(w, r, http.StatusBadRequest, "programme_settings.html", "layout", s.viewFor(w, r, "Programme settings", settingsView(values, problems)))
}
