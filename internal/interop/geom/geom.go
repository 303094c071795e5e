// Package geom is the plane geometry the diagram importers (Threat Dragon,
// Microsoft TMT) use to recover structure from drawings: which box holds an
// element (its centre inside the box) and which drawn flows cross a line
// boundary (polyline intersection).
package geom

// Point is a position on a diagram. The JSON tags match the vertex format of
// Threat Dragon's files, which decode into it directly.
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Rect is an axis-aligned box: top-left corner, width and height.
type Rect struct{ X, Y, W, H float64 }

// Center is the middle of the box.
func (r Rect) Center() Point { return Point{r.X + r.W/2, r.Y + r.H/2} }

// Contains reports whether p is inside the box or on its edge.
func (r Rect) Contains(p Point) bool {
	return p.X >= r.X && p.X <= r.X+r.W && p.Y >= r.Y && p.Y <= r.Y+r.H
}

// Crosses reports whether two polylines intersect properly: some segment of
// a crosses some segment of b, each segment's ends strictly on both sides of
// the other's line (touching or collinear segments do not count). Drawing
// tools render smooth curves through the points; straight segments are an
// approximation.
func Crosses(a, b []Point) bool {
	for i := 0; i+1 < len(a); i++ {
		for j := 0; j+1 < len(b); j++ {
			if segments(a[i], a[i+1], b[j], b[j+1]) {
				return true
			}
		}
	}
	return false
}

func segments(p1, p2, p3, p4 Point) bool {
	d1, d2 := side(p3, p4, p1), side(p3, p4, p2)
	d3, d4 := side(p1, p2, p3), side(p1, p2, p4)
	return (d1 > 0) != (d2 > 0) && d1 != 0 && d2 != 0 && (d3 > 0) != (d4 > 0) && d3 != 0 && d4 != 0
}

// side is the cross product of (b-a) and (c-a): positive when c is to the
// left of the line from a to b, negative to the right, zero on it.
func side(a, b, c Point) float64 { return (b.X-a.X)*(c.Y-a.Y) - (b.Y-a.Y)*(c.X-a.X) }
