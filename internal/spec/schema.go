package spec

import _ "embed"

//go:embed ward.schema.json
var schemaJSON []byte

// Schema returns the JSON Schema of the model format.
func Schema() []byte { return schemaJSON }
