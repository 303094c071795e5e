package synth

import (
	"bytes"
	"fmt"
)

// Split cuts a generated model into files of at most about maxBytes each,
// for models larger than one model file may be (spec.MaxFileBytes): the
// main file keeps the header sections (ward, system, scope, context) and
// includes parts/*.yaml; every list section is cut between items into
// parts, each with ward: 1 and repeating the section's key. Loading the main file gives the
// same model as the whole. Parts are named parts/0001.yaml, ...
func Split(data []byte, maxBytes int) (main []byte, parts map[string][]byte) {
	parts = map[string][]byte{}
	var head, part bytes.Buffer
	section := ""     // the list section being cut ("" in the header)
	partSection := "" // the section the open part is in
	flush := func() {
		if part.Len() > 0 {
			parts[fmt.Sprintf("parts/%04d.yaml", len(parts)+1)] = bytes.Clone(part.Bytes())
			part.Reset()
			partSection = ""
		}
	}
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line = data[:i+1]
		}
		data = data[len(line):]
		if len(line) > 0 && line[0] != ' ' && line[0] != '#' && line[0] != '\n' {
			// A top-level key: a list section when nothing follows the colon.
			key, rest, _ := bytes.Cut(bytes.TrimRight(line, "\n"), []byte(":"))
			switch k := string(key); {
			case len(bytes.TrimSpace(rest)) == 0 && k != "system" && k != "scope" && k != "context" && k != "policy":
				section = k
				continue
			default:
				section = ""
			}
		}
		if section == "" {
			head.Write(line)
			continue
		}
		// Cut only before an item, and start each part with its section.
		if bytes.HasPrefix(line, []byte("  - ")) && (part.Len()+len(line) > maxBytes || partSection != section) {
			if part.Len()+len(line) > maxBytes {
				flush()
			}
			if part.Len() == 0 {
				part.WriteString("ward: 1\n")
			}
			if partSection != section {
				part.WriteString(section + ":\n")
				partSection = section
			}
		}
		part.Write(line)
	}
	flush()
	head.WriteString("include: [parts/*.yaml]\n")
	return head.Bytes(), parts
}
