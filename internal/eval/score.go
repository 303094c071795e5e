package eval

import (
	"slices"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/report"
)

// ReportSchema identifies the JSON form of a Report.
const ReportSchema = "ward.eval/v1"

// TopN is how many of Ward's best-ranked threats count as its top list.
const TopN = 10

// Weight is how much a listed threat of each severity counts towards
// weighted recall: critical 4, high 3, medium 2, low 1.
func Weight(s model.Severity) int {
	switch s {
	case model.SevCritical:
		return 4
	case model.SevHigh:
		return 3
	case model.SevMedium:
		return 2
	case model.SevLow:
		return 1
	}
	return 0
}

// Raised reports whether a threat of this status counts as raised: open
// (a stated gap) or unverified (not known to be mitigated).
func Raised(status string) bool { return status == "open" || status == "unverified" }

// Report is the benchmark's outcome over a set of cases.
type Report struct {
	Schema string       `json:"schema"`
	Cases  []CaseResult `json:"cases"`
	Total  Totals       `json:"total"`
}

// Counts are the raw numbers a score is made of; they add up across cases.
type Counts struct {
	// Listed is how many threats the reviewer listed; Matched how many of
	// them Ward raised.
	Listed  int `json:"listed"`
	Matched int `json:"matched"`
	// Weight is the listed threats' total weight; Found the weight of those
	// Ward raised.
	Weight int `json:"weight"`
	Found  int `json:"found"`
	// Raised counts Ward's open and unverified threats (threats written in
	// the model by people are not counted).
	Raised     int `json:"raised"`
	Open       int `json:"open"`
	Unverified int `json:"unverified"`
	// OnList counts the raised threats that match at least one listed
	// threat; the rest are what a reviewer did not write down.
	OnList int `json:"on_list"`
	// RaisedPerLine counts each raised threat once per listed threat it
	// matches (once if it matches none): a threat that names several
	// elements (a zone-wide threat) and matches lines a reviewer wrote
	// apart counts as many times as it stands for lines, so that merging
	// threats cannot lower the noise by matching more lines each.
	RaisedPerLine int `json:"raised_per_line"`
	// HighListed counts listed high and critical threats; HighInTop those
	// among them matched by one of Ward's top ten.
	HighListed int `json:"high_listed"`
	HighInTop  int `json:"high_in_top10"`
	// HighInTopStrict counts those among them matched by one of Ward's top
	// ten through its primary target: the element the threat is on, or a
	// flow threat's flow and receiver (not the further elements a
	// zone-wide or merged threat names).
	HighInTopStrict int `json:"high_in_top10_strict"`
	// HighReachable is how many listed high and critical threats a top ten
	// can hold at best: min(10, HighListed) per case, added up across cases
	// (a case listing 18 of them cannot have more than 10 in its top ten).
	HighReachable int `json:"high_in_top10_reachable"`
	// Top3Listed counts the reviewer's top three; Top3InTop those matched
	// by one of Ward's top ten.
	Top3Listed int `json:"top3_listed"`
	Top3InTop  int `json:"top3_in_top10"`
	// Questions is how many entries the result's question list has (an
	// element's further questions grouped under one entry count as one);
	// AllQuestions counts the grouped ones too. Elements is how many
	// components and flows the model has.
	Questions    int `json:"questions"`
	AllQuestions int `json:"all_questions"`
	Elements     int `json:"elements"`
}

// Scores are the benchmark's figures, each from Counts. A ratio whose
// denominator is zero is reported as 0.
type Scores struct {
	// Recall is weighted recall: Found / Weight.
	Recall float64 `json:"weighted_recall"`
	// PlainRecall is Matched / Listed.
	PlainRecall float64 `json:"recall"`
	// Noise is Raised / Listed.
	Noise float64 `json:"noise_ratio"`
	// LineNoise is RaisedPerLine / Listed: the noise with each raised
	// threat counted once per listed threat it matches.
	LineNoise float64 `json:"noise_per_line"`
	// OnList is OnList / Raised: the share of raised threats a reviewer
	// listed too.
	OnList float64 `json:"on_list"`
	// HighTop is HighInTop / HighListed.
	HighTop float64 `json:"high_in_top10"`
	// HighTopStrict is HighInTopStrict / HighListed.
	HighTopStrict float64 `json:"high_in_top10_strict"`
	// HighTopReachable is HighInTop / HighReachable.
	HighTopReachable float64 `json:"high_in_top10_of_reachable"`
	// Top3 is Top3InTop / Top3Listed.
	Top3 float64 `json:"top3_in_top10"`
	// QuestionsPerElement is Questions / Elements.
	QuestionsPerElement float64 `json:"questions_per_element"`
	// AllQuestionsPerElement is AllQuestions / Elements.
	AllQuestionsPerElement float64 `json:"all_questions_per_element"`
}

// CaseResult is one case's counts, scores and per-threat outcome.
type CaseResult struct {
	Case    string         `json:"case"`
	Source  string         `json:"source,omitempty"`
	Model   string         `json:"model"`
	Counts  Counts         `json:"counts"`
	Scores  Scores         `json:"scores"`
	Threats []ThreatResult `json:"threats"`
}

// Totals pools every case's counts and scores them.
type Totals struct {
	Cases  int    `json:"cases"`
	Counts Counts `json:"counts"`
	Scores Scores `json:"scores"`
	// MeanRecall is the mean of the cases' weighted recall: every case
	// counts the same, however long its list.
	MeanRecall float64 `json:"mean_weighted_recall"`
	// ByCategory and BySeverity break the listed threats down by STRIDE
	// category and by the reviewer's severity.
	ByCategory map[string]Tally `json:"by_category"`
	BySeverity map[string]Tally `json:"by_severity"`
}

// Tally counts listed threats, those Ward raised, and those in its top 10.
type Tally struct {
	Listed  int `json:"listed"`
	Matched int `json:"matched"`
	InTop   int `json:"in_top10"`
}

// ThreatResult says whether and how Ward found one listed threat.
type ThreatResult struct {
	ID       string   `json:"id"`
	Targets  []string `json:"targets"`
	Category string   `json:"category"`
	Severity string   `json:"severity"`
	Text     string   `json:"text"`
	Top3     bool     `json:"top3,omitempty"`
	Found    bool     `json:"found"`
	// Matches lists the ids of Ward's threats that match it.
	Matches []string `json:"matches"`
	// Status is the status of the best-ranked match.
	Status string `json:"status,omitempty"`
	// Rank is the best rank among raised matches (0 when none is raised).
	Rank  int  `json:"rank,omitempty"`
	InTop bool `json:"in_top10"`
	// InTopStrict says one of Ward's top ten matches it through its
	// primary target (see Counts.HighInTopStrict).
	InTopStrict bool `json:"in_top10_strict"`
}

// matches reports whether Ward's threat f is about the listed threat t:
// same STRIDE category, and one of t's accepted targets among f's targets.
func matches(t *Threat, f *report.Finding) bool {
	if f.Origin == string(model.OriginPeople) {
		return false
	}
	cat := string(t.Category)
	if f.Category != cat && !slices.Contains(f.Categories, cat) {
		return false
	}
	for _, tg := range f.Targets {
		if slices.Contains(t.Targets, tg.ID) {
			return true
		}
	}
	return false
}

// Score scores Ward's result against the reviewer's list.
func Score(ref *Reference, res *report.Result) *CaseResult {
	cr := &CaseResult{Case: ref.Case, Source: ref.Source, Model: ref.Model, Threats: []ThreatResult{}}
	c := &cr.Counts
	var raised []*report.Finding
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.Origin == string(model.OriginPeople) || !Raised(f.Status) {
			continue
		}
		raised = append(raised, f)
		if f.Status == "open" {
			c.Open++
		} else {
			c.Unverified++
		}
	}
	c.Raised = len(raised)
	slices.SortStableFunc(raised, func(a, b *report.Finding) int { return a.Rank - b.Rank })
	top := map[string]bool{}
	for _, f := range raised[:min(TopN, len(raised))] {
		top[f.ID] = true
	}
	for _, f := range raised {
		n := 0
		for i := range ref.Threats {
			if matches(&ref.Threats[i], f) {
				n++
			}
		}
		if n > 0 {
			c.OnList++
		}
		c.RaisedPerLine += max(1, n)
	}
	for i := range ref.Threats {
		t := &ref.Threats[i]
		tr := ThreatResult{ID: t.ID, Targets: t.Targets, Category: string(t.Category), Severity: t.Severity.String(),
			Text: t.Text, Top3: slices.Contains(ref.Top3, t.ID), Matches: []string{}}
		for j := range res.Findings {
			f := &res.Findings[j]
			if !matches(t, f) {
				continue
			}
			counted := Raised(f.Status) || t.Mitigated && f.Status == string(model.StatusMitigated)
			if !counted {
				continue
			}
			tr.Matches = append(tr.Matches, f.ID)
			tr.Found = true
			if Raised(f.Status) && (tr.Rank == 0 || f.Rank < tr.Rank) {
				tr.Rank, tr.Status = f.Rank, f.Status
			}
			if tr.Status == "" {
				tr.Status = f.Status
			}
			if top[f.ID] {
				tr.InTop = true
				if matchesStrictly(t, f) {
					tr.InTopStrict = true
				}
			}
		}
		w := Weight(t.Severity)
		c.Listed++
		c.Weight += w
		if tr.Found {
			c.Matched++
			c.Found += w
		}
		if t.Severity >= model.SevHigh {
			c.HighListed++
			if tr.InTop {
				c.HighInTop++
			}
			if tr.InTopStrict {
				c.HighInTopStrict++
			}
		}
		if tr.Top3 {
			c.Top3Listed++
			if tr.InTop {
				c.Top3InTop++
			}
		}
		cr.Threats = append(cr.Threats, tr)
	}
	c.HighReachable = min(TopN, c.HighListed)
	c.Questions = len(res.Questions)
	c.AllQuestions = c.Questions
	for _, q := range res.Questions {
		c.AllQuestions += len(q.More)
	}
	c.Elements = len(res.Components) + len(res.Flows)
	cr.Scores = c.Scores()
	return cr
}

// Scores computes the figures from the counts.
func (c Counts) Scores() Scores {
	return Scores{
		Recall:                 ratio(c.Found, c.Weight),
		PlainRecall:            ratio(c.Matched, c.Listed),
		Noise:                  ratio(c.Raised, c.Listed),
		LineNoise:              ratio(c.RaisedPerLine, c.Listed),
		OnList:                 ratio(c.OnList, c.Raised),
		HighTop:                ratio(c.HighInTop, c.HighListed),
		HighTopStrict:          ratio(c.HighInTopStrict, c.HighListed),
		HighTopReachable:       ratio(c.HighInTop, c.HighReachable),
		Top3:                   ratio(c.Top3InTop, c.Top3Listed),
		QuestionsPerElement:    ratio(c.Questions, c.Elements),
		AllQuestionsPerElement: ratio(c.AllQuestions, c.Elements),
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// total pools the cases' counts: overall scores weigh every listed threat
// (and every element) the same, whichever case it is in.
func total(cs []CaseResult) Totals {
	t := Totals{Cases: len(cs)}
	for _, c := range cs {
		a, b := &t.Counts, c.Counts
		a.Listed += b.Listed
		a.Matched += b.Matched
		a.Weight += b.Weight
		a.Found += b.Found
		a.Raised += b.Raised
		a.Open += b.Open
		a.Unverified += b.Unverified
		a.OnList += b.OnList
		a.RaisedPerLine += b.RaisedPerLine
		a.HighListed += b.HighListed
		a.HighInTop += b.HighInTop
		a.HighInTopStrict += b.HighInTopStrict
		a.HighReachable += b.HighReachable
		a.Top3Listed += b.Top3Listed
		a.Top3InTop += b.Top3InTop
		a.Questions += b.Questions
		a.AllQuestions += b.AllQuestions
		a.Elements += b.Elements
	}
	t.Scores = t.Counts.Scores()
	t.ByCategory, t.BySeverity = map[string]Tally{}, map[string]Tally{}
	for _, c := range cs {
		t.MeanRecall += c.Scores.Recall / float64(len(cs))
		for _, tr := range c.Threats {
			for _, m := range []struct {
				to  map[string]Tally
				key string
			}{{t.ByCategory, tr.Category}, {t.BySeverity, tr.Severity}} {
				x := m.to[m.key]
				x.Listed++
				if tr.Found {
					x.Matched++
				}
				if tr.InTop {
					x.InTop++
				}
				m.to[m.key] = x
			}
		}
	}
	return t
}
