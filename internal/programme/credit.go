package programme

// Finding is a threat of an analysed model version as the programme needs
// it: who found it, how severe it is before mitigation, where it stands.
type Finding struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Origin is people (written in the model), builtin or custom (the engine).
	Origin   string `json:"origin"`
	FoundBy  string `json:"found_by"`
	Severity string `json:"severity"` // inherent: as found, before mitigation
	Status   string `json:"status"`
	// Decided says the team decided on an engine finding (accepted,
	// mitigated, false positive, transferred).
	Decided    bool     `json:"decided,omitempty"`
	Categories []string `json:"categories"`
	Elements   []string `json:"elements"`
	CWE        []int    `json:"cwe,omitempty"`
}

// Threat is a threat credited to whoever found it, after Attribute folded
// the engine's duplicates of people's threats into them.
type Threat struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	FoundBy  string `json:"found_by"`
	Severity string `json:"severity"`
	Status   string `json:"status"`
	Element  string `json:"element,omitempty"`
	Category string `json:"category,omitempty"`
	// AlsoEngine lists the engine findings that raised the same threat
	// (same element, same STRIDE category): they count once, for whoever
	// wrote the threat.
	AlsoEngine []string `json:"also_engine,omitempty"`
}

// Closed reports whether the threat is dealt with: mitigated, or judged a
// false positive or transferred. Accepted threats stay open risk.
func (t Threat) Closed() bool {
	return t.Status == "mitigated" || t.Status == "false_positive" || t.Status == "transferred"
}

// Attribute credits each threat of a version to who found it. A threat
// people wrote that the engine also raised (an engine finding on one of
// its elements in one of its STRIDE categories) counts once, for the
// people who wrote it — a team that found a threat the engine would also
// have raised gets the credit. The remaining engine findings count for the
// engine (found_by tool). Severity is the worse of the two.
func Attribute(fs []Finding) []Threat {
	type key struct{ el, cat string }
	people := map[key]int{}
	var out []Threat
	for _, f := range fs {
		if f.Origin != "people" {
			continue
		}
		t := Threat{ID: f.ID, Title: f.Title, FoundBy: f.FoundBy, Severity: f.Severity, Status: f.Status, Element: first(f.Elements), Category: first(f.Categories)}
		if t.FoundBy == "" {
			t.FoundBy = ByTeam
		}
		for _, el := range f.Elements {
			for _, c := range f.Categories {
				if _, ok := people[key{el, c}]; !ok {
					people[key{el, c}] = len(out)
				}
			}
		}
		out = append(out, t)
	}
	for _, f := range fs {
		if f.Origin == "people" {
			continue
		}
		i, matched := -1, false
		for _, el := range f.Elements {
			for _, c := range f.Categories {
				if j, ok := people[key{el, c}]; ok && !matched {
					i, matched = j, true
				}
			}
		}
		if matched {
			t := &out[i]
			t.AlsoEngine = append(t.AlsoEngine, f.ID)
			if SevRank(f.Severity) > SevRank(t.Severity) {
				t.Severity = f.Severity
			}
			continue
		}
		out = append(out, Threat{ID: f.ID, Title: f.Title, FoundBy: ByTool, Severity: f.Severity, Status: f.Status,
			Element: first(f.Elements), Category: first(f.Categories)})
	}
	return out
}

// Tally counts threats by who found them and severity.
type Tally map[string]map[string]int

// Add counts one threat.
func (t Tally) Add(foundBy, severity string) {
	if t[foundBy] == nil {
		t[foundBy] = map[string]int{}
	}
	t[foundBy][severity]++
}

// Get returns a count (0 when absent).
func (t Tally) Get(foundBy, severity string) int { return t[foundBy][severity] }

// Total counts a source's threats of every severity.
func (t Tally) Total(foundBy string) int {
	n := 0
	for _, v := range t[foundBy] {
		n += v
	}
	return n
}

// TallyOf counts threats by source and severity.
func TallyOf(ts []Threat) Tally {
	out := Tally{}
	for _, t := range ts {
		out.Add(t.FoundBy, t.Severity)
	}
	return out
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}
