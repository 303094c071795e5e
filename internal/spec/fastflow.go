package spec

import (
	"strings"

	"go.yaml.in/yaml/v4"
)

// Flow collections ([...] and {...}) for the fast parser (fastyaml.go).

// flow parses a flow collection starting at p.i, inside a block collection
// at indentation ind; lines it continues on must be indented more.
func (p *fastParser) flow(ind int) ynode {
	s := p.s
	open := s[p.i]
	kind, tag, closer := yaml.SequenceNode, tagSeq, byte(']')
	if open == '{' {
		kind, tag, closer = yaml.MappingNode, tagMap, '}'
	}
	n := p.node(kind, tag, "", yaml.FlowStyle, p.ln, p.col(p.i))
	p.i++
	base := len(p.stack)
	p.flowSkip(ind)
	if s[p.i] == closer {
		p.i++
		n.Content = p.collect(base)
		return n
	}
	for {
		if kind == yaml.MappingNode {
			line := p.ln
			k := p.flowItem(ind)
			if k.Kind != yaml.ScalarNode || p.ln != line {
				p.refuse()
			}
			for p.i < len(s) && s[p.i] == ' ' {
				p.i++
			}
			if p.i >= len(s) || s[p.i] != ':' || !p.blankAt(p.i+1) {
				p.refuse()
			}
			p.i++
			p.flowSkip(ind)
			v := p.flowItem(ind)
			p.stack = append(p.stack, k, v)
		} else {
			v := p.flowItem(ind)
			p.stack = append(p.stack, v)
		}
		p.flowSkip(ind)
		c := s[p.i]
		if c == closer {
			break
		}
		if c != ',' {
			p.refuse()
		}
		p.i++
		p.flowSkip(ind)
		if s[p.i] == closer {
			break
		}
	}
	p.i++
	n.Content = p.collect(base)
	return n
}

// flowSkip skips spaces, comments and line breaks inside a flow collection,
// and leaves p.i at a character (refusing the end of input).
func (p *fastParser) flowSkip(ind int) {
	s := p.s
	for {
		start := p.i
		for p.i < len(s) && s[p.i] == ' ' {
			p.i++
		}
		if p.i >= len(s) {
			p.refuse()
		}
		switch s[p.i] {
		case '#':
			if p.i == start && p.i > p.ls {
				p.refuse()
			}
			e := strings.IndexByte(s[p.i:], '\n')
			if e < 0 {
				p.refuse()
			}
			p.i += e
			fallthrough
		case '\n':
			p.newline()
			j := p.i
			for j < len(s) && s[j] == ' ' {
				j++
			}
			if j < len(s) && s[j] != '\n' && s[j] != '#' && j-p.ls <= ind &&
				!(j-p.ls == ind && (s[j] == ']' || s[j] == '}')) {
				p.refuse() // only a closing bracket may be as indented as the block
			}
			continue
		}
		return
	}
}

// flowItem parses a node inside a flow collection.
func (p *fastParser) flowItem(ind int) ynode {
	s := p.s
	j := p.i
	switch c := s[j]; c {
	case '[', '{':
		p.enter()
		n := p.flow(ind)
		p.depth--
		return n
	case '"', '\'':
		v, end := p.quoted(j)
		style := yaml.DoubleQuotedStyle
		if c == '\'' {
			style = yaml.SingleQuotedStyle
		}
		p.i = end
		return p.node(yaml.ScalarNode, tagStr, v, style, p.ln, p.col(j))
	}
	if !p.plainStart(j, true) {
		p.refuse()
	}
	k := j
	end := j
scan:
	for k < len(s) {
		switch s[k] {
		case '\n', ',', '[', ']', '{', '}':
			break scan
		case ' ':
			k++
			continue
		case '#':
			if s[k-1] == ' ' {
				break scan
			}
		case ':':
			if k+1 >= len(s) || s[k+1] == ' ' || s[k+1] == '\n' {
				break scan
			}
			switch s[k+1] {
			case ',', '[', ']', '{', '}', '#', ':':
				p.refuse()
			}
		}
		k++
		end = k
	}
	v := s[j:end]
	tag := resolveTag(v)
	if tag == tagMerge {
		p.refuse()
	}
	p.i = end
	return p.node(yaml.ScalarNode, tag, v, 0, p.ln, p.col(j))
}
