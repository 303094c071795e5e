package programme

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Figure is one configurable cost figure: a range with a central value,
// its unit and currency, and where the numbers come from. Ward never shows
// a single precise number: every figure it derives is a range.
type Figure struct {
	Low      float64 `json:"low"`
	Central  float64 `json:"central"`
	High     float64 `json:"high"`
	Currency string  `json:"currency,omitempty"` // for money; empty for ratios and hours
	Unit     string  `json:"unit"`
	Source   string  `json:"source"`
}

// Set reports whether the figure has a value.
func (f Figure) Set() bool { return f.High > 0 }

// CostModel holds the figures of the cost view. Defaults come from public
// sources (docs/programme.md lists them); an organisation replaces them
// with its own.
type CostModel struct {
	// Currency is the organisation's currency (ISO 4217 code).
	Currency string `json:"currency"`
	// EngineerRate is the loaded cost of an engineer-hour.
	EngineerRate Figure `json:"engineer_rate"`
	// DesignFixHours is the engineer-hours to fix one threat at design time.
	DesignFixHours Figure `json:"design_fix_hours"`
	// ProductionMultiplier is how many times more the same fix costs in
	// production.
	ProductionMultiplier Figure `json:"production_multiplier"`
	// Bounty is what a bug-bounty finding of each severity costs.
	Bounty map[string]Figure `json:"bounty"`
	// PenTestDayRate and PenTestDaysPerFinding price a pen-test finding.
	PenTestDayRate        Figure `json:"pen_test_day_rate"`
	PenTestDaysPerFinding Figure `json:"pen_test_days_per_finding"`
	// Breach is context only (never added to anything): the average cost
	// of a data breach.
	Breach Figure `json:"breach"`
}

// DefaultCostModel returns the defaults with their sources.
func DefaultCostModel() CostModel {
	return CostModel{
		Currency: "USD",
		EngineerRate: Figure{Low: 75, Central: 100, High: 150, Currency: "USD", Unit: "per engineer-hour",
			Source: "placeholder, not a published figure: set your organisation's loaded engineer rate"},
		DesignFixHours: Figure{Low: 1, Central: 4, High: 8, Unit: "engineer-hours per threat fixed at design time",
			Source: "Ward default: an hour of discussion to a day's work, about 4 hours typical; set from your own data"},
		ProductionMultiplier: Figure{Low: 10, Central: 30, High: 100, Unit: "× the design-time fix",
			Source: "McConnell, Code Complete 2nd ed. (design flaw fixed after release: 25–100×); 30× is commonly attributed to NIST Planning Report 02-3 (2002), table not checked; the popular 1:6.5:15:60–100 series has no traceable data and is not used"},
		Bounty: map[string]Figure{
			"critical": {Low: 1923, Central: 2000, High: 2041, Currency: "USD", Unit: "per critical bug-bounty finding",
				Source: "HackerOne average critical bounty: $1,923 (2017), $2,041 (2018), reported via press; newer averages unverified. Imported bounty payments replace it"},
		},
		PenTestDayRate: Figure{Low: 1000, Central: 1250, High: 1500, Currency: "GBP", Unit: "per tester-day",
			Source: "UK CREST-accredited day rates, vendor blog (low trust); set your own engagement rate"},
		PenTestDaysPerFinding: Figure{Low: 0.5, Central: 1, High: 2, Unit: "tester-days per finding",
			Source: "Ward assumption, no published figure: imported engagement shares replace it"},
		Breach: Figure{Low: 4.44e6, Central: 4.44e6, High: 10.22e6, Currency: "USD", Unit: "average data breach (global; US)",
			Source: "IBM/Ponemon Cost of a Data Breach 2025: $4.44M global, $10.22M US; context only, never added to a total"},
	}
}

// Validate checks the model: ranges ordered, currencies named.
func (m CostModel) Validate() error {
	var errs Invalid
	check := func(name string, f Figure, money bool) {
		if !f.Set() {
			return
		}
		if f.Low < 0 || f.Low > f.Central || f.Central > f.High || math.IsInf(f.High, 0) || math.IsNaN(f.Low+f.Central+f.High) {
			errs = append(errs, FieldError{name, fmt.Sprintf("%s: low ≤ central ≤ high, all ≥ 0 (is %v, %v, %v)", name, f.Low, f.Central, f.High)})
		}
		if money && len(f.Currency) != 3 {
			errs = append(errs, FieldError{name + ".currency", fmt.Sprintf("%s: currency must be a 3-letter code (is %q)", name, f.Currency)})
		}
		if strings.TrimSpace(f.Source) == "" {
			errs = append(errs, FieldError{name + ".source", name + ": every figure needs its source"})
		}
	}
	if len(m.Currency) != 3 {
		errs = append(errs, FieldError{"currency", fmt.Sprintf("currency must be a 3-letter code (is %q)", m.Currency)})
	}
	check("engineer_rate", m.EngineerRate, true)
	check("design_fix_hours", m.DesignFixHours, false)
	check("production_multiplier", m.ProductionMultiplier, false)
	check("pen_test_day_rate", m.PenTestDayRate, true)
	check("pen_test_days_per_finding", m.PenTestDaysPerFinding, false)
	check("breach", m.Breach, true)
	for _, s := range sortedKeys(m.Bounty) {
		if SevRank(s) == 0 {
			errs = append(errs, FieldError{"bounty", fmt.Sprintf("bounty: unknown severity %q", s)})
		}
		check("bounty."+s, m.Bounty[s], true)
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// ParseCostModel reads a cost model as JSON over the defaults.
func ParseCostModel(data []byte) (CostModel, error) {
	m := DefaultCostModel()
	if err := decodeOver(data, &m, "cost model"); err != nil {
		return m, err
	}
	return m, m.Validate()
}

// decodeOver reads JSON settings over the defaults already in v: keys not
// given keep their default, unknown keys are refused; empty data is none.
func decodeOver(data []byte, v any, what string) error {
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// Range is a derived money range: low, central and high, in one currency,
// with the figures it was derived from.
type Range struct {
	Low      float64  `json:"low"`
	Central  float64  `json:"central"`
	High     float64  `json:"high"`
	Currency string   `json:"currency"`
	How      string   `json:"how"`
	Sources  []string `json:"sources"`
	// Missing says why no range could be given (no figure, another
	// currency); the range is then zero.
	Missing string `json:"missing,omitempty"`
}

// Add adds r2 to r (same currency; a missing part makes the sum note it).
func (r Range) Add(r2 Range) Range {
	if r2.Missing != "" {
		if r.Missing == "" {
			r.Missing = "some items have no figure: " + r2.Missing
		}
		return r
	}
	r.Low, r.Central, r.High = r.Low+r2.Low, r.Central+r2.Central, r.High+r2.High
	if r.Currency == "" {
		r.Currency = r2.Currency
	}
	for _, s := range r2.Sources {
		if !slices.Contains(r.Sources, s) {
			r.Sources = append(r.Sources, s)
		}
	}
	return r
}

// String shows the range, e.g. "USD 1.2k–12k (central 3.6k)".
func (r Range) String() string {
	if r.Missing != "" && r.High == 0 {
		return "no figure (" + r.Missing + ")"
	}
	out := fmt.Sprintf("%s %s–%s (central %s)", r.Currency, Money(r.Low), Money(r.High), Money(r.Central))
	if r.Low == r.High {
		out = fmt.Sprintf("%s %s", r.Currency, Money(r.Low))
	}
	if r.Missing != "" {
		out += " — " + r.Missing
	}
	return out
}

// Money shows an amount rounded to two significant figures with k/M, so
// that no figure looks more precise than it is.
func Money(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e6:
		return trim(fmt.Sprintf("%.2g", v/1e6)) + "M"
	case a >= 1e3:
		return trim(fmt.Sprintf("%.2g", v/1e3)) + "k"
	}
	return trim(fmt.Sprintf("%.2g", v))
}

func trim(s string) string {
	if strings.ContainsAny(s, "e") {
		var f float64
		fmt.Sscan(s, &f)
		return fmt.Sprintf("%.0f", f)
	}
	return s
}

// DesignFix is the cost of fixing one threat at design time.
func (m CostModel) DesignFix() Range {
	h, r := m.DesignFixHours, m.EngineerRate
	return Range{Low: h.Low * r.Low, Central: h.Central * r.Central, High: h.High * r.High, Currency: r.Currency,
		How: "design-fix hours × engineer rate", Sources: []string{h.Source, r.Source}}
}

// AvoidedVsProduction is what fixing one threat at design time avoided
// compared with fixing it in production: the design fix × (multiplier − 1).
func (m CostModel) AvoidedVsProduction() Range {
	d, x := m.DesignFix(), m.ProductionMultiplier
	return Range{Low: d.Low * (x.Low - 1), Central: d.Central * (x.Central - 1), High: d.High * (x.High - 1), Currency: d.Currency,
		How: "design fix × (production multiplier − 1)", Sources: append(d.Sources, x.Source)}
}

// MinObserved is how many of its own recorded costs of a source and
// severity the organisation needs before Ward uses them as the range.
const MinObserved = 3

// OutsideCost is what an outside finding of a source and severity costs
// when its actual cost is not known: the organisation's own imported costs
// for that source and severity (paid, in observed), else the defaults.
func (m CostModel) OutsideCost(source, severity string, observed []float64) Range {
	if len(observed) > 0 {
		lo, hi, sum := observed[0], observed[0], 0.0
		for _, v := range observed {
			lo, hi, sum = min(lo, v), max(hi, v), sum+v
		}
		r := Range{Low: lo, Central: sum / float64(len(observed)), High: hi, Currency: m.Currency,
			How:     fmt.Sprintf("range and mean of the %d imported %s %s costs", len(observed), severity, SourceLabel(source)),
			Sources: []string{"your imported " + SourceLabel(source) + " results"}}
		if len(observed) >= MinObserved {
			return r
		}
		// Too few of the organisation's own costs to make a range: the
		// published figure when there is one, else half to twice them.
		if d := m.OutsideCost(source, severity, nil); d.Missing == "" {
			return d
		}
		r.Low, r.High = lo/2, hi*2
		r.How = fmt.Sprintf("only %d imported %s %s costs: shown as half to twice their range", len(observed), severity, SourceLabel(source))
		return r
	}
	switch source {
	case ByBugBounty:
		f, ok := m.Bounty[severity]
		if !ok || !f.Set() {
			return Range{Currency: m.Currency, Missing: fmt.Sprintf("no %s bounty figure: import your bounty payments or set bounty.%s", severity, severity)}
		}
		if f.Currency != m.Currency {
			return Range{Currency: m.Currency, Missing: fmt.Sprintf("the %s bounty figure is in %s, not %s", severity, f.Currency, m.Currency)}
		}
		return Range{Low: f.Low, Central: f.Central, High: f.High, Currency: f.Currency, How: "bounty figure for " + severity, Sources: []string{f.Source}}
	case ByPenTest:
		d, n := m.PenTestDayRate, m.PenTestDaysPerFinding
		if !d.Set() || !n.Set() {
			return Range{Currency: m.Currency, Missing: "no pen-test figures"}
		}
		if d.Currency != m.Currency {
			return Range{Currency: m.Currency, Missing: fmt.Sprintf("the pen-test day rate is in %s, not %s: set pen_test_day_rate in %s", d.Currency, m.Currency, m.Currency)}
		}
		return Range{Low: d.Low * n.Low, Central: d.Central * n.Central, High: d.High * n.High, Currency: d.Currency,
			How: "tester-days per finding × day rate", Sources: []string{n.Source, d.Source}}
	}
	return Range{Currency: m.Currency, Missing: "no figure for " + SourceLabel(source) + " findings"}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b string) int { return SevRank(b) - SevRank(a) })
	return out
}
