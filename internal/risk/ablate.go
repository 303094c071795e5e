// Ranking ingredients switched off, for measurement only (build tag
// tieseed, WARD_ABLATE): every switch is false in a normal build.

package risk

// ab names the ingredients of the likelihood, the impact and the ranking
// that a measurement build may switch off one by one (tieseed_on.go), to
// see what each adds on sets it was not fitted on (docs/quality-history.md,
// rank22). Every field is false in a normal build.
var ab struct {
	held, heldread, sought, parser, moderate, repud, gathered, after, once,
	content, supply, relay, radio, unauth, posexpl, negexpl, elevboth, dosavail,
	reach, jewel, physical, repeatval, stake, further, scoreround, starts,
	ruleround, later, elemround, lastrep, repband, uncert, catround, statedpriv, staffread,
	sparseflow bool
}

// ablateNames maps each switch's name to its field.
func ablateNames() map[string]*bool {
	return map[string]*bool{
		"held": &ab.held, "heldread": &ab.heldread, "sought": &ab.sought, "parser": &ab.parser,
		"moderate": &ab.moderate, "repud": &ab.repud, "gathered": &ab.gathered, "after": &ab.after,
		"once": &ab.once, "content": &ab.content, "supply": &ab.supply, "relay": &ab.relay,
		"radio": &ab.radio, "unauth": &ab.unauth, "posexpl": &ab.posexpl, "negexpl": &ab.negexpl,
		"elevboth": &ab.elevboth, "dosavail": &ab.dosavail, "reach": &ab.reach, "jewel": &ab.jewel,
		"physical": &ab.physical, "repeatval": &ab.repeatval, "stake": &ab.stake, "further": &ab.further,
		"scoreround": &ab.scoreround, "starts": &ab.starts, "ruleround": &ab.ruleround, "later": &ab.later,
		"elemround": &ab.elemround, "lastrep": &ab.lastrep, "repband": &ab.repband, "uncert": &ab.uncert,
		"catround": &ab.catround, "statedpriv": &ab.statedpriv, "staffread": &ab.staffread,
		"sparseflow": &ab.sparseflow,
	}
}
