// Filters for the findings list. Without this script every finding shows.
(function () {
  "use strict";
  document.documentElement.className += " js";
  var zoom = document.getElementById("zoom"), dfd = document.getElementById("dfd");
  if (zoom && dfd) {
    zoom.addEventListener("click", function () {
      var fit = dfd.classList.toggle("fit");
      zoom.textContent = fit ? "Actual size" : "Fit to width";
    });
  }
  var form = document.getElementById("filters");
  if (!form) { return; }
  var cards = Array.prototype.slice.call(document.querySelectorAll(".finding"));
  var count = document.getElementById("filter-count");
  var empty = document.getElementById("filter-empty");

  function checked(name) {
    var set = {};
    var boxes = form.querySelectorAll("input[name='" + name + "']");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].checked) { set[boxes[i].value] = true; }
    }
    return set;
  }
  function any(list, set) {
    var items = (list || "").split(" ");
    for (var i = 0; i < items.length; i++) {
      if (set[items[i]]) { return true; }
    }
    return false;
  }
  function apply() {
    var sev = checked("severity"), cat = checked("stride"), st = checked("status");
    var owner = form.elements.owner.value;
    var q = form.elements.q.value.trim().toLowerCase();
    var shown = 0;
    cards.forEach(function (c) {
      var d = c.dataset;
      var ok = sev[d.severity] && any(d.stride, cat) && st[d.status] &&
        (owner === "" || ("|" + d.owners + "|").indexOf("|" + owner + "|") >= 0) &&
        (q === "" || c.textContent.toLowerCase().indexOf(q) >= 0);
      c.hidden = !ok;
      if (ok) { shown++; }
    });
    count.textContent = "Showing " + shown + " of " + cards.length;
    empty.hidden = shown !== 0;
  }
  form.addEventListener("change", apply);
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  // A link to a finding the filters hide shows it anyway.
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.hidden) { el.hidden = false; }
  }
  window.addEventListener("hashchange", reveal);
  apply();
  reveal();
})();
