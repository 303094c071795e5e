package threatcomposer

import "github.com/wardtm/ward/internal/interop"

// tcJSON names Threat Composer in decoding errors.
var tcJSON = interop.JSONFormat{Name: "Threat Composer", Object: "JSON object",
	ShapeHint: "the file does not have the shape of a Threat Composer export (.tc.json)"}

// decodeJSON decodes a Threat Composer JSON file into v.
func decodeJSON(name string, data []byte, v any) error {
	return interop.DecodeJSON(name, data, v, tcJSON)
}
