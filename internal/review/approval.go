package review

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Approval is a design approval recorded on a system.
type Approval struct {
	SystemID  string
	RequestID string
	// Version is the model version approved (0 when the system had none).
	Version int
	By      string
	At      time.Time
	Expires time.Time
	// HighRisks are the ids of the high and critical findings still open on
	// the approved version: security saw them when approving.
	HighRisks []string
}

// NewApproval records an approval at now of version of the system,
// expiring after the settings' ApprovalDays.
func NewApproval(systemID, requestID string, version int, by string, now time.Time, highRisks []string, s Settings) Approval {
	return Approval{SystemID: systemID, RequestID: requestID, Version: version, By: by, At: now,
		Expires: now.AddDate(0, 0, s.ApprovalDays), HighRisks: slices.Clone(highRisks)}
}

// Finding is what staleness needs of a finding of a model version.
type Finding struct {
	ID       string
	Severity string
	Status   string
}

// HighRisks returns the ids, sorted, of the high and critical findings that
// are still a risk: not mitigated, not false positives. Open, unverified,
// accepted and transferred risk is still risk.
func HighRisks(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		if (f.Severity == "high" || f.Severity == "critical") && f.Status != "mitigated" && f.Status != "false_positive" {
			out = append(out, f.ID)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// NewRisks returns the high and critical risks of a newer version (latest)
// that the approval did not see; none when latest is the approved version
// or older.
func (a Approval) NewRisks(latest int, highNow []string) []string {
	if latest <= a.Version {
		return nil
	}
	var out []string
	for _, id := range highNow {
		if !slices.Contains(a.HighRisks, id) {
			out = append(out, id)
		}
	}
	return out
}

// BadgeStatus is a system's review status.
type BadgeStatus string

// The badge statuses.
const (
	BadgeApproved BadgeStatus = "approved"
	BadgePending  BadgeStatus = "pending"
	BadgeNone     BadgeStatus = "no_review"
	BadgeStale    BadgeStatus = "stale"
)

// Label is the status for people.
func (b BadgeStatus) Label() string {
	switch b {
	case BadgeApproved:
		return "approved"
	case BadgePending:
		return "review pending"
	case BadgeStale:
		return "approval stale"
	}
	return "no review"
}

// Badge is a system's review badge.
type Badge struct {
	SystemID string
	Status   BadgeStatus
	// Text says why, in one sentence.
	Text string
	// Warning is set when an approval expires within the settings' WarnDays.
	Warning string
	// Approval is the latest approval, if any.
	Approval *Approval
	// Expired and NewRisks say why an approval is stale.
	Expired  bool
	NewRisks []string
	// Pending is the open request, if any.
	Pending *Request
}

// SystemBadge decides a system's badge from its latest approval (nil when
// none), its open request (nil when none), its latest model version and
// that version's high and critical risks:
//
//   - approved: an approval that has not expired, and no newer version
//     brought high or critical risk it did not see;
//   - pending: otherwise, when a review request is open;
//   - stale: an approval that expired or that a newer version made stale;
//   - no review: nothing of the above.
func SystemBadge(systemID string, a *Approval, open *Request, latest int, highNow []string, now time.Time, s Settings) Badge {
	b := Badge{SystemID: systemID, Status: BadgeNone, Approval: a, Pending: open}
	if a != nil {
		b.Expired = !now.Before(a.Expires)
		b.NewRisks = a.NewRisks(latest, highNow)
		if !b.Expired && len(b.NewRisks) == 0 {
			b.Status = BadgeApproved
			b.Text = fmt.Sprintf("approved by %s on %s (version %d), valid until %s", a.By, a.At.Format(time.DateOnly), a.Version, a.Expires.Format(time.DateOnly))
			if left := a.Expires.Sub(now); left <= time.Duration(s.WarnDays)*24*time.Hour {
				b.Warning = fmt.Sprintf("the approval expires in %d days (%s): request a new review", days(left), a.Expires.Format(time.DateOnly))
			}
			return b
		}
	}
	switch {
	case open != nil:
		b.Status = BadgePending
		b.Text = fmt.Sprintf("review %s, requested %s", open.State.Label(), open.Created.Format(time.DateOnly))
	case a != nil && b.Expired:
		b.Status = BadgeStale
		b.Text = fmt.Sprintf("the approval of version %d expired on %s: request a new review", a.Version, a.Expires.Format(time.DateOnly))
	case a != nil:
		b.Status = BadgeStale
		b.Text = fmt.Sprintf("version %d adds high or critical risk the approval of version %d did not see (%d new): request a new review", latest, a.Version, len(b.NewRisks))
	default:
		b.Text = "no design review on record"
	}
	return b
}

// ReminderKind is what a reminder is about.
type ReminderKind string

// The reminders, from the most urgent.
const (
	RemindOverdue  ReminderKind = "overdue"
	RemindStale    ReminderKind = "approval_stale"
	RemindExpired  ReminderKind = "approval_expired"
	RemindDueSoon  ReminderKind = "due_soon"
	RemindExpiring ReminderKind = "approval_expiring"
)

var reminderOrder = []ReminderKind{RemindOverdue, RemindStale, RemindExpired, RemindDueSoon, RemindExpiring}

// DueSoonDays is how close a due date must be for a due-soon reminder.
const DueSoonDays = 3

// Reminder is something someone should act on.
type Reminder struct {
	Kind      ReminderKind
	SystemID  string
	RequestID string
	// When is the due date or the approval's expiry.
	When time.Time
	Text string
}

// Reminders lists what needs attention at now: open reviews overdue or due
// within DueSoonDays, and approvals that are stale, expired or expiring
// within the settings' WarnDays. Most urgent first, then by date.
func Reminders(open []Request, badges []Badge, now time.Time, s Settings) []Reminder {
	var out []Reminder
	for _, r := range open {
		if !r.State.Open() || r.Due.IsZero() {
			continue
		}
		switch left := r.Due.Sub(now); {
		case left < 0:
			out = append(out, Reminder{RemindOverdue, r.SystemID, r.ID, r.Due,
				fmt.Sprintf("review of %s (%s) was due %s, %d days ago", r.SystemID, r.State.Label(), r.Due.Format(time.DateOnly), days(-left))})
		case left <= DueSoonDays*24*time.Hour:
			out = append(out, Reminder{RemindDueSoon, r.SystemID, r.ID, r.Due,
				fmt.Sprintf("review of %s (%s) is due %s", r.SystemID, r.State.Label(), r.Due.Format(time.DateOnly))})
		}
	}
	for _, b := range badges {
		a := b.Approval
		if a == nil {
			continue
		}
		switch {
		case b.Status == BadgeApproved && b.Warning != "":
			out = append(out, Reminder{RemindExpiring, b.SystemID, a.RequestID, a.Expires, "approval of " + b.SystemID + ": " + b.Warning})
		case b.Status == BadgeApproved:
		case b.Expired:
			out = append(out, Reminder{RemindExpired, b.SystemID, a.RequestID, a.Expires,
				fmt.Sprintf("approval of %s expired on %s", b.SystemID, a.Expires.Format(time.DateOnly))})
		case len(b.NewRisks) > 0:
			out = append(out, Reminder{RemindStale, b.SystemID, a.RequestID, a.Expires,
				fmt.Sprintf("approval of %s is stale: %d new high or critical risks since version %d", b.SystemID, len(b.NewRisks), a.Version)})
		}
	}
	slices.SortStableFunc(out, func(x, y Reminder) int {
		return cmp.Or(cmp.Compare(slices.Index(reminderOrder, x.Kind), slices.Index(reminderOrder, y.Kind)), x.When.Compare(y.When),
			cmp.Compare(x.SystemID, y.SystemID))
	})
	return out
}
