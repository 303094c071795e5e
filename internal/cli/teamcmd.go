package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func (a *app) teamCmd() *cobra.Command {
	var r adminRemote
	cmd := &cobra.Command{
		Use:   "team",
		Short: "List and create the server's teams",
		Long: `ward team lists the teams of a Ward server (members and team tokens see
their own) and creates teams (administrators: an administrator's token in
WARD_TOKEN, or --email to sign in).`,
		Example: `  ward team list
  ward team create payments --name "Payments"`,
	}
	a.adminFlags(cmd, &r)
	list := &cobra.Command{Use: "list", Short: "List teams", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := a.connect(c.Context(), &r); err != nil {
				return err
			}
			var out struct {
				Items []struct {
					ID   string `json:"id"`
					Name string `json:"name"`
				} `json:"items"`
			}
			if err := a.call(c.Context(), r.remote, "GET", "/api/v1/teams?limit=500", nil, &out); err != nil {
				return exitForAPI(err)
			}
			tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME")
			for _, t := range out.Items {
				fmt.Fprintf(tw, "%s\t%s\n", t.ID, t.Name)
			}
			return tw.Flush()
		}}
	var name string
	create := &cobra.Command{Use: "create ID", Short: "Create a team (administrators)", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := a.connect(c.Context(), &r); err != nil {
				return err
			}
			var out struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			}
			if err := a.call(c.Context(), r.remote, "POST", "/api/v1/teams", map[string]string{"id": args[0], "name": name}, &out); err != nil {
				return exitForAPI(err)
			}
			fmt.Fprintf(a.env.Stdout, "created team %s (%s)\n", out.ID, out.Name)
			return nil
		}}
	create.Flags().StringVar(&name, "name", "", "the team's display name (default: the id)")
	cmd.AddCommand(list, create)
	return cmd
}
