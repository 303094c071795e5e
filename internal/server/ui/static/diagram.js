// Ward's system page: the data-flow diagram is shown fitted to the page's
// width, a wide diagram's frame as high as the drawing; the "Fit to width"
// toggle (a button with aria-pressed) shows it at its actual size instead,
// scrolling both ways and opening at the top of the diagram's left part.
// The choice is kept in this browser (localStorage). Zoom out / zoom in /
// reset buttons, the + - 0 keys while the frame (or a link in it) has focus
// and Ctrl/⌘ with the wheel (around the pointer) scale the drawing through
// its width and height attributes (no inline style: the page's CSP allows
// none); the frame then scrolls both ways, and the scale is kept across a
// selection (sessionStorage, this system's page only). Without JavaScript
// the diagram stays fitted and the buttons stay hidden.
(function () {
  'use strict';
  var box = document.getElementById('diagram');
  var button = document.getElementById('diagram-fit');
  var scaleOut = document.getElementById('diagram-scale');
  var zoom = document.getElementById('diagram-zoom');
  if (!box || !button) { return; }
  var svg = box.querySelector('svg');
  if (!svg) { return; }
  var key = 'ward.diagram.fit', zoomKey = 'ward.diagram.zoom';
  var MAX = 4, STEP = 1.25;

  function stored() {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function store(v) {
    try { window.localStorage.setItem(key, v); } catch (e) { /* private mode: not kept */ }
  }
  // The drawing's own size, in CSS pixels, and its width and height
  // attributes (restored when fitted again).
  var attrW = svg.getAttribute('width'), attrH = svg.getAttribute('height');
  var natW = 0, natH = 0;
  try { natW = svg.width.baseVal.value; natH = svg.height.baseVal.value; } catch (e) { /* no size: fitted only */ }

  // scale is the drawing's size over its own; null when fitted.
  var scale = null;

  function fitted() { return natW ? Math.min(1, box.clientWidth / natW) : 1; }
  function current() { return scale === null ? (natW ? svg.getBoundingClientRect().width / natW : 1) : scale; }
  function least() { return Math.min(0.25, fitted()); }

  function show() {
    var fit = scale === null;
    box.classList.toggle('fit', fit);
    box.classList.toggle('actual', !fit);
    if (fit) {
      if (attrW === null) { svg.removeAttribute('width'); } else { svg.setAttribute('width', attrW); }
      if (attrH === null) { svg.removeAttribute('height'); } else { svg.setAttribute('height', attrH); }
    } else {
      svg.setAttribute('width', (natW * scale).toFixed(2));
      svg.setAttribute('height', (natH * scale).toFixed(2));
    }
    button.setAttribute('aria-pressed', fit ? 'true' : 'false');
    // The toggle matters only when the diagram is wider than its frame.
    var wide = natW > box.clientWidth + 1;
    box.classList.toggle('wide', wide);
    button.hidden = !wide;
    if (zoom && natW) { zoom.hidden = false; }
    if (scaleOut) { scaleOut.textContent = natW ? Math.round(100 * current()) + ' %' : ''; }
  }

  // zoomTo scales the drawing to s, the point at (x, y) on the screen
  // staying where it is.
  function zoomTo(s, x, y) {
    if (!natW) { return; }
    var was = current(), r = svg.getBoundingClientRect();
    s = Math.max(least(), Math.min(MAX, s));
    var f = fitted();
    if (Math.abs(s - f) < 0.005 * f) { s = f; }
    if (Math.abs(s - was) < 1e-4) { return; }
    var ux = (x - r.left) / was, uy = (y - r.top) / was; // in the drawing's own pixels
    scale = s === f ? null : s;
    show();
    var n = svg.getBoundingClientRect();
    box.scrollLeft += n.left + ux * s - x;
    box.scrollTop += n.top + uy * s - y;
    remember();
  }
  // centre is the middle of the part of the frame on the screen.
  function centre() {
    var c = box.getBoundingClientRect();
    var left = c.left + box.clientLeft, top = Math.max(0, c.top + box.clientTop);
    var bottom = Math.min(window.innerHeight, c.top + box.clientTop + box.clientHeight);
    return [left + box.clientWidth / 2, (top + Math.max(top, bottom)) / 2];
  }
  // step zooms by f around the focused component or flow, or else the
  // middle of the frame.
  function step(f) {
    var p = centre(), a = document.activeElement;
    if (a && a !== box && svg.contains(a)) {
      var r = a.getBoundingClientRect();
      p = [r.left + r.width / 2, r.top + r.height / 2];
    }
    zoomTo(current() * f, p[0], p[1]);
  }
  function reset() {
    scale = null;
    store('1');
    show();
    remember();
  }

  // The scale and scroll are kept for this page across a selection (a
  // link to the same page with ?element=…), in this tab only.
  function remember() {
    try {
      window.sessionStorage.setItem(zoomKey, JSON.stringify({path: location.pathname, scale: scale, left: box.scrollLeft, top: box.scrollTop}));
    } catch (e) { /* not kept */ }
  }
  function recalled() {
    try {
      var v = JSON.parse(window.sessionStorage.getItem(zoomKey) || 'null');
      return v && v.path === location.pathname ? v : null;
    } catch (e) { return null; }
  }

  // start scrolls the frame to the diagram's start: its left edge, and the
  // top of what is drawn there. At actual size the left of a left-to-right
  // diagram is often far below its top, and the frame would open on an
  // empty band.
  function start() {
    var rects = [];
    svg.querySelectorAll('g.node, g.cluster').forEach(function (g) { rects.push(g.getBoundingClientRect()); });
    if (!rects.length) { return; }
    var left = Math.min.apply(null, rects.map(function (r) { return r.left; }));
    var first = Infinity;
    rects.forEach(function (r) {
      if (r.left < left + box.clientWidth && r.top < first) { first = r.top; }
    });
    var top = box.getBoundingClientRect().top + box.clientTop;
    box.scrollLeft = 0;
    box.scrollTop = Math.max(0, box.scrollTop + first - top - 8);
  }

  var kept = recalled();
  if (kept && typeof kept.scale === 'number' && kept.scale > 0) {
    scale = Math.max(0.05, Math.min(MAX, kept.scale));
    show();
    box.scrollLeft = kept.left || 0;
    box.scrollTop = kept.top || 0;
  } else {
    scale = stored() === '0' ? 1 : null;
    show();
    if (scale !== null) { start(); }
  }
  button.addEventListener('click', function () {
    scale = scale === null ? 1 : null;
    store(scale === null ? '1' : '0');
    show();
    if (scale !== null) { start(); }
    remember();
  });
  if (zoom && natW) {
    document.getElementById('diagram-zoom-in').addEventListener('click', function () { step(STEP); });
    document.getElementById('diagram-zoom-out').addEventListener('click', function () { step(1 / STEP); });
    document.getElementById('diagram-zoom-reset').addEventListener('click', reset);
    // The frame takes the focus (Tab), so that + and - zoom it.
    box.tabIndex = 0;
    box.setAttribute('role', 'region');
    box.setAttribute('aria-label', 'Data-flow diagram: + and - zoom, 0 fits it again');
    box.setAttribute('aria-keyshortcuts', '+ - 0');
    box.addEventListener('keydown', function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey) { return; }
      if (e.key === '+' || e.key === '=') { step(STEP); } else if (e.key === '-' || e.key === '_') { step(1 / STEP); } else if (e.key === '0') { reset(); } else { return; }
      e.preventDefault();
    });
    // Ctrl (⌘ on a Mac, or a trackpad's pinch) with the wheel zooms around
    // the pointer; the wheel alone scrolls as ever.
    box.addEventListener('wheel', function (e) {
      if (!e.ctrlKey && !e.metaKey) { return; }
      e.preventDefault();
      var d = e.deltaY * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1);
      zoomTo(current() * Math.exp(-Math.max(-200, Math.min(200, d)) / 400), e.clientX, e.clientY);
    }, {passive: false});
    box.addEventListener('scroll', function () { if (scale !== null) { remember(); } }, {passive: true});
  }
  window.addEventListener('resize', function () { show(); });
})();
