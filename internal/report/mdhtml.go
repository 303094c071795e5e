package report

import (
	"html/template"
	"regexp"
	"strings"
)

// markdownHTML renders the Markdown people and other tools write in
// descriptions (Threat Composer's are Markdown) as HTML, safely: the text
// is escaped first, so raw HTML shows as text, and only a small set of
// constructs becomes markup — paragraphs, headings (shown as bold lines),
// bullet and numbered lists, **strong**, *emphasis*, `code` and links to
// http(s) and mailto addresses.
func markdownHTML(s string) template.HTML {
	var b strings.Builder
	var para []string
	list := "" // "ul" or "ol" while in a list
	flush := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + inlineMD(strings.Join(para, " ")) + "</p>")
			para = nil
		}
	}
	closeList := func() {
		if list != "" {
			b.WriteString("</" + list + ">")
			list = ""
		}
	}
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			flush()
			closeList()
		case t[0] == '#' && headingRE.MatchString(t):
			flush()
			closeList()
			b.WriteString(`<p class="mdh"><strong>` + inlineMD(headingRE.ReplaceAllString(t, "")) + "</strong></p>")
		case listStart(t[0]) && (bulletRE.MatchString(t) || numberRE.MatchString(t)):
			flush()
			kind, item := "ul", bulletRE.ReplaceAllString(t, "")
			if numberRE.MatchString(t) {
				kind, item = "ol", numberRE.ReplaceAllString(t, "")
			}
			if list != kind {
				closeList()
				b.WriteString("<" + kind + ">")
				list = kind
			}
			b.WriteString("<li>" + inlineMD(item) + "</li>")
		default:
			if list != "" && strings.HasPrefix(line, "  ") {
				// A continuation of the list item: keep it in the list.
				b.WriteString(" " + inlineMD(t))
				continue
			}
			closeList()
			para = append(para, t)
		}
	}
	flush()
	closeList()
	return template.HTML(b.String())
}

var (
	headingRE = regexp.MustCompile(`^#{1,6}\s+`)
	bulletRE  = regexp.MustCompile(`^[-*+]\s+`)
	numberRE  = regexp.MustCompile(`^\d{1,3}[.)]\s+`)
	codeRE    = regexp.MustCompile("`([^`]+)`")
	strongRE  = regexp.MustCompile(`\*\*([^*]+)\*\*|__([^_]+)__`)
	emRE      = regexp.MustCompile(`(^|[\s(])[*_]([^*_\s][^*_]*)[*_]`)
	linkRE    = regexp.MustCompile(`\[([^\]]+)\]\(((?:https?://|mailto:)[^\s)]+)\)`)
)

// InlineHTML renders one line of Markdown — a threat's title, whose
// element names are `code` spans — as safe HTML: escaped first, then code
// spans, strong, emphasis and http(s)/mailto links only.
func InlineHTML(s string) template.HTML { return template.HTML(inlineMD(s)) }

// listStart reports whether a line starting with c may be a list item.
func listStart(c byte) bool { return c == '-' || c == '*' || c == '+' || c >= '0' && c <= '9' }

// inlineMD escapes s and renders code spans, strong, emphasis and links.
// Each rule runs only when s holds the characters it needs to match.
func inlineMD(s string) string {
	s = template.HTMLEscapeString(s)
	if !strings.ContainsAny(s, "`[*_") {
		return s
	}
	// Code spans first; their content is kept out of the other rules.
	var codes []string
	if strings.Contains(s, "`") {
		s = codeRE.ReplaceAllStringFunc(s, func(m string) string {
			codes = append(codes, "<code>"+m[1:len(m)-1]+"</code>")
			return "\x00" + string(rune('0'+len(codes)-1)) + "\x00"
		})
	}
	if strings.Contains(s, "](") {
		s = linkRE.ReplaceAllString(s, `<a href="$2" rel="noopener noreferrer">$1</a>`)
	}
	if strings.Contains(s, "**") || strings.Contains(s, "__") {
		s = strongRE.ReplaceAllString(s, "<strong>$1$2</strong>")
	}
	if strings.ContainsAny(s, "*_") {
		s = emRE.ReplaceAllString(s, "$1<em>$2</em>")
	}
	for i, c := range codes {
		s = strings.Replace(s, "\x00"+string(rune('0'+i))+"\x00", c, 1)
	}
	return s
}

// MarkdownHTML renders a Markdown document (a design document of a
// training exercise) as safe HTML, like descriptions: escaped first, a
// small set of constructs becomes markup.
func MarkdownHTML(s string) template.HTML { return markdownHTML(s) }
