// Package examples embeds the example threat models, so that
// `ward serve --demo` can load them on any machine.
package examples

import "embed"

// FS holds every example: one directory per model, each with a ward.yaml.
//
//go:embed */*.yaml
var FS embed.FS
