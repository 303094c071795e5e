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
	report     write a report: markdown (design-doc section), json, text
	diagram    draw the data-flow diagram: mermaid or dot
	rules      list and explain the rules (built-in and custom)
	triage     does this design need a threat model, and how much of security's time?
	schema     print the JSON Schema of the model format
	version    print the version, format and schema versions

Help topics: 'ward help format', 'ward help controls', 'ward help risk',
'ward help exit-codes'.

Exit status: 0 ok; 1 ward failed; 2 usage error or invalid model (problems
are printed as file:line:col: what is wrong — what to do); 3 open findings at
or above --fail-on. The exit status never depends on --format.

Environment: WARD_DEBUG=1 turns on debug logging on standard error. Results
go to standard output, diagnostics and logs to standard error.
*/
package main
