package modeledit

import (
	"fmt"
	"strings"
)

// DiffLine is one line of a line diff: Op is ' ' (kept), '-' (removed from
// the old text) or '+' (added in the new text).
type DiffLine struct {
	Op   byte
	Text string
	// Old and New are the line's 1-based numbers in each text (0 when absent).
	Old, New int
}

// maxDiffCells bounds the work of LineDiff (old lines × new lines after the
// common prefix and suffix are removed).
const maxDiffCells = 4 << 20

// LineDiff returns a line diff of two texts (longest common subsequence,
// after the common prefix and suffix). Texts too different to compare
// cheaply come back as all removed then all added.
func LineDiff(old, new string) []DiffLine {
	a, b := splitLines(old), splitLines(new)
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var out []DiffLine
	for i := range pre {
		out = append(out, DiffLine{' ', a[i], i + 1, i + 1})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if len(ma)*len(mb) > maxDiffCells {
		for i, l := range ma {
			out = append(out, DiffLine{'-', l, pre + i + 1, 0})
		}
		for i, l := range mb {
			out = append(out, DiffLine{'+', l, 0, pre + i + 1})
		}
	} else {
		// lcs[i][j] is the LCS length of ma[i:] and mb[j:].
		n, m := len(ma), len(mb)
		lcs := make([][]int32, n+1)
		for i := range lcs {
			lcs[i] = make([]int32, m+1)
		}
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && ma[i] == mb[j]:
				out = append(out, DiffLine{' ', ma[i], pre + i + 1, pre + j + 1})
				i++
				j++
			case j < m && (i == n || lcs[i][j+1] > lcs[i+1][j]):
				out = append(out, DiffLine{'+', mb[j], 0, pre + j + 1})
				j++
			default:
				out = append(out, DiffLine{'-', ma[i], pre + i + 1, 0})
				i++
			}
		}
	}
	for k := range suf {
		i, j := len(a)-suf+k, len(b)-suf+k
		out = append(out, DiffLine{' ', a[i], i + 1, j + 1})
	}
	return out
}

func splitLines(s string) []string {
	s = strings.TrimSuffix(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Unified formats a diff as unified-diff hunks with context lines around
// each change (no file header).
func Unified(d []DiffLine, context int) string {
	var b strings.Builder
	for start := 0; start < len(d); {
		// Find the next change.
		c := start
		for c < len(d) && d[c].Op == ' ' {
			c++
		}
		if c == len(d) {
			break
		}
		lo := max(c-context, start)
		hi := c
		for {
			// Extend over changes closer than 2*context apart.
			for hi < len(d) && d[hi].Op != ' ' {
				hi++
			}
			next := hi
			for next < len(d) && d[next].Op == ' ' && next-hi < 2*context {
				next++
			}
			if next < len(d) && d[next].Op != ' ' {
				hi = next
				continue
			}
			break
		}
		end := min(hi+context, len(d))
		oldStart, newStart, oldN, newN := 0, 0, 0, 0
		for _, l := range d[lo:end] {
			if l.Op != '+' {
				if oldStart == 0 {
					oldStart = l.Old
				}
				oldN++
			}
			if l.Op != '-' {
				if newStart == 0 {
					newStart = l.New
				}
				newN++
			}
		}
		fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@\n", oldStart, oldN, newStart, newN)
		for _, l := range d[lo:end] {
			b.WriteByte(l.Op)
			b.WriteString(l.Text)
			b.WriteByte('\n')
		}
		start = end
	}
	return b.String()
}
