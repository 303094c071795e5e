package cli

import (
	"fmt"
	"net/url"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

// notifyCmd manages a team's webhooks and tests its notifications on a
// Ward server (docs/notifications.md).
func (a *app) notifyCmd() *cobra.Command {
	var r adminRemote
	var team string
	cmd := &cobra.Command{
		Use:   "notify",
		Short: "A team's notification webhooks on the server: add, list, test, deliveries",
		Long: `ward notify works with a team's notifications on a Ward server
(docs/notifications.md).

'ward notify add-webhook --team T --name N --url URL [--kinds k1,k2]' adds a
webhook and prints its signing secret, once: give it to the receiver, which
checks each request's Ward-Signature with it. Adding webhooks needs a
signed-in account (--email; an administrator or a member of the team), not a
token.

'ward notify webhooks --team T' lists the team's webhooks (never their
secrets).

'ward notify test --team T' queues a test message to every enabled webhook of
the team (and to your email, when the server sends email); 'ward notify
deliveries --team T' prints the latest deliveries with their state, attempts
and last error.

The server and credentials come from --server / WARD_SERVER and WARD_TOKEN,
or --email to sign in.`,
		Example: `  ward notify add-webhook --team payments --name "Slack #payments" --url https://hooks.slack.com/services/T0/B0/XYZ --email me@example.com
  ward notify test --team payments
  ward notify deliveries --team payments`,
	}
	a.adminFlags(cmd, &r)
	cmd.PersistentFlags().StringVar(&team, "team", "", "the `team` (default: your token's or account's team)")
	teamPath := func(c *cobra.Command, suffix string) (string, error) {
		if err := a.connect(c.Context(), &r); err != nil {
			return "", err
		}
		t := team
		if t == "" {
			var me struct {
				Team string `json:"team"`
			}
			if err := a.call(c.Context(), r.remote, "GET", "/api/v1/me", nil, &me); err != nil {
				return "", exitForAPI(err)
			}
			t = me.Team
		}
		if t == "" {
			return "", usagef("name the team with --team")
		}
		return "/api/v1/teams/" + url.PathEscape(t) + suffix, nil
	}
	type webhook struct {
		ID      string   `json:"id"`
		Name    string   `json:"name"`
		URL     string   `json:"url"`
		Kinds   []string `json:"kinds"`
		Enabled bool     `json:"enabled"`
		Secret  string   `json:"secret"`
	}

	var name, hookURL string
	var kinds []string
	add := &cobra.Command{Use: "add-webhook", Short: "Add a webhook to a team and print its signing secret once", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			p, err := teamPath(c, "/webhooks")
			if err != nil {
				return err
			}
			if kinds == nil {
				kinds = []string{}
			}
			var out webhook
			if err := a.call(c.Context(), r.remote, "POST", p, map[string]any{"name": name, "url": hookURL, "kinds": kinds}, &out); err != nil {
				return exitForAPI(err)
			}
			fmt.Fprintf(a.env.Stdout, "added webhook %s (%s)\nsigning secret (shown once): %s\n", out.ID, out.Name, out.Secret)
			return nil
		}}
	add.Flags().StringVar(&name, "name", "", "the webhook's `name`, e.g. \"Slack #payments\"")
	add.Flags().StringVar(&hookURL, "url", "", "the receiver's `URL` (https)")
	add.Flags().StringSliceVar(&kinds, "kinds", nil, "event `kinds` to send (default: every kind)")

	list := &cobra.Command{Use: "webhooks", Short: "List a team's webhooks", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			p, err := teamPath(c, "/webhooks")
			if err != nil {
				return err
			}
			var out struct {
				Items []webhook `json:"items"`
			}
			if err := a.call(c.Context(), r.remote, "GET", p, nil, &out); err != nil {
				return exitForAPI(err)
			}
			tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tENABLED\tKINDS\tURL")
			for _, h := range out.Items {
				k := "every kind"
				if len(h.Kinds) > 0 {
					k = fmt.Sprint(h.Kinds)
				}
				fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\n", h.ID, h.Name, h.Enabled, k, h.URL)
			}
			return tw.Flush()
		}}

	test := &cobra.Command{Use: "test", Short: "Queue a test message to the team's webhooks and your email", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			p, err := teamPath(c, "/notifications/test")
			if err != nil {
				return err
			}
			var out struct {
				Queued int `json:"queued"`
			}
			if err := a.call(c.Context(), r.remote, "POST", p, map[string]any{}, &out); err != nil {
				return exitForAPI(err)
			}
			fmt.Fprintf(a.env.Stdout, "queued %d test deliveries; see them with ward notify deliveries\n", out.Queued)
			return nil
		}}

	deliveries := &cobra.Command{Use: "deliveries", Short: "Print the latest deliveries to the team's webhooks", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			p, err := teamPath(c, "/notifications/deliveries")
			if err != nil {
				return err
			}
			var out struct {
				Items []struct {
					ID        int64     `json:"id"`
					Webhook   string    `json:"webhook"`
					Kind      string    `json:"kind"`
					State     string    `json:"state"`
					Attempts  int       `json:"attempts"`
					Next      time.Time `json:"next_attempt_at"`
					LastError string    `json:"last_error"`
				} `json:"items"`
				Total int `json:"total"`
			}
			if err := a.call(c.Context(), r.remote, "GET", p+"?limit=20", nil, &out); err != nil {
				return exitForAPI(err)
			}
			tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tWEBHOOK\tKIND\tSTATE\tATTEMPTS\tNEXT\tLAST ERROR")
			for _, d := range out.Items {
				next := "-"
				if d.State == "pending" {
					next = d.Next.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", d.ID, d.Webhook, d.Kind, d.State, d.Attempts, next, or(d.LastError, "-"))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(a.env.Stdout, "%d of %d deliveries\n", len(out.Items), out.Total)
			return nil
		}}
	cmd.AddCommand(add, list, test, deliveries)
	return cmd
}
