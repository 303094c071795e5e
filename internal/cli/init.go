package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/scaffold"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/triage"
)

func (a *app) initCmd() *cobra.Command {
	var (
		af               answerFlags
		dir, id, name    string
		team, components string
		template         string
		yes, force       bool
	)
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Scaffold a commented ward.yaml for a new threat model",
		Long: `Init writes a ward.yaml in the current directory (or --dir): a valid, commented
model with the system, the triage context, an example asset, trust boundaries,
components and flows matching your answers, and commented-out examples of
threats, mitigations, assumptions and decisions. 'ward check' accepts it as
written; edit it to describe your design.

On a terminal, init asks for what the flags do not give (Enter takes the
default shown, or leaves a triage question unknown). With --yes, or when
standard input is not a terminal, it asks nothing and uses the flags and
defaults. It never overwrites an existing ward.yaml unless --force is given.

With --template, init starts from a common shape of system instead of the
questions (the same templates as the server's "New system" page):
` + templateList() + `
It asks nothing then; edit the model's context to answer the triage questions.`,
		Example: `  ward init
  ward init --yes --id payments-api --name "Payments API" --team payments \
    --internet-facing yes --sensitive-data payment_card,pii --components client,service,datastore,queue
  ward init --dir services/search --yes
  ward init --template llm-feature --id support-bot --team support`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			target := a.path(dir)
			if dir == "" {
				target = cmpOr(a.env.Dir, ".")
			}
			file := filepath.Join(target, "ward.yaml")
			if _, err := os.Stat(file); err == nil && !force {
				return usagef("%s already exists — edit it, or pass --force to replace it", a.display(file))
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			ans, err := af.answers(cmd)
			if err != nil {
				return err
			}
			sc := scaffold.Scaffold{ID: id, Name: name, Team: team, Answers: ans}
			if template != "" {
				for _, q := range triage.Questions {
					if cmd.Flags().Changed(strings.TrimPrefix(q.Flag, "--")) {
						return usagef("--template and %s: a template has its own context; answer the questions in the model after", q.Flag)
					}
				}
				if cmd.Flags().Changed("components") {
					return usagef("--template and --components: a template has its own components")
				}
				yes = true
			}
			if cmd.Flags().Changed("components") {
				if sc.Kinds, err = scaffold.ParseKinds(components); err != nil {
					return usagef("--components: %v", err)
				}
			}
			if sc.ID != "" && !idRE.MatchString(sc.ID) {
				return usagef("--id %q: use lower-case letters, digits, '-', '_' and '.', starting with a letter or digit", sc.ID)
			}
			defID := scaffold.Slug(filepath.Base(absOr(target)))
			if a.env.StdinTTY && !yes {
				if err := a.askScaffold(&sc, defID, cmd.Flags().Changed("components")); err != nil {
					return err
				}
			}
			if sc.ID == "" {
				sc.ID = defID
			}
			if sc.Name == "" {
				sc.Name = scaffold.Title(sc.ID)
			}
			if sc.Kinds == nil {
				sc.Kinds = scaffold.DefaultKinds
			}
			data := sc.Render()
			if template != "" {
				if data, err = scaffold.FromTemplate(template, sc.ID, sc.Name, sc.Team); err != nil {
					return usagef("--template: %v (templates: %s)", err, templateNames())
				}
			}
			// Never write a model ward itself would reject.
			if _, _, err := spec.Parse(file, data); err != nil {
				return fmt.Errorf("internal error: the scaffold does not validate:\n%v", err)
			}
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			if err := writeFileAtomic(file, data); err != nil {
				return fmt.Errorf("write %s: %w", a.display(file), err)
			}
			if _, err := a.load(cmdContext(cmd), file); err != nil {
				return fmt.Errorf("wrote %s but it does not load:\n%v", a.display(file), err)
			}
			shown := a.display(file)
			fmt.Fprintf(a.env.Stderr, "wrote %s\n\nNext steps:\n", shown)
			fmt.Fprintf(a.env.Stderr, "  1. edit %s: describe your components, flows and assets\n", shown)
			fmt.Fprintf(a.env.Stderr, "  2. ward triage %s    — does it need a threat model, and who leads it?\n", shown)
			fmt.Fprintf(a.env.Stderr, "  3. ward check %s     — find threats, rank them, list open questions\n", shown)
			fmt.Fprintf(a.env.Stderr, "  4. ward schema > %s  — editor completion\n", a.display(filepath.Join(target, "ward.schema.json")))
			if u := sc.Answers.Unknown(); len(u) > 0 && template == "" {
				names := make([]string, len(u))
				for i, q := range u {
					names[i] = string(q)
				}
				fmt.Fprintf(a.env.Stderr, "\nStill unknown in context: %s — answer them to refine triage.\n", strings.Join(names, ", "))
			}
			return nil
		},
	}
	af.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&dir, "dir", "", "write ward.yaml in this `directory` (created if missing) instead of the current one")
	fl.StringVar(&id, "id", "", "system `id` (default: the directory's name)")
	fl.StringVar(&name, "name", "", "system `name` (default: from the id)")
	fl.StringVar(&team, "team", "", "owning `team`")
	fl.StringVar(&components, "components", "", "component `kinds` to scaffold, comma-separated (person, client, service, function, datastore, storage, queue, external, device, llm, agent; default person,service,datastore)")
	fl.StringVar(&template, "template", "", "start from a `template` instead of the questions: "+templateNames())
	fl.BoolVarP(&yes, "yes", "y", false, "ask nothing: accept defaults for what the flags do not give")
	fl.BoolVar(&force, "force", false, "overwrite an existing ward.yaml")
	return cmd
}

// askScaffold asks for what the flags left out.
func (a *app) askScaffold(sc *scaffold.Scaffold, defID string, kindsGiven bool) error {
	p := a.prompter()
	fmt.Fprintln(a.env.Stderr, "Creating ward.yaml. Press Enter to accept the default in [brackets].")
	if sc.ID == "" {
		if err := p.ask("System id?", "letters, digits, - _ .", defID, func(s string) error {
			if s == "" {
				return nil
			}
			if !idRE.MatchString(s) {
				return fmt.Errorf("%q is not a valid id", s)
			}
			sc.ID = s
			return nil
		}); err != nil {
			return err
		}
	}
	if sc.Name == "" {
		def := scaffold.Title(cmpOr(sc.ID, defID))
		if err := p.ask("System name?", "as people say it", def, func(s string) error { sc.Name = s; return nil }); err != nil {
			return err
		}
	}
	if sc.Team == "" {
		if err := p.ask("Owning team?", "Enter to skip", "", func(s string) error { sc.Team = s; return nil }); err != nil {
			return err
		}
	}
	if err := p.askAnswers(&sc.Answers); err != nil {
		return err
	}
	if !kindsGiven {
		all := make([]string, len(model.ComponentKinds))
		for i, k := range model.ComponentKinds {
			all[i] = string(k)
		}
		def := make([]string, len(scaffold.DefaultKinds))
		for i, k := range scaffold.DefaultKinds {
			def[i] = string(k)
		}
		if err := p.ask("Which kinds of components does it have?", "comma-separated: "+strings.Join(all, ", "), strings.Join(def, ","), func(s string) error {
			if s == "" {
				return nil
			}
			ks, err := scaffold.ParseKinds(s)
			if err == nil {
				sc.Kinds = ks
			}
			return err
		}); err != nil {
			return err
		}
	}
	fmt.Fprintln(a.env.Stderr)
	return nil
}

func cmpOr(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func absOr(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func templateNames() string {
	names := make([]string, len(scaffold.Templates))
	for i, t := range scaffold.Templates {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

func templateList() string {
	var b strings.Builder
	for _, t := range scaffold.Templates {
		fmt.Fprintf(&b, "\n  %-15s %s", t.Name, t.Description)
	}
	return b.String() + "\n"
}
