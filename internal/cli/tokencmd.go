package cli

import (
	"fmt"
	"net/url"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

type tokenOut struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Team         string    `json:"team"`
	Role         string    `json:"role"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	LastUsed     time.Time `json:"last_used"`
	ExpiresAt    time.Time `json:"expires_at"`
	Revoked      bool      `json:"revoked"`
	Expired      bool      `json:"expired"`
	ExpiringSoon bool      `json:"expiring_soon"`
	Token        string    `json:"token"`
}

func (a *app) tokenCmd() *cobra.Command {
	var r adminRemote
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Manage API tokens: list, create, revoke",
		Long: `ward token manages the server's API tokens, which CI jobs and scripts use in
WARD_TOKEN. A token belongs to a team and acts as a member (pushes) or a
viewer (reads) of it; an administrator's token (--role admin, made by a
signed-in administrator only) runs ward user, ward team and ward token.

Every token expires: after 90 days unless --days says otherwise (the
server's administrator sets the default and the maximum). A token stops
when it is revoked, expires, or the account that created it is disabled
or deleted. ward prints a warning when the token it uses expires within
two weeks; 'ward token list' marks those tokens.

Administrators manage every team's tokens; members their own team's,
signed in with --email (a member token cannot make tokens).`,
		Example: `  # the first token, signed in with a password:
  ward token create ci-payments --team payments --email ann@example.com
  # an administrator's own token for ward user and ward team:
  ward token create laptop --role admin --days 30 --email admin@example.com
  ward token list
  ward token revoke k3j2h1`,
	}
	a.adminFlags(cmd, &r)
	connect := func(c *cobra.Command) error { return a.connect(c.Context(), &r) }
	var team string
	list := &cobra.Command{Use: "list", Short: "List tokens (expired, revoked and expiring-soon ones marked)", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := connect(c); err != nil {
				return err
			}
			var out struct {
				Items []tokenOut `json:"items"`
			}
			if err := a.call(c.Context(), r.remote, "GET", "/api/v1/tokens?team="+url.QueryEscape(team), nil, &out); err != nil {
				return exitForAPI(err)
			}
			a.printTokens(out.Items)
			return nil
		}}
	list.Flags().StringVar(&team, "team", "", "only this team's tokens (administrators)")
	var role string
	var days int
	create := &cobra.Command{Use: "create NAME", Short: "Create a token; prints its secret once, alone on stdout", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := connect(c); err != nil {
				return err
			}
			var out tokenOut
			body := map[string]any{"name": args[0], "team": team, "role": role, "expires_in_days": days}
			if err := a.call(c.Context(), r.remote, "POST", "/api/v1/tokens", body, &out); err != nil {
				return exitForAPI(err)
			}
			fmt.Fprintf(a.env.Stderr, "created token %s (%s", out.ID, out.Role)
			if out.Team != "" {
				fmt.Fprintf(a.env.Stderr, " of team %s", out.Team)
			}
			fmt.Fprintf(a.env.Stderr, "), expires %s; it is shown once: store it as a secret (WARD_TOKEN)\n", out.ExpiresAt.Format(time.DateOnly))
			fmt.Fprintln(a.env.Stdout, out.Token)
			return nil
		}}
	create.Flags().StringVar(&team, "team", "", "the token's team (member and viewer tokens)")
	create.Flags().StringVar(&role, "role", "member", "member, viewer or admin")
	create.Flags().IntVar(&days, "days", 0, "lifetime in days (default: the server's, 90)")
	revoke := &cobra.Command{Use: "revoke ID", Short: "Revoke a token; its open event streams close", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := connect(c); err != nil {
				return err
			}
			if err := a.call(c.Context(), r.remote, "DELETE", "/api/v1/tokens/"+url.PathEscape(args[0]), nil, nil); err != nil {
				return exitForAPI(err)
			}
			fmt.Fprintf(a.env.Stdout, "revoked token %s\n", args[0])
			return nil
		}}
	cmd.AddCommand(list, create, revoke)
	return cmd
}

func (a *app) printTokens(ts []tokenOut) {
	tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tTEAM\tROLE\tEXPIRES\tLAST USED\tSTATE")
	for _, t := range ts {
		state := "active"
		switch {
		case t.Revoked:
			state = "revoked"
		case t.Expired:
			state = "expired"
		case t.ExpiringSoon:
			state = "expiring soon"
		}
		used := "never"
		if !t.LastUsed.IsZero() {
			used = t.LastUsed.Format(time.DateOnly)
		}
		exp := "never"
		if !t.ExpiresAt.IsZero() {
			exp = t.ExpiresAt.Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, or(t.Team, "-"), t.Role, exp, used, state)
	}
	tw.Flush()
}
