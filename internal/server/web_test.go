package server_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/server"
)

// noFollow is a client that reports redirects instead of following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// page fetches a web page as auth (a session cookie value, "" for none)
// without following redirects.
func (e *env) page(method, path, auth string, form url.Values) (*http.Response, string) {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequestWithContext(e.t.Context(), method, e.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if auth != "" {
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: auth})
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func TestWebFramework(t *testing.T) {
	e := newEnv(t)
	// Signed out: pages redirect to sign-in, which comes back.
	resp, _ := e.page("GET", "/?team=x", "", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next="+url.QueryEscape("/?team=x") {
		t.Errorf("anonymous page: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := e.page("GET", "/login", "", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `name="password"`) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("login page: %d %s", resp.StatusCode, body)
	}
	// Signed in: the home page with the layout.
	resp, body = e.page("GET", "/", e.admin, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Sign out") || strings.Contains(body, "style=") || strings.Contains(body, "<script>") {
		t.Fatalf("home: %d %s", resp.StatusCode, body)
	}
	// Unknown pages are HTML 404s; unknown API paths stay JSON.
	resp, body = e.page("GET", "/no/such/page", e.admin, nil)
	if resp.StatusCode != 404 || !strings.Contains(body, "There is no page at /no/such/page") {
		t.Errorf("404 page: %d %s", resp.StatusCode, body)
	}
	resp, body = e.page("GET", "/api/v1/nope", e.admin, nil)
	if resp.StatusCode != 404 || !strings.Contains(body, `"not_found"`) {
		t.Errorf("API 404: %d %s", resp.StatusCode, body)
	}
	// Static files: hashed URLs cached for a year.
	for _, name := range []string{"ward.css", "vendor/htmx.min.js", "vendor/hx-sse.min.js"} {
		_, home := e.page("GET", "/", e.admin, nil)
		i := strings.Index(home, "/static/")
		if i < 0 {
			t.Fatal("the layout links no static file")
		}
		var link string
		for _, f := range strings.Split(home, `"`) {
			if strings.HasPrefix(f, "/static/") && strings.HasSuffix(f, "/"+name) {
				link = f
			}
		}
		if link == "" {
			t.Errorf("the layout does not link %s", name)
			continue
		}
		resp, data := e.page("GET", link, "", nil)
		if resp.StatusCode != 200 || len(data) == 0 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %d %q", link, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
	// Sign in with the form, land on next.
	resp, _ = e.page("POST", "/login", "", url.Values{"email": {"admin@example.com"}, "password": {"correct horse battery"}, "next": {"/systems"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/systems" || cookie(resp) == "" {
		t.Errorf("sign-in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = e.page("POST", "/login", "", url.Values{"email": {"admin@example.com"}, "password": {"wrong password!!"}, "next": {"//evil.example"}})
	if resp.StatusCode != 401 || !strings.Contains(body, "wrong email or password") {
		t.Errorf("bad sign-in: %d %s", resp.StatusCode, body)
	}
}
