/*
Ward is self-serve threat modeling for engineering teams: threat models kept
as YAML beside the design and the code, checked in seconds, ranked by business
risk, and gated in CI.

Usage:

	ward <command> [flags] [MODEL]

MODEL is a ward.yaml file or a directory holding one (default ./ward.yaml).

The commands are:

	init       scaffold a ward.yaml, interactively or from flags
	check      validate, find threats, rank them, list open questions
	report     write a report: markdown, html, pdf, json, sarif, csv, trackers, text
	diagram    draw the data-flow diagram: mermaid, dot or svg
	rules      list and explain the rules (built-in and custom)
	triage     does this design need a threat model, and how much of security's time?
	decide     record (or remove) a decision on a finding: accepted, false positive, transferred
	diff       what a change to a model means for security; gate CI on added risk
	import     convert another tool's model (OTM, Threat Dragon, Threat Composer, Threagile, MS TMT)
	export     write another tool's format (OTM, Threat Composer)
	paths      the weakest attack paths from entry points to critical assets
	blast      what a compromised component reaches
	brief      the pen-test brief: scope, assets, paths, assumptions to disprove
	eval       score Ward's threats against reviewers' threat lists (docs/quality.md)
	serve      run the Ward server and its web UI (SQLite by default, PostgreSQL for replicas)
	push       send a model to the server
	pull       fetch a system's model from the server, to commit
	backup     copy the server's SQLite database while it runs
	user       manage the server's accounts (administrators)
	token      manage API tokens: list, create, revoke
	team       list and create the server's teams
	review     request a design review; the review queue and a system's badge
	notify     a team's notification webhooks: add, list, test, deliveries
	training   training exercises: list, show, validate one you wrote (docs/training.md)
	findings   import pen-test and bug-bounty findings; would the model have caught them?
	schema     print the JSON Schema of the model format
	version    print the version, format and schema versions

Help topics: 'ward help format', 'ward help controls', 'ward help risk',
'ward help exit-codes'.

Exit status: 0 ok; 1 ward failed; 2 usage error or invalid model (problems
are printed as file:line:col: what is wrong — what to do); 3 open findings at
or above --fail-on. The exit status never depends on --format.

Environment: WARD_DEBUG=1 turns on debug logging on standard error;
WARD_SERVER and WARD_TOKEN tell push, pull, user, token, team, review and
notify, training and findings where the server is (WARD_TOKEN is made with
'ward token create'); the server's WARD_* settings are listed in
docs/server.md. Push and pull keep the version the files start from in
.ward-base beside the model (local state: git-ignore it), so a push merges
what was decided on the server instead of reverting it. Results go to
standard output, diagnostics and logs to standard error.
*/
package main
