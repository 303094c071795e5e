package geom

import "testing"

func TestCrosses(t *testing.T) {
	line := []Point{{0, 0}, {10, 0}}
	for _, c := range []struct {
		name string
		path []Point
		want bool
	}{
		{"straight across", []Point{{5, -5}, {5, 5}}, true},
		{"bent path across on its second segment", []Point{{-5, -5}, {-1, -5}, {3, 4}}, true},
		{"beside the line", []Point{{11, -5}, {11, 5}}, false},
		{"ends on the line", []Point{{5, -5}, {5, 0}}, false},
		{"collinear", []Point{{2, 0}, {8, 0}}, false},
		{"one point is no segment", []Point{{5, 0}}, false},
	} {
		if got := Crosses(c.path, line); got != c.want {
			t.Errorf("%s: Crosses = %v, want %v", c.name, got, c.want)
		}
		if got := Crosses(line, c.path); got != c.want {
			t.Errorf("%s (reversed): Crosses = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestRect(t *testing.T) {
	r := Rect{X: 10, Y: 20, W: 100, H: 40}
	if c := r.Center(); c != (Point{60, 40}) {
		t.Errorf("Center = %v, want {60 40}", c)
	}
	for _, c := range []struct {
		p    Point
		want bool
	}{{Point{60, 40}, true}, {Point{10, 20}, true}, {Point{110, 60}, true}, {Point{9.9, 40}, false}, {Point{60, 60.1}, false}} {
		if got := r.Contains(c.p); got != c.want {
			t.Errorf("Contains(%v) = %v, want %v", c.p, got, c.want)
		}
	}
}
