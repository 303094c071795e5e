package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// remote holds how the CLI reaches a Ward server: --server and --token, or
// WARD_SERVER and WARD_TOKEN (the flag wins). The token is never printed.
type remote struct {
	server string
	token  string
	// session, when set, is a session cookie (ward user/token/team with
	// --email) sent instead of the token.
	session string
}

func (a *app) remoteFlags(cmd *cobra.Command, r *remote) {
	cmd.Flags().StringVar(&r.server, "server", "", "Ward server `URL` (WARD_SERVER)")
	cmd.Flags().StringVar(&r.token, "token", "", "API `token` (WARD_TOKEN; prefer the variable: flags show in process lists)")
}

func (a *app) resolveRemote(r *remote) error {
	if r.server == "" {
		r.server = a.env.Getenv("WARD_SERVER")
	}
	if r.token == "" {
		r.token = a.env.Getenv("WARD_TOKEN")
	}
	if r.server == "" {
		return usagef("no server: pass --server URL or set WARD_SERVER")
	}
	u, err := url.Parse(r.server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--server %q is not an http(s) URL", r.server)
	}
	if r.token == "" {
		return usagef("no API token: set WARD_TOKEN (create one with ward token create, or in the web UI)")
	}
	r.server = strings.TrimRight(r.server, "/")
	return nil
}

// apiError is an error response from the server.
type apiError struct {
	Status  int
	Code    string
	Message string
	ID      string
	Details []struct {
		File string `json:"file"`
		Line int    `json:"line"`
		Col  int    `json:"col"`
		Msg  string `json:"message"`
		Hint string `json:"hint"`
	}
}

func (e *apiError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "server: %s (HTTP %d", e.Message, e.Status)
	if e.ID != "" {
		fmt.Fprintf(&b, ", error id %s", e.ID)
	}
	b.WriteString(")")
	for _, d := range e.Details {
		if d.Col > 0 {
			fmt.Fprintf(&b, "\n%s:%d:%d: %s", d.File, d.Line, d.Col, d.Msg)
		} else {
			fmt.Fprintf(&b, "\n%s:%d: %s", d.File, d.Line, d.Msg)
		}
		if d.Hint != "" {
			fmt.Fprintf(&b, " — %s", d.Hint)
		}
	}
	return b.String()
}

// call sends a JSON request to the server and decodes the JSON answer.
// A 429 "busy" answer (the server's analysis queue is full, or the account
// is over its rate) is retried after the Retry-After the server gives, at
// most server.RetryMax times and within server.RetryMaxWait in all: the server refused
// before doing anything, so a retry is safe for every method.
func (a *app) call(ctx context.Context, r remote, method, p string, body, out any) error {
	var payload []byte
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		payload = data
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var waited time.Duration
	var resp *http.Response
	for attempt := 0; ; attempt++ {
		var rd io.Reader
		if payload != nil {
			rd = bytes.NewReader(payload)
		}
		req, err := http.NewRequestWithContext(ctx, method, r.server+p, rd)
		if err != nil {
			return err
		}
		if payload != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if r.session != "" {
			req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: r.session})
		} else {
			req.Header.Set("Authorization", "Bearer "+r.token)
		}
		req.Header.Set("User-Agent", "ward/"+a.env.Version)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("reach the server: %w", err)
		}
		wait, retry := server.RetryAfter(resp, attempt, waited)
		if !retry {
			break
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		fmt.Fprintf(a.env.Stderr, "ward: the server is busy (HTTP 429); retrying in %s\n", wait)
		select {
		case <-ctx.Done():
			return fmt.Errorf("reach the server: %w", ctx.Err())
		case <-time.After(wait):
		}
		waited += wait
	}
	defer resp.Body.Close()
	a.warnTokenExpiry(resp)
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var eb struct {
			Error struct {
				Code    string          `json:"code"`
				Message string          `json:"message"`
				ID      string          `json:"id"`
				Details json.RawMessage `json:"details"`
			} `json:"error"`
		}
		ae := &apiError{Status: resp.StatusCode, Message: strings.TrimSpace(string(data))}
		if json.Unmarshal(data, &eb) == nil && eb.Error.Message != "" {
			ae.Code, ae.Message, ae.ID = eb.Error.Code, eb.Error.Message, eb.Error.ID
			_ = json.Unmarshal(eb.Error.Details, &ae.Details)
		}
		return ae
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// exitForAPI maps server answers to exit codes: the model or request was
// refused (4xx) → 2; anything else → 1, a server too busy to answer
// (429, after call's retries) included.
func exitForAPI(err error) error {
	var ae *apiError
	if errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != http.StatusTooManyRequests {
		return usageError{err}
	}
	return err
}

func (a *app) pushCmd() *cobra.Command {
	var (
		r       remote
		team    string
		message string
		force   bool
	)
	cmd := &cobra.Command{
		Use:   "push [MODEL]",
		Short: "Send a model to the Ward server (it analyses it and stores a new version)",
		Long: `Push sends the model (and the files it includes and its custom rule files) to
the server named by --server or WARD_SERVER, with the API token in WARD_TOKEN.
The server analyses the model itself and stores it as the system's new
version; pushing an unchanged model is a no-op. The system is the model's
system.id; the team defaults to the token's team.

Push never reverts what was decided on the server. It sends the version the
files start from (kept in .ward-base beside the model, written by push and
pull; add it to .gitignore): decisions, mitigations and assumptions changed
on the server since then are merged into the pushed model, and push says
which (ward pull brings them into your files). An item changed both on the
server and in your files is a conflict: nothing is stored and each one is
shown with its line. Without .ward-base (CI) the base is the newest version
that came from a push. --force replaces the server's model with yours.`,
		Example: `  WARD_SERVER=https://ward.example.com WARD_TOKEN=ward_... ward push
  ward push services/payments -m "add refund flow"`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.resolveRemote(&r); err != nil {
				return err
			}
			p, err := a.modelPath(args)
			if err != nil {
				return err
			}
			l, err := a.load(cmd.Context(), p)
			if err != nil {
				return a.relDiags(err)
			}
			files, err := bundleFiles(l)
			if err != nil {
				return err
			}
			body := map[string]any{"team": team, "message": message, "main": filepath.Base(p), "files": files}
			system := l.Model.System.ID
			if st, ok := readBase(l.Dir, r.server, system); ok && !force {
				body["base_version"], body["base_pushed"] = st.Version, st.Pushed
			}
			if force {
				body["force"] = true
			}
			var out struct {
				System  string `json:"system"`
				Version int    `json:"version"`
				Created bool   `json:"created"`
				Summary struct {
					Open  int    `json:"open"`
					Worst string `json:"worst"`
				} `json:"summary"`
				Merged []string `json:"merged"`
				Base   int      `json:"base"`
			}
			if err := a.call(cmd.Context(), r, "POST", "/api/v1/systems/"+url.PathEscape(system)+"/versions", body, &out); err != nil {
				return exitForAPI(err)
			}
			if out.Created {
				fmt.Fprintf(a.env.Stdout, "pushed %s version %d (%d open findings, worst %s)\n", out.System, out.Version, out.Summary.Open, out.Summary.Worst)
				// The files are this version as pushed; an unchanged push
				// keeps the old base (the stored version may hold more).
				if err := writeBase(l.Dir, syncState{Server: r.server, System: system, Version: out.Version, Pushed: true}); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(a.env.Stdout, "%s is unchanged: still version %d\n", out.System, out.Version)
			}
			if len(out.Merged) > 0 {
				fmt.Fprintf(a.env.Stdout, "merged %d change(s) made on the server since version %d:\n", len(out.Merged), out.Base)
				for _, m := range out.Merged {
					fmt.Fprintf(a.env.Stdout, "  %s\n", m)
				}
				fmt.Fprintf(a.env.Stdout, "your files do not have them yet: ward pull %s --dir %s --force\n", system, a.display(l.Dir))
			}
			return nil
		},
	}
	a.remoteFlags(cmd, &r)
	cmd.Flags().StringVar(&team, "team", "", "the owning team (default: the token's team)")
	cmd.Flags().StringVarP(&message, "message", "m", "", "a note stored with the version")
	cmd.Flags().BoolVar(&force, "force", false, "replace the server's model with yours, without merging what changed there")
	return cmd
}

// bundleFiles reads the model's files relative to its directory.
func bundleFiles(l *spec.Loaded) (map[string]string, error) {
	files := map[string]string{}
	add := func(name string) error {
		rel, err := filepath.Rel(l.Dir, name)
		if err != nil || strings.HasPrefix(rel, "..") {
			return fmt.Errorf("%s is outside the model's directory", name)
		}
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = string(data)
		return nil
	}
	for _, f := range l.Model.Files {
		if err := add(f); err != nil {
			return nil, err
		}
	}
	for _, f := range l.RuleFiles {
		if err := add(f.Name); err != nil {
			return nil, err
		}
	}
	return files, nil
}

func (a *app) pullCmd() *cobra.Command {
	var (
		r       remote
		version string
		dir     string
		force   bool
	)
	cmd := &cobra.Command{
		Use:   "pull SYSTEM",
		Short: "Fetch a system's model from the Ward server, to commit",
		Long: `Pull writes the files of a system's latest version (or --version N) into --dir
(default the current directory), so decisions taken on the server can be
committed. Files that exist and differ are not overwritten without --force.`,
		Example: `  ward pull larkspur-shop --dir examples/shop --force`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.resolveRemote(&r); err != nil {
				return err
			}
			var out struct {
				Version int               `json:"version"`
				Main    string            `json:"main"`
				Files   map[string]string `json:"files"`
			}
			if err := a.call(cmd.Context(), r, "GET", "/api/v1/systems/"+url.PathEscape(args[0])+"/versions/"+url.PathEscape(version)+"/model", nil, &out); err != nil {
				return exitForAPI(err)
			}
			target := a.path(dir)
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			root, err := os.OpenRoot(target)
			if err != nil {
				return err
			}
			defer root.Close()
			names := make([]string, 0, len(out.Files))
			for n := range out.Files {
				clean := path.Clean(n)
				if clean != n || path.IsAbs(n) || strings.HasPrefix(clean, "../") || clean == ".." {
					return fmt.Errorf("the server sent an unsafe file name %q", n)
				}
				names = append(names, n)
			}
			sort.Strings(names)
			if !force {
				for _, n := range names {
					if old, err := root.ReadFile(n); err == nil && string(old) != out.Files[n] {
						return usagef("%s exists and differs from version %d — pass --force to overwrite it", filepath.Join(dir, n), out.Version)
					}
				}
			}
			for _, n := range names {
				if d := path.Dir(n); d != "." {
					if err := root.MkdirAll(d, 0o755); err != nil {
						return err
					}
				}
				if err := root.WriteFile(n, []byte(out.Files[n]), 0o644); err != nil {
					return err
				}
			}
			if err := writeBase(target, syncState{Server: r.server, System: args[0], Version: out.Version}); err != nil {
				return err
			}
			fmt.Fprintf(a.env.Stdout, "wrote %d file(s) of %s version %d into %s\n", len(names), args[0], out.Version, dir)
			return nil
		},
	}
	a.remoteFlags(cmd, &r)
	cmd.Flags().StringVar(&version, "version", "latest", "the version `number` to fetch")
	cmd.Flags().StringVar(&dir, "dir", ".", "write into this `directory`")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite files that differ")
	return cmd
}

func (a *app) backupCmd() *cobra.Command {
	var db, dataDir string
	cmd := &cobra.Command{
		Use:   "backup OUT",
		Short: "Copy a SQLite store consistently, while the server runs",
		Long: `Backup writes a consistent copy of the server's SQLite database to OUT with
SQLite's VACUUM INTO, safe while ward serve is running. For PostgreSQL use
pg_dump (docs/server.md).`,
		Example: `  ward backup backups/ward-$(date +%F).db`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c := serveConfig{db: db, dataDir: dataDir}
			if c.db == "" {
				c.db = a.env.Getenv("WARD_DB")
			}
			if c.dataDir == "" {
				c.dataDir = or(a.env.Getenv("WARD_DATA_DIR"), "ward-data")
			}
			if strings.HasPrefix(c.db, "postgres") {
				return usagef("ward backup copies SQLite stores; for PostgreSQL use pg_dump (see docs/server.md)")
			}
			src := a.path(c.db)
			if c.db == "" {
				src = filepath.Join(a.path(c.dataDir), "ward.db")
			}
			if _, err := os.Stat(src); err != nil {
				return usagef("no database at %s: pass --db or --data-dir", src)
			}
			out := a.path(args[0])
			if _, err := os.Stat(out); err == nil {
				return usagef("%s exists: backups never overwrite", args[0])
			}
			if err := sqlstore.Backup(cmd.Context(), src, out); err != nil {
				return err
			}
			fmt.Fprintf(a.env.Stdout, "backed up %s to %s\n", src, args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "the SQLite database file (WARD_DB; default DATA-DIR/ward.db)")
	cmd.Flags().StringVar(&dataDir, "data-dir", "", "the server's data `directory` (WARD_DATA_DIR)")
	return cmd
}
