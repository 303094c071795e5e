// Staff reading beyond their need: half a point lower in the ranking.

package risk

import "github.com/wardtm/ward/internal/model"

// staffReadRule is the built-in rule whose threat is staff reading, with
// the access their job gives them, data beyond their need.
const staffReadRule = "staff-access-beyond-need"

// staffReadStep is what the ranking takes off the ranking value (rankValue)
// of a staff-reading threat (staffReads), in 128ths of a point: half a
// point. On a staff console a reviewer writes what staff can do — act
// alone, sign in without a second factor, take rights beyond their role —
// as the element's line, and reading beyond need as the lesser of the
// same people's threats; at an equal score the acting goes first. Half a
// point decides between threats scoring alike (and their data within
// reach) and crosses no severity band; the score, the severity,
// `--fail-on` and the questions do not change (docs/risk.md, "Staff
// reading beyond need"; docs/quality-history.md, rank27b). 0.5, 1, 1.5 and
// 3 points gain the same lines on the seen sets; the larger steps move
// more threats in and out of the per-element cap.
const staffReadStep = 64

// staffReads reports whether f is a staff-reading threat: the built-in
// rule staffReadRule (its disclosure threat; the team's own threats are
// never one).
func staffReads(f *model.Finding) bool {
	return !ab.staffread && f.Origin == model.OriginBuiltin && f.Rule == staffReadRule
}
