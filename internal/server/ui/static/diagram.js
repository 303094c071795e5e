// Ward's system page: the data-flow diagram is shown fitted to the page's
// width, a wide diagram's frame as high as the drawing; the "Fit to width"
// toggle (a button with aria-pressed) shows it at its actual size instead,
// scrolling both ways and opening at the top of the diagram's left part.
// The choice is kept in this browser (localStorage). Without JavaScript the
// diagram stays fitted and the button stays hidden.
(function () {
  'use strict';
  var box = document.getElementById('diagram');
  var button = document.getElementById('diagram-fit');
  var scale = document.getElementById('diagram-scale');
  if (!box || !button) { return; }
  var svg = box.querySelector('svg');
  if (!svg) { return; }
  var key = 'ward.diagram.fit';

  function stored() {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function store(v) {
    try { window.localStorage.setItem(key, v); } catch (e) { /* private mode: not kept */ }
  }
  // natural is the diagram's width at actual size, in CSS pixels.
  function natural() {
    try { return svg.width.baseVal.value; } catch (e) { return 0; }
  }

  function show(fit) {
    box.classList.toggle('fit', fit);
    box.classList.toggle('actual', !fit);
    button.setAttribute('aria-pressed', fit ? 'true' : 'false');
    var w = natural();
    var room = box.clientWidth;
    // The toggle matters only when the diagram is wider than its frame.
    var wide = w > room + 1;
    box.classList.toggle('wide', wide);
    button.hidden = !wide;
    if (scale) {
      scale.textContent = button.hidden || !fit ? '' : 'shown at ' + Math.round(100 * svg.getBoundingClientRect().width / w) + ' % of its size';
    }
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

  var fit = stored() !== '0';
  show(fit);
  if (!fit) { start(); }
  button.addEventListener('click', function () {
    fit = !fit;
    store(fit ? '1' : '0');
    show(fit);
    if (!fit) { start(); }
  });
  window.addEventListener('resize', function () { show(fit); });
})();
