package cli

import (
	"fmt"
	"net/url"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/review"
	"github.com/wardtm/ward/internal/triage"
)

// reviewCmd files design reviews with a Ward server and reads the queue
// and a system's review badge (docs/review.md).
func (a *app) reviewCmd() *cobra.Command {
	var r adminRemote
	cmd := &cobra.Command{
		Use:   "review",
		Short: "Request a design review from the server; the queue and a system's badge",
		Long: `ward review works with the design-review workflow of a Ward server
(docs/review.md).

'ward review request [MODEL]' files a review of the model's system with the
answers in the model's context: section (the same answers ward triage
reads); the server triages them with the organisation's policy and prints the
tier, the priority and the reasons. Designs below security-led are
self-serve at once; the others join security's queue.

'ward review status SYSTEM' prints the system's badge: approved, pending,
no_review or stale (the approval expired, or a newer version brought high or
critical risk the approval did not see).

'ward review list' prints the queue, ranked by priority, with the week's
capacity plan (members and team tokens see their own team's requests).

The server and token come from --server / WARD_SERVER and WARD_TOKEN (a
member token of the team), or --email to sign in.`,
		Example: `  ward review request --design-doc https://docs.example.com/checkout-v2 --wanted-by 2026-12-18
  ward review status larkspur-shop
  ward review list`,
	}
	a.adminFlags(cmd, &r)

	var title, doc, wanted, team string
	request := &cobra.Command{Use: "request [MODEL]", Short: "Request a design review of the model's system", Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			path, err := a.modelPath(args)
			if err != nil {
				return err
			}
			l, err := a.load(cmdContext(c), path)
			if err != nil {
				return a.relDiags(err)
			}
			declared := false
			if data, err := os.ReadFile(path); err == nil {
				declared = triage.ContextKeys(data)["sensitive_data"]
			}
			answers := review.FormOf(triage.FromContext(l.Model.Context, declared))
			if err := a.connect(c.Context(), &r); err != nil {
				return err
			}
			body := map[string]any{"system": l.Model.System.ID, "team": team, "title": title, "design_doc": doc, "wanted_by": wanted, "answers": answers}
			var out reviewOut
			if err := a.call(c.Context(), r.remote, "POST", "/api/v1/reviews", body, &out); err != nil {
				return exitForAPI(err)
			}
			fmt.Fprintf(a.env.Stdout, "requested %s: %s of %s (team %s)\n", out.ID, out.Title, out.System, out.Team)
			fmt.Fprintf(a.env.Stdout, "tier %s, priority %d: %s\n", out.Tier, out.Priority, out.Triage.Summary)
			for _, reason := range out.Triage.Reasons {
				fmt.Fprintf(a.env.Stdout, "  - %s\n", reason)
			}
			fmt.Fprintf(a.env.Stdout, "state %s, due %s\n", out.State, out.Due.Format(time.DateOnly))
			return nil
		}}
	f := request.Flags()
	f.StringVar(&title, "title", "", "the request's title (default: Design review of SYSTEM)")
	f.StringVar(&doc, "design-doc", "", "link to the design document (http or https)")
	f.StringVar(&wanted, "wanted-by", "", "the `date` (YYYY-MM-DD) the team wants the review by")
	f.StringVar(&team, "team", "", "the owning team, for a system not pushed yet (default: the system's or the token's team)")

	status := &cobra.Command{Use: "status SYSTEM", Short: "Print a system's design-review badge", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := a.connect(c.Context(), &r); err != nil {
				return err
			}
			var out struct {
				Status  string `json:"status"`
				Text    string `json:"text"`
				Warning string `json:"warning"`
			}
			if err := a.call(c.Context(), r.remote, "GET", "/api/v1/systems/"+url.PathEscape(args[0])+"/review", nil, &out); err != nil {
				return exitForAPI(err)
			}
			fmt.Fprintf(a.env.Stdout, "%s: %s — %s\n", args[0], out.Status, out.Text)
			if out.Warning != "" {
				fmt.Fprintf(a.env.Stdout, "warning: %s\n", out.Warning)
			}
			return nil
		}}

	list := &cobra.Command{Use: "list", Short: "Print the review queue, ranked by priority", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := a.connect(c.Context(), &r); err != nil {
				return err
			}
			var out struct {
				Week      string      `json:"week"`
				Items     []reviewOut `json:"items"`
				Capacity  float64     `json:"capacity_hours"`
				Planned   float64     `json:"planned_hours"`
				Waiting   int         `json:"waiting"`
				Reminders []struct {
					Text string `json:"text"`
				} `json:"reminders"`
			}
			if err := a.call(c.Context(), r.remote, "GET", "/api/v1/reviews", nil, &out); err != nil {
				return exitForAPI(err)
			}
			tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "#\tPRIORITY\tID\tSYSTEM\tTEAM\tSTATE\tASSIGNEE\tDUE\tTHIS WEEK")
			for _, x := range out.Items {
				plan := "waits"
				if x.Fits != nil && *x.Fits {
					plan = "fits"
				}
				fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.Rank, x.Priority, x.ID, x.System, x.Team, x.State, or(x.Assignee, "-"),
					x.Due.Format(time.DateOnly), plan)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(a.env.Stdout, "%d open; week %s: %g hours entered, %g planned, %d waiting\n", len(out.Items), out.Week, out.Capacity, out.Planned, out.Waiting)
			for _, rem := range out.Reminders {
				fmt.Fprintf(a.env.Stdout, "reminder: %s\n", rem.Text)
			}
			return nil
		}}
	cmd.AddCommand(request, status, list)
	return cmd
}

// reviewOut is a review request as the server answers it.
type reviewOut struct {
	ID       string        `json:"id"`
	System   string        `json:"system"`
	Team     string        `json:"team"`
	Title    string        `json:"title"`
	State    string        `json:"state"`
	Tier     string        `json:"tier"`
	Priority int           `json:"priority"`
	Triage   triage.Result `json:"triage"`
	Assignee string        `json:"assignee"`
	Due      time.Time     `json:"due"`
	Rank     int           `json:"rank"`
	Fits     *bool         `json:"fits"`
}
