package cli

import (
	"github.com/schollz/progressbar/v3"
)

// progressThreshold is the model size (components + flows) from which a
// progress indicator is worth showing.
const progressThreshold = 5000

// progress shows the analysis phases on large models, only when stderr is a
// terminal: never in pipes or CI logs.
type progress struct {
	enabled bool
	bar     *progressbar.ProgressBar
	a       *app
}

func (a *app) progress() *progress { return &progress{a: a} }

// large enables the indicator when the model is big enough to be slow.
func (p *progress) large(size int) {
	if !p.a.env.StderrTTY || size < progressThreshold {
		return
	}
	p.enabled = true
	p.bar = progressbar.NewOptions(4, progressbar.OptionSetWriter(p.a.env.Stderr), progressbar.OptionClearOnFinish(),
		progressbar.OptionSetDescription("loading model"), progressbar.OptionShowCount())
	_ = p.bar.Add(1)
}

func (p *progress) step(what string) {
	if !p.enabled {
		return
	}
	p.bar.Describe(what)
	_ = p.bar.Add(1)
}

func (p *progress) done() {
	if p.enabled {
		_ = p.bar.Finish()
	}
}
