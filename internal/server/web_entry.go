package server

import (
	"net/http"
)

// Getting in: the first-run page, sign-in and sign-out.

func (s *Server) entryPages(wr webRouter) {
	wr.public("GET /login", s.pageLogin)
	wr.public("POST /login", s.pageLoginPost)
	wr.public("POST /logout", s.pageLogout)
	wr.public("GET /setup", s.pageSetup)
	wr.public("POST /setup", s.pageSetupPost)
}

type loginView struct {
	Email, Next, Error string
}

func (s *Server) pageLogin(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.URL.Query().Get("next"))
	if principal(r.Context()) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	open, err := s.setupOpen(r.Context())
	if err != nil {
		return err
	}
	if open {
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, "login.html", "Sign in", loginView{Next: next})
}

func (s *Server) pageLoginPost(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	lv := loginView{Email: formValue(r, "email"), Next: localPath(formValue(r, "next"))}
	u, err := s.login(w, r, lv.Email, r.PostFormValue("password"))
	if err != nil {
		if pe := classify(err); pe != nil && pe.Status < 500 {
			lv.Error = pe.Msg
			return s.renderStatus(w, r, pe.Status, "login.html", "layout", s.viewFor(w, r, "Sign in", lv))
		}
		return err
	}
	if err := s.newSession(w, r, u); err != nil {
		return err
	}
	http.Redirect(w, r, lv.Next, http.StatusSeeOther)
	return nil
}

func (s *Server) pageLogout(w http.ResponseWriter, r *http.Request) error {
	if err := s.endSession(w, r); err != nil {
		return err
	}
	setFlash(w, r, "ok", "You are signed out.")
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

type setupView struct {
	Email, Name, Error string
	MinPassword        int
}

func (s *Server) pageSetup(w http.ResponseWriter, r *http.Request) error {
	open, err := s.setupOpen(r.Context())
	if err != nil {
		return err
	}
	if !open {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, "setup.html", "First run", setupView{MinPassword: MinPasswordLen})
}

func (s *Server) pageSetupPost(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	req := setupRequest{Token: formValue(r, "token"), Email: formValue(r, "email"), Name: formValue(r, "name"), Password: r.PostFormValue("password")}
	sv := setupView{Email: req.Email, Name: req.Name, MinPassword: MinPasswordLen}
	if req.Password != r.PostFormValue("password2") {
		sv.Error = "the two passwords differ"
		return s.renderStatus(w, r, http.StatusBadRequest, "setup.html", "layout", s.viewFor(w, r, "First run", sv))
	}
	u, err := s.setup(r.Context(), req)
	if err != nil {
		if pe := classify(err); pe != nil && pe.Status < 500 {
			if pe.Status == http.StatusGone {
				return s.done(w, r, "/login", "")
			}
			sv.Error = pe.Msg
			return s.renderStatus(w, r, pe.Status, "setup.html", "layout", s.viewFor(w, r, "First run", sv))
		}
		return err
	}
	if err := s.newSession(w, r, u); err != nil {
		return err
	}
	return s.done(w, r, "/admin", "Welcome to Ward. You are the administrator: create a team and invite its members.")
}
