package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/wardtm/ward/internal/server"
)

// adminRemote is how ward user, ward token and ward team reach the server:
// --server/WARD_SERVER, and either an API token (WARD_TOKEN; an
// administrator's token for accounts and teams) or --email/WARD_EMAIL to
// sign in with a password (WARD_PASSWORD, or asked on the terminal).
type adminRemote struct {
	remote
	email    string
	password string
}

func (a *app) adminFlags(cmd *cobra.Command, r *adminRemote) {
	f := cmd.PersistentFlags()
	f.StringVar(&r.server, "server", "", "Ward server `URL` (WARD_SERVER)")
	f.StringVar(&r.token, "token", "", "API `token` (WARD_TOKEN; prefer the variable: flags show in process lists)")
	f.StringVar(&r.email, "email", "", "sign in as this account with its password (WARD_EMAIL; password from WARD_PASSWORD or the terminal) instead of a token")
}

// connect resolves the server and signs in when --email is given.
func (a *app) connect(ctx context.Context, r *adminRemote) error {
	if r.email == "" {
		r.email = a.env.Getenv("WARD_EMAIL")
	}
	if r.email == "" {
		return a.resolveRemote(&r.remote)
	}
	if r.server == "" {
		r.server = a.env.Getenv("WARD_SERVER")
	}
	u, err := url.Parse(r.server)
	if r.server == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("no server: pass --server URL or set WARD_SERVER to an http(s) URL")
	}
	r.server = strings.TrimRight(r.server, "/")
	pw, err := a.password("Password for " + r.email + ": ")
	if err != nil {
		return err
	}
	r.password = pw
	r.session, err = a.login(ctx, r.server, r.email, pw)
	return err
}

// password reads a password from WARD_PASSWORD or, on a terminal,
// without echo.
func (a *app) password(prompt string) (string, error) {
	if pw := a.env.Getenv("WARD_PASSWORD"); pw != "" {
		return pw, nil
	}
	return a.readSecret(prompt, "WARD_PASSWORD")
}

// readSecret asks for a secret on the terminal without echo.
func (a *app) readSecret(prompt, variable string) (string, error) {
	if !a.env.StdinTTY {
		return "", usagef("no password: set %s, or run on a terminal to be asked", variable)
	}
	fmt.Fprint(a.env.Stderr, prompt)
	b, err := term.ReadPassword(int(os.Stdin.Fd()))
	fmt.Fprintln(a.env.Stderr)
	return string(b), err
}

// login signs in and returns the session cookie's value.
func (a *app) login(ctx context.Context, srv, email, password string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	body, err := json.Marshal(map[string]string{"email": email, "password": password})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", srv+"/api/v1/login", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("reach the server: %w", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return "", usagef("sign in as %s: HTTP %d %s", email, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	for _, c := range resp.Cookies() {
		if c.Name == server.SessionCookie {
			return c.Value, nil
		}
	}
	return "", fmt.Errorf("sign in as %s: the server set no session", email)
}

// warnTokenExpiry tells the user when the token in use expires within
// two weeks (the server sends Ward-Token-Expires).
func (a *app) warnTokenExpiry(resp *http.Response) {
	v := resp.Header.Get("Ward-Token-Expires")
	if v == "" {
		return
	}
	exp, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return
	}
	if left := exp.Sub(a.env.Now()); left < 14*24*time.Hour {
		fmt.Fprintf(a.env.Stderr, "ward: warning: the API token expires on %s (in %d days); create a new one with ward token create\n",
			exp.Format(time.DateOnly), int(left.Hours()/24))
	}
}

// newPassword makes a random initial password to hand over.
func newPassword() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

type userOut struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Team      string    `json:"team"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

// findUser accepts an account id or email.
func (a *app) findUser(ctx context.Context, r remote, who string) (userOut, error) {
	var u userOut
	if !strings.Contains(who, "@") {
		err := a.call(ctx, r, "GET", "/api/v1/users/"+url.PathEscape(who), nil, &u)
		return u, exitForAPI(err)
	}
	for offset := 0; ; {
		var page struct {
			Items []userOut `json:"items"`
			Total int       `json:"total"`
		}
		if err := a.call(ctx, r, "GET", fmt.Sprintf("/api/v1/users?limit=500&offset=%d", offset), nil, &page); err != nil {
			return u, exitForAPI(err)
		}
		for _, x := range page.Items {
			if strings.EqualFold(x.Email, who) {
				return x, nil
			}
		}
		offset += len(page.Items)
		if len(page.Items) == 0 || offset >= page.Total {
			return u, usagef("no account with email %s", who)
		}
	}
}

func (a *app) printUsers(us []userOut) {
	tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tROLE\tTEAM\tSTATE\tNAME")
	for _, u := range us {
		state := "enabled"
		if u.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Role, or(u.Team, "-"), state, u.Name)
	}
	tw.Flush()
}

func (a *app) userCmd() *cobra.Command {
	var r adminRemote
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage the server's accounts (administrators)",
		Long: `ward user manages the accounts of a Ward server: list, create, disable,
enable, delete, change a role, reset a password, and change your own.

It needs an administrator: an administrator's API token in WARD_TOKEN
(made with 'ward token create --role admin') or --email to sign in with a
password. 'ward user passwd' changes your own password and always signs in.

Disabling ends the account's sessions and stops the tokens it created
until it is enabled again. Deleting ends its sessions and revokes its
tokens; versions and audit events it authored stay, naming its id.`,
		Example: `  ward user list --email admin@example.com
  ward user create ann@example.com --role member --team payments
  ward user disable ann@example.com
  ward user role ann@example.com viewer`,
	}
	a.adminFlags(cmd, &r)
	run := func(f func(ctx context.Context, args []string) error) func(*cobra.Command, []string) error {
		return func(c *cobra.Command, args []string) error {
			if err := a.connect(c.Context(), &r); err != nil {
				return err
			}
			return f(c.Context(), args)
		}
	}
	patch := func(args []string, body map[string]any, done string) func(context.Context, []string) error {
		return func(ctx context.Context, args []string) error {
			u, err := a.findUser(ctx, r.remote, args[0])
			if err != nil {
				return err
			}
			var out userOut
			if err := a.call(ctx, r.remote, "PATCH", "/api/v1/users/"+url.PathEscape(u.ID), body, &out); err != nil {
				return exitForAPI(err)
			}
			fmt.Fprintf(a.env.Stdout, "%s %s\n", out.Email, done)
			return nil
		}
	}
	list := &cobra.Command{Use: "list", Short: "List accounts", Args: cobra.NoArgs,
		RunE: run(func(ctx context.Context, _ []string) error {
			var all []userOut
			for offset := 0; ; {
				var page struct {
					Items []userOut `json:"items"`
					Total int       `json:"total"`
				}
				if err := a.call(ctx, r.remote, "GET", fmt.Sprintf("/api/v1/users?limit=500&offset=%d", offset), nil, &page); err != nil {
					return exitForAPI(err)
				}
				all = append(all, page.Items...)
				offset += len(page.Items)
				if len(page.Items) == 0 || offset >= page.Total {
					break
				}
			}
			a.printUsers(all)
			return nil
		})}
	var role, team, name string
	var sso bool
	create := &cobra.Command{Use: "create EMAIL", Short: "Create an account; prints its initial password once", Args: cobra.ExactArgs(1),
		RunE: run(func(ctx context.Context, args []string) error {
			body := map[string]any{"email": args[0], "role": role, "team": team, "name": name}
			pw := ""
			if !sso {
				pw = newPassword()
				body["password"] = pw
			}
			var out userOut
			if err := a.call(ctx, r.remote, "POST", "/api/v1/users", body, &out); err != nil {
				return exitForAPI(err)
			}
			fmt.Fprintf(a.env.Stdout, "created %s (%s, %s)\n", out.Email, out.ID, out.Role)
			if pw != "" {
				fmt.Fprintf(a.env.Stdout, "initial password: %s\n(shown once; hand it over privately and ask them to run ward user passwd)\n", pw)
			}
			return nil
		})}
	create.Flags().StringVar(&role, "role", "viewer", "admin, security, member or viewer")
	create.Flags().StringVar(&team, "team", "", "the team a member edits")
	create.Flags().StringVar(&name, "name", "", "the person's name")
	create.Flags().BoolVar(&sso, "sso", false, "no password: the account signs in with single sign-on")
	show := &cobra.Command{Use: "show USER", Short: "Show an account (id or email)", Args: cobra.ExactArgs(1),
		RunE: run(func(ctx context.Context, args []string) error {
			u, err := a.findUser(ctx, r.remote, args[0])
			if err != nil {
				return err
			}
			a.printUsers([]userOut{u})
			return nil
		})}
	disable := &cobra.Command{Use: "disable USER", Short: "Disable an account: its sessions end, its tokens stop", Args: cobra.ExactArgs(1)}
	disable.RunE = func(c *cobra.Command, args []string) error {
		return run(patch(args, map[string]any{"disabled": true}, "disabled: its sessions ended and its tokens stopped"))(c, args)
	}
	enable := &cobra.Command{Use: "enable USER", Short: "Enable a disabled account (its unexpired tokens work again)", Args: cobra.ExactArgs(1)}
	enable.RunE = func(c *cobra.Command, args []string) error {
		return run(patch(args, map[string]any{"disabled": false}, "enabled"))(c, args)
	}
	var roleTeam string
	roleCmd := &cobra.Command{Use: "role USER ROLE", Short: "Change an account's role (and team, for a member)", Args: cobra.ExactArgs(2)}
	roleCmd.RunE = func(c *cobra.Command, args []string) error {
		body := map[string]any{"role": args[1]}
		if roleTeam != "" {
			body["team"] = roleTeam
		}
		return run(patch(args, body, "is now "+args[1]))(c, args)
	}
	roleCmd.Flags().StringVar(&roleTeam, "team", "", "the team, for a member")
	del := &cobra.Command{Use: "delete USER", Short: "Delete an account: sessions end, its tokens are revoked, its history stays", Args: cobra.ExactArgs(1),
		RunE: run(func(ctx context.Context, args []string) error {
			u, err := a.findUser(ctx, r.remote, args[0])
			if err != nil {
				return err
			}
			if err := a.call(ctx, r.remote, "DELETE", "/api/v1/users/"+url.PathEscape(u.ID), nil, nil); err != nil {
				return exitForAPI(err)
			}
			fmt.Fprintf(a.env.Stdout, "deleted %s (%s); its tokens are revoked\n", u.Email, u.ID)
			return nil
		})}
	reset := &cobra.Command{Use: "reset-password USER", Short: "Set a new random password and end the account's sessions", Args: cobra.ExactArgs(1),
		RunE: run(func(ctx context.Context, args []string) error {
			u, err := a.findUser(ctx, r.remote, args[0])
			if err != nil {
				return err
			}
			pw := newPassword()
			if err := a.call(ctx, r.remote, "POST", "/api/v1/users/"+url.PathEscape(u.ID)+"/password", map[string]string{"password": pw}, nil); err != nil {
				return exitForAPI(err)
			}
			fmt.Fprintf(a.env.Stdout, "new password for %s: %s\n(shown once; their sessions ended)\n", u.Email, pw)
			return nil
		})}
	passwd := &cobra.Command{Use: "passwd", Short: "Change your own password (signs in with --email; new password from WARD_NEW_PASSWORD or the terminal)", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if r.email == "" && a.env.Getenv("WARD_EMAIL") == "" {
				return usagef("ward user passwd signs in: pass --email or set WARD_EMAIL")
			}
			r.token = ""
			if err := a.connect(c.Context(), &r); err != nil {
				return err
			}
			current := r.password
			next := a.env.Getenv("WARD_NEW_PASSWORD")
			if next == "" {
				var err error
				if next, err = a.readSecret("New password: ", "WARD_NEW_PASSWORD"); err != nil {
					return err
				}
			}
			if err := a.call(c.Context(), r.remote, "POST", "/api/v1/me/password", map[string]string{"current": current, "password": next}, nil); err != nil {
				return exitForAPI(err)
			}
			fmt.Fprintln(a.env.Stdout, "password changed; your other sessions ended")
			return nil
		}}
	cmd.AddCommand(list, create, show, disable, enable, roleCmd, del, reset, passwd)
	return cmd
}
