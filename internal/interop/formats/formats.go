// Package formats lists every other tool's format Ward reads and writes,
// so that the CLI (ward import, ward export) and the server's "new system
// from a file" page offer the same ones, detected the same way.
package formats

import (
	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/interop/otm"
	"github.com/wardtm/ward/internal/interop/threagile"
	"github.com/wardtm/ward/internal/interop/threatcomposer"
	"github.com/wardtm/ward/internal/interop/threatdragon"
	"github.com/wardtm/ward/internal/interop/tmt"
)

// Importers lists every format Ward imports, in detection order.
func Importers() []interop.Importer {
	return []interop.Importer{
		otm.Importer(),
		threatcomposer.Importer(),
		tmt.Importer,
		threagile.Importer,
		threatdragon.Importer,
	}
}

// Exporters lists every format Ward exports.
func Exporters() []interop.Exporter {
	return []interop.Exporter{
		otm.Exporter(),
		threatcomposer.Exporter(),
	}
}

// Find returns the importer named from or, when from is empty, the first
// that recognises the file; nil when none does.
func Find(from, name string, data []byte) *interop.Importer {
	all := Importers()
	for i := range all {
		if from != "" && all[i].Name == from || from == "" && all[i].Detect(name, data) {
			return &all[i]
		}
	}
	return nil
}
