package otm

import (
	"errors"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/interop"
)

// otmJSON names OTM in decoding errors.
var otmJSON = interop.JSONFormat{Name: "OTM", Object: "OTM object",
	ShapeHint: "the file does not have the shape of an Open Threat Model file (see the OTM schema)"}

// decodeJSON decodes an OTM JSON file into v.
func decodeJSON(name string, data []byte, v any) error {
	return interop.DecodeJSON(name, data, v, otmJSON)
}

// decodeYAML decodes an OTM YAML file. The YAML library refuses documents
// whose aliases expand excessively ("billion laughs").
func decodeYAML(name string, data []byte, v any) error {
	if err := yaml.Unmarshal(data, v); err != nil {
		var le *yaml.LoadError
		var les *yaml.LoadErrors
		if errors.As(err, &les) && len(les.Errors) > 0 {
			le = les.Errors[0]
		}
		if le != nil || errors.As(err, &le) {
			return &interop.InputError{File: name, Line: le.Mark.Line, Col: le.Mark.Column,
				Msg:  "YAML: " + strings.TrimPrefix(le.Message, "yaml: "),
				Hint: "check the file is an Open Threat Model in YAML (see the OTM schema)"}
		}
		return &interop.InputError{File: name, Msg: "YAML: " + strings.TrimPrefix(err.Error(), "yaml: "),
			Hint: "check the file is an Open Threat Model in YAML (see the OTM schema)"}
	}
	return nil
}
