// Live session board: applies the session's stream to the page.
// "upsert" events carry HTML fragments with ids (cards, the status panel,
// "my votes"): each replaces the element with its id, or, for a new card,
// is appended to its column. A card being edited is not replaced (the
// save answers 409 with the card as it is now, keeping the typed text).
// "refresh" events reload the board region, keeping what was typed in
// its fields and the focus. Also: the phase timer, and dragging a card
// onto another to merge them.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) { return; }

  function busy(el) {
    var a = document.activeElement;
    if (a && el.contains(a) && (a.tagName === "TEXTAREA" || a.tagName === "SELECT" || a.tagName === "INPUT" && a.type === "text")) { return true; }
    var fields = el.querySelectorAll("textarea, input[type=text]");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) { return true; }
    }
    var d = el.querySelector("details.edit[open]");
    return d !== null;
  }

  function upsert(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    Array.prototype.slice.call(t.content.children).forEach(function (el) {
      if (!el.id) { return; }
      var old = document.getElementById(el.id);
      if (old) {
        if (el.classList.contains("scard") && busy(old)) {
          old.classList.add("is-stale");
          return;
        }
        old.replaceWith(el);
      } else {
        var col = document.getElementById(el.dataset.col || "") || document.getElementById(el.dataset.col2 || "");
        if (!col) { return; }
        col.appendChild(el);
      }
      if (window.htmx) { htmx.process(el); }
    });
    timers();
  }

  var refreshing = false, again = false;
  function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    fetch(live.dataset.region, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var region = document.getElementById("live-region");
        if (!region) { return; }
        var kept = {}, focus = document.activeElement && document.activeElement.id;
        region.querySelectorAll("textarea[id], input[type=text][id], input[type=number][id]").forEach(function (f) {
          if (f.value !== f.defaultValue) { kept[f.id] = f.value; }
        });
        var t = document.createElement("template");
        t.innerHTML = html.trim();
        var next = t.content.firstElementChild;
        if (!next) { return; }
        region.replaceWith(next);
        Object.keys(kept).forEach(function (id) {
          var f = document.getElementById(id);
          if (f) { f.value = kept[id]; }
        });
        if (focus && document.getElementById(focus)) { document.getElementById(focus).focus(); }
        if (window.htmx) { htmx.process(next); }
        timers();
      })
      .catch(function () {})
      .finally(function () {
        refreshing = false;
        if (again) { again = false; refresh(); }
      });
  }

  live.addEventListener("upsert", function (e) { upsert(e.detail.data); });
  live.addEventListener("refresh", function () { refresh(); });

  // The phase timer.
  function timers() {
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var end = Date.parse(el.dataset.deadline), left = Math.max(0, Math.round((end - Date.now()) / 1000));
      el.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      el.classList.toggle("over", left === 0);
    });
  }
  setInterval(timers, 1000);
  timers();

  // Drag a card onto another to merge it into that one.
  var dragged = null;
  document.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest(".scard[draggable=true]");
    dragged = card ? card.dataset.card : null;
  });
  document.addEventListener("dragover", function (e) {
    var card = e.target.closest && e.target.closest(".scard[draggable=true]");
    if (dragged && card && card.dataset.card !== dragged) { e.preventDefault(); card.classList.add("drop"); }
  });
  document.addEventListener("dragleave", function (e) {
    var card = e.target.closest && e.target.closest(".scard");
    if (card) { card.classList.remove("drop"); }
  });
  document.addEventListener("drop", function (e) {
    var card = e.target.closest && e.target.closest(".scard[draggable=true]");
    if (!dragged || !card || card.dataset.card === dragged) { return; }
    e.preventDefault();
    card.classList.remove("drop");
    var body = new URLSearchParams({ type: "card.merge", card_id: card.dataset.card, from: dragged });
    var url = live.getAttribute("hx-sse:connect").split("/stream")[0] + "/act";
    fetch(url, { method: "POST", body: body, headers: { "HX-Request": "true" }, credentials: "same-origin" });
    dragged = null;
  });
})();
