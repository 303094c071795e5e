// Command ward is Ward's command-line interface; see doc.go or 'ward help'.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/wardtm/ward/internal/cli"
)

// stopProfile ends a CPU profile started by a build with -tags pprof.
var stopProfile = func() {}

func main() {
	analysed, built := gcPolicy(os.Args[1:])
	var loaded func()
	if analysed != nil {
		loaded = afterLoad
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
		StdinTTY: term.IsTerminal(int(os.Stdin.Fd())), StderrTTY: term.IsTerminal(int(os.Stderr.Fd())), Analysed: analysed, Built: built, Loaded: loaded})
	stop()
	stopProfile()
	os.Exit(code)
}
