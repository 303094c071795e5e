// Ward's visual data-flow editor (AntV X6, vendored). The drawing is built
// from the loaded model; every change is sent to the server as a
// structured edit (add, update or delete a component, flow, boundary or
// layout entry), which applies it to the YAML as a minimal text edit and
// answers with the new files, the new graph, the problems and the diff.
// Nothing is stored until Save, which creates a version from the revision
// the page opened (a newer version is shown, not overwritten).
(function () {
  'use strict';
  var root = document.getElementById('draw');
  if (!root || !window.X6) { return; }
  X6.Config.autoInsertCSS = false; // the CSP refuses <style>: x6.css is linked

  var system = root.dataset.system;
  var api = '/api/v1/systems/' + encodeURIComponent(system);
  var state = { revision: +root.dataset.revision, files: null, graph: null, valid: true, dirty: false, selected: null, mode: null, flowFrom: null, busy: false };
  var statusEl = document.getElementById('draw-status');
  var props = document.getElementById('props');
  var diagsEl = document.getElementById('draw-diags');
  var diffEl = document.getElementById('draw-diff');
  var btn = {
    addComponent: document.getElementById('add-component'),
    addBoundary: document.getElementById('add-boundary'),
    addFlow: document.getElementById('add-flow'),
    del: document.getElementById('delete'),
    save: document.getElementById('save')
  };
  var W = 150, H = 56; // component size
  var kindFill = { person: '#e8f1fb', client: '#e8f1fb', device: '#e8f1fb', service: '#eef7ee', 'function': '#eef7ee', agent: '#f3ecfb', llm: '#f3ecfb',
    datastore: '#fdf3e3', storage: '#fdf3e3', queue: '#fdf3e3', external: '#f1f1f1' };
  var worstStroke = { critical: '#7a1010', high: '#b42318', medium: '#9a6700' };

  var graph = new X6.Graph({
    container: document.getElementById('canvas'),
    autoResize: true,
    grid: { visible: true, size: 10 },
    panning: { enabled: true, eventTypes: ['leftMouseDown'] },
    mousewheel: { enabled: true, modifiers: ['ctrl', 'meta'] },
    interacting: { nodeMovable: true, edgeMovable: false, edgeLabelMovable: false, vertexMovable: false, vertexAddable: false, arrowheadMovable: false },
    background: { color: '#fbfcfd' },
    // Render at once: the drawing is rebuilt after every change, and
    // asynchronous rendering left views of removed cells behind.
    async: false
  });

  function status(text, bad) {
    statusEl.textContent = text;
    statusEl.className = bad ? 'bad' : 'hint';
  }

  // --- talking to the server ---

  function call(method, url, body) {
    return fetch(url, { method: method, credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (data) { return { status: resp.status, ok: resp.ok, data: data }; });
      });
  }

  // send applies edits to the working files and redraws from the answer.
  function send(edits, what) {
    if (state.busy) { status('Still working on the last change…'); return Promise.resolve(false); }
    state.busy = true;
    status((what || 'Applying') + '…');
    return call('POST', api + '/preview', { files: state.files || {}, edits: edits || [] }).then(function (r) {
      state.busy = false;
      if (!r.ok) {
        var msg = r.data && r.data.error ? r.data.error.message : 'the server answered ' + r.status;
        status('Not applied: ' + msg, true);
        return false;
      }
      apply(r.data);
      status(state.valid ? (state.dirty ? 'Unsaved changes.' : 'No unsaved changes.') : 'The model has problems: see the side panel.', !state.valid);
      return true;
    }, function () {
      state.busy = false;
      status('Could not reach the server; nothing was changed.', true);
      return false;
    });
  }

  function apply(p) {
    state.files = p.files;
    state.valid = p.valid;
    state.dirty = (p.diff || []).length > 0;
    if (p.graph) { state.graph = p.graph; draw(); picker(); }
    var tools = !!state.graph;
    [btn.addComponent, btn.addBoundary, btn.addFlow].forEach(function (b) { b.disabled = !tools; });
    if (!tools) { status('The model does not load: fix the problems in the YAML editor first.', true); }
    showDiags(p.diagnostics || []);
    showDiff(p.diff || []);
    btn.save.disabled = !state.dirty || !state.valid;
    select(state.selected, true);
  }

  function showDiags(ds) {
    diagsEl.textContent = '';
    if (!ds.length) {
      var li = document.createElement('li'); li.className = 'hint'; li.textContent = 'None.'; diagsEl.appendChild(li);
      return;
    }
    ds.forEach(function (d) {
      var li = document.createElement('li');
      li.className = 'diag diag-' + d.level;
      li.textContent = d.text;
      diagsEl.appendChild(li);
    });
  }

  function showDiff(diffs) {
    diffEl.textContent = '';
    diffs.forEach(function (f) {
      var head = document.createElement('span'); head.className = 'hunk'; head.textContent = '--- ' + f.file + '\n'; diffEl.appendChild(head);
      f.unified.split('\n').forEach(function (l) {
        if (!l) { return; }
        var s = document.createElement('span');
        s.className = l.charAt(0) === '+' ? 'add' : l.charAt(0) === '-' ? 'del' : l.indexOf('@@') === 0 ? 'hunk' : 'ctx';
        s.textContent = l + '\n';
        diffEl.appendChild(s);
      });
    });
    if (!diffs.length) { diffEl.textContent = 'No changes.'; }
  }

  function save() {
    if (!state.dirty) { return; }
    btn.save.disabled = true;
    status('Saving…');
    call('PUT', api + '/model', { base_revision: state.revision, files: state.files, message: 'drawn in the visual editor' }).then(function (r) {
      if (r.ok) {
        state.revision = r.data.revision;
        root.dataset.revision = String(r.data.revision);
        state.dirty = false;
        showDiff([]);
        status('Saved version ' + r.data.version + '.');
        return;
      }
      btn.save.disabled = false;
      var e = r.data.error || {};
      if (r.status === 409 && e.details) {
        status('Not saved: someone saved a newer version (revision ' + e.details.revision + '). Your changes are kept below; reload to start from the newer version.', true);
        showDiff(e.details.diff || []);
        document.getElementById('draw-diff-box').open = true;
        return;
      }
      status('Not saved: ' + (e.message || r.status), true);
    }, function () {
      btn.save.disabled = false;
      status('Could not reach the server; nothing was saved.', true);
    });
  }

  // --- drawing ---

  function byID(list) {
    var m = {};
    list.forEach(function (x) { m[x.id] = x; });
    return m;
  }

  // positions computes where each component and boundary is drawn: its
  // layout entry, or a column per boundary (depth-first) for the others.
  function positions(g) {
    var pos = {};
    var bs = g.boundaries, cs = g.components;
    var children = {}, depth = {};
    bs.forEach(function (b) { (children[b.parent || ''] = children[b.parent || ''] || []).push(b.id); });
    var order = [''];
    (function walk(parent, d) {
      (children[parent] || []).forEach(function (id) { depth[id] = d; order.push(id); walk(id, d + 1); });
    }('', 0));
    var col = 0;
    order.forEach(function (bid) {
      var members = cs.filter(function (c) { return (c.boundary || '') === bid && !c.place; });
      var d = depth[bid] === undefined ? 0 : depth[bid] + 1;
      if (!members.length && bid === '') { return; }
      members.forEach(function (c, i) {
        pos['c:' + c.id] = { x: 40 + col * 210, y: 60 + d * 34 + i * 100, w: W, h: H };
      });
      col++;
    });
    cs.forEach(function (c) { if (c.place) { pos['c:' + c.id] = { x: c.place.x, y: c.place.y, w: W, h: H }; } });
    // Boundaries enclose their members, deepest first.
    var bsByDepth = bs.slice().sort(function (a, b) { return (depth[b.id] || 0) - (depth[a.id] || 0); });
    bsByDepth.forEach(function (b) {
      var boxes = [];
      cs.forEach(function (c) { if (c.boundary === b.id) { boxes.push(pos['c:' + c.id]); } });
      (children[b.id] || []).forEach(function (id) { boxes.push(pos['b:' + id]); });
      var r;
      if (boxes.length) {
        var x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
        boxes.forEach(function (p) { x1 = Math.min(x1, p.x); y1 = Math.min(y1, p.y); x2 = Math.max(x2, p.x + p.w); y2 = Math.max(y2, p.y + p.h); });
        r = { x: x1 - 20, y: y1 - 34, w: x2 - x1 + 40, h: y2 - y1 + 54 };
      } else if (b.place) {
        r = { x: b.place.x, y: b.place.y, w: b.place.w || 220, h: b.place.h || 140 };
      } else {
        r = { x: 40 + (col++) * 210, y: 40, w: 200, h: 120 };
      }
      pos['b:' + b.id] = r;
    });
    return { pos: pos, depth: depth };
  }

  // A kind the loader inferred from the name is marked as in the
  // diagrams: «datastore (inferred)» (ward help inference).
  function label(c) {
    var inferred = (c.inferred || []).indexOf('kind') >= 0 ? ' (inferred)' : '';
    return (c.name || c.id) + '\n«' + c.kind + inferred + '»';
  }

  function draw() {
    var g = state.graph;
    var lay = positions(g);
    graph.clearCells();
    g.boundaries.forEach(function (b) {
      var p = lay.pos['b:' + b.id];
      graph.addNode({ id: 'b:' + b.id, shape: 'rect', x: p.x, y: p.y, width: p.w, height: p.h, zIndex: 1 + (lay.depth[b.id] || 0),
        attrs: { body: { fill: b.trust === 'internet' ? 'rgba(255,235,233,0.35)' : 'rgba(240,246,252,0.45)', stroke: '#57606a', strokeDasharray: '6 4', rx: 8, ry: 8 },
          label: { text: (b.name || b.id) + ' (' + b.trust + ')', refX: 10, refY: 8, textAnchor: 'start', textVerticalAnchor: 'top', fontSize: 12, fill: '#3d4752' } },
        data: { type: 'boundary', id: b.id } });
    });
    g.components.forEach(function (c) {
      var p = lay.pos['c:' + c.id];
      graph.addNode({ id: 'c:' + c.id, shape: 'rect', x: p.x, y: p.y, width: W, height: H, zIndex: 100,
        attrs: { body: { fill: kindFill[c.kind] || '#ffffff', stroke: worstStroke[c.worst] || '#57606a', strokeWidth: worstStroke[c.worst] ? 2.5 : 1.2,
          rx: c.kind === 'person' ? 28 : c.kind === 'datastore' ? 2 : 8, ry: c.kind === 'person' ? 28 : c.kind === 'datastore' ? 2 : 8 },
          label: { text: label(c), fontSize: 12, fill: '#1b1f24' } },
        data: { type: 'component', id: c.id } });
    });
    // Embed members so that moving a boundary moves what is in it.
    g.components.forEach(function (c) {
      if (c.boundary) { var b = graph.getCellById('b:' + c.boundary); if (b) { b.addChild(graph.getCellById('c:' + c.id)); } }
    });
    g.boundaries.forEach(function (b) {
      if (b.parent) { var p = graph.getCellById('b:' + b.parent); if (p) { p.addChild(graph.getCellById('b:' + b.id)); } }
    });
    var pairs = {};
    g.flows.forEach(function (f) { pairs[f.from + '>' + f.to] = true; });
    g.flows.forEach(function (f) {
      // The protocol and the data carried, shortened: the panel has it all.
      var carries = f.carries || [];
      var data = carries.length > 2 ? carries.slice(0, 1).join('') + ' +' + (carries.length - 1) : carries.join(', ');
      var text = [f.protocol, data].filter(Boolean).join(': ');
      // A flow with one the other way round bends to its own side.
      var vertices = [];
      if (pairs[f.to + '>' + f.from]) {
        var a = lay.pos['c:' + f.from], b = lay.pos['c:' + f.to];
        var ax = a.x + W / 2, ay = a.y + H / 2, bx = b.x + W / 2, by = b.y + H / 2;
        var dx = bx - ax, dy = by - ay, len = Math.sqrt(dx * dx + dy * dy) || 1;
        vertices = [{ x: (ax + bx) / 2 - dy / len * 28, y: (ay + by) / 2 + dx / len * 28 }];
      }
      graph.addEdge({ id: 'f:' + f.id, source: { cell: 'c:' + f.from }, target: { cell: 'c:' + f.to }, zIndex: 90, vertices: vertices,
        attrs: { line: { stroke: worstStroke[f.worst] || '#57606a', strokeWidth: 1.5, targetMarker: 'classic' } },
        labels: text ? [{ attrs: { label: { text: text, fontSize: 11, fill: '#3d4752' }, body: { fill: '#ffffff' } } }] : [],
        data: { type: 'flow', id: f.id } });
    });
    if (!state.fitted) { fit(); state.fitted = true; }
  }

  function fit() { graph.zoomToFit({ padding: 24, maxScale: 1 }); }

  // picker lists every element, for choosing one with the keyboard.
  var pick = document.getElementById('pick');
  function picker() {
    var g = state.graph;
    pick.textContent = '';
    pick.appendChild(el('option', { value: '' }, '—'));
    [['component', g.components], ['boundary', g.boundaries], ['flow', g.flows]].forEach(function (kv) {
      var group = el('optgroup', { label: kv[0] === 'boundary' ? 'Boundaries' : kv[0].charAt(0).toUpperCase() + kv[0].slice(1) + 's' });
      kv[1].forEach(function (x) {
        group.appendChild(el('option', { value: kv[0] + ':' + x.id }, kv[0] === 'flow' ? x.from + ' → ' + x.to + ' (' + x.id + ')' : (x.name || x.id) + ' (' + x.id + ')'));
      });
      pick.appendChild(group);
    });
    pick.value = state.selected ? state.selected.type + ':' + state.selected.id : '';
  }
  pick.addEventListener('change', function () {
    var v = pick.value, i = v.indexOf(':');
    select(i > 0 ? { type: v.slice(0, i), id: v.slice(i + 1) } : null);
  });

  // --- selection and the side panel ---

  function find(sel) {
    if (!sel || !state.graph) { return null; }
    var list = sel.type === 'component' ? state.graph.components : sel.type === 'flow' ? state.graph.flows : state.graph.boundaries;
    return byID(list)[sel.id] || null;
  }

  function select(sel, quiet) {
    graph.getCells().forEach(function (cell) {
      var d = cell.getData() || {};
      var on = sel && d.type === sel.type && d.id === sel.id;
      if (cell.isNode()) { cell.attr('body/strokeDasharray', on ? '3 2' : d.type === 'boundary' ? '6 4' : null); cell.attr('body/filter', null); }
      if (cell.isEdge()) { cell.attr('line/strokeWidth', on ? 3.5 : 1.5); }
    });
    state.selected = find(sel) ? sel : null;
    btn.del.disabled = !state.selected;
    pick.value = state.selected ? state.selected.type + ':' + state.selected.id : '';
    panel();
    if (!quiet && state.selected) { status('Selected ' + state.selected.type + ' ' + state.selected.id + '.'); }
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'checked' || k === 'disabled' || k === 'readOnly') { e[k] = !!attrs[k]; } else { e.setAttribute(k, attrs[k]); }
    });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function field(labelText, input) {
    var l = el('label');
    l.appendChild(document.createTextNode(labelText));
    l.appendChild(input);
    props.appendChild(l);
    return input;
  }

  function selectBox(name, options, value, blank) {
    var s = el('select', { name: name });
    if (blank !== undefined) { s.appendChild(el('option', { value: '' }, blank)); }
    options.forEach(function (o) {
      var opt = el('option', { value: o }, o);
      if (o === value) { opt.selected = true; }
      s.appendChild(opt);
    });
    return s;
  }

  // checks is a fieldset of a checkbox per asset, chosen ticked. guessed
  // are the assets Ward read from the flows where the model states none
  // (inferred stores or processes): shown unticked and marked, so a guess
  // is never written back unless the user ticks it.
  function checks(legendText, name, options, chosen, guessed) {
    var fs = el('fieldset');
    fs.appendChild(el('legend', {}, legendText));
    var box = el('div', { 'class': 'checks' });
    options.forEach(function (o) {
      var l = el('label');
      var cb = el('input', { type: 'checkbox', name: name, value: o, checked: (chosen || []).indexOf(o) >= 0 });
      l.appendChild(cb);
      l.appendChild(document.createTextNode(o));
      if ((guessed || []).indexOf(o) >= 0) {
        l.appendChild(el('span', { 'class': 'hint', title: 'Not stated in the model: Ward reads it from the flows (ward help inference). Tick it to state it.' }, ' (inferred)'));
      }
      box.appendChild(l);
    });
    if (!options.length) { box.appendChild(el('span', { 'class': 'hint' }, 'No assets in the model yet.')); }
    fs.appendChild(box);
    // A new asset, added to the model and ticked here at once.
    var row = el('div', { 'class': 'row' });
    var input = el('input', { type: 'text', name: 'new-asset-' + name, placeholder: 'new asset id', 'aria-label': 'new asset id for ' + legendText.toLowerCase(), size: '14' });
    var add = el('button', { type: 'button', 'class': 'small' }, 'Add asset');
    add.addEventListener('click', function () {
      var id = input.value.trim();
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) { status('An asset id uses letters, digits, - _ and ., starting with a letter or digit.', true); return; }
      var sel = state.selected, section = sel.type === 'component' ? 'components' : 'flows';
      var set = {};
      set[name] = checked(name).concat([id]);
      send([{ op: 'add', section: 'assets', set: { id: id, kind: 'data' } }, { op: 'update', section: section, id: sel.id, set: set }], 'Adding asset ' + id);
    });
    input.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') { ev.preventDefault(); add.click(); } });
    row.appendChild(input);
    row.appendChild(add);
    fs.appendChild(row);
    props.appendChild(fs);
    return fs;
  }

  function checked(name) {
    return Array.prototype.slice.call(props.querySelectorAll('input[name="' + name + '"]:checked')).map(function (i) { return i.value; });
  }

  // controlsEditor edits a controls map as rows of key and yes/no/unknown.
  function controlsEditor(controls) {
    var fs = el('fieldset');
    fs.appendChild(el('legend', {}, 'Controls'));
    var table = el('table', { 'class': 'controls-table' });
    var keys = Object.keys(controls || {}).sort();
    function row(k, v) {
      var tr = el('tr');
      var ki = el('input', { type: 'text', name: 'control-key', value: k, 'aria-label': 'control' });
      var vs = selectBox('control-value', ['yes', 'no', 'unknown'], v || 'unknown');
      vs.setAttribute('aria-label', 'value of ' + (k || 'the control'));
      var rm = el('button', { type: 'button', 'class': 'small', 'aria-label': 'remove control ' + k }, '×');
      rm.addEventListener('click', function () { tr.remove(); sendControls(); });
      [ki, vs].forEach(function (i) { i.addEventListener('change', sendControls); });
      var a = el('td'), b = el('td'), c = el('td');
      a.appendChild(ki); b.appendChild(vs); c.appendChild(rm);
      tr.appendChild(a); tr.appendChild(b); tr.appendChild(c);
      table.appendChild(tr);
      return ki;
    }
    keys.forEach(function (k) { row(k, controls[k]); });
    fs.appendChild(table);
    var add = el('button', { type: 'button', 'class': 'small' }, 'Add control');
    add.addEventListener('click', function () { row('', 'unknown').focus(); });
    fs.appendChild(add);
    props.appendChild(fs);
  }

  function currentControls() {
    var out = {};
    props.querySelectorAll('.controls-table tr').forEach(function (tr) {
      var k = tr.querySelector('input[name="control-key"]').value.trim();
      if (k) { out[k] = tr.querySelector('select[name="control-value"]').value; }
    });
    return out;
  }

  function sendControls() {
    var sel = state.selected;
    if (!sel) { return; }
    var c = currentControls();
    var e = { op: 'update', section: sel.type === 'component' ? 'components' : 'flows', id: sel.id };
    if (Object.keys(c).length) { e.set = { controls: c }; } else { e.unset = ['controls']; }
    send([e], 'Setting controls');
  }

  // update sends one key of the selected element (empty text unsets it).
  function update(key, value) {
    var sel = state.selected;
    var section = { component: 'components', flow: 'flows', boundary: 'boundaries' }[sel.type];
    var e = { op: 'update', section: section, id: sel.id };
    var empty = value === '' || value === null || (Array.isArray(value) && !value.length) || value === false;
    if (empty && key !== 'id') { e.unset = [key]; } else { e.set = {}; e.set[key] = value; }
    return send([e], 'Updating ' + key);
  }

  function bindText(input, key) {
    input.addEventListener('change', function () { update(key, input.value.trim()); });
  }

  function panel() {
    // Keep the keyboard focus on the same field across the rebuild.
    var active = document.activeElement && props.contains(document.activeElement) ? document.activeElement : null;
    var focusName = active ? active.getAttribute('name') + '|' + (active.value || '') : null;
    props.textContent = '';
    setTimeout(function () {
      if (!focusName) { return; }
      var parts = focusName.split('|');
      var cands = props.querySelectorAll('[name="' + parts[0] + '"]');
      var target = Array.prototype.filter.call(cands, function (c) { return c.type !== 'checkbox' || c.value === parts[1]; })[0] || cands[0];
      if (target) { target.focus(); }
    }, 0);
    var sel = state.selected, x = find(sel), g = state.graph;
    if (!x) { props.appendChild(el('p', { 'class': 'hint' }, 'Select a component, flow or boundary.')); return; }
    props.appendChild(el('h3', {}, sel.type.charAt(0).toUpperCase() + sel.type.slice(1) + ' ' + x.id));
    if (sel.type === 'component') {
      var id = field('Id', el('input', { type: 'text', name: 'id', value: x.id, pattern: '[A-Za-z0-9][A-Za-z0-9._\\-]*' }));
      id.addEventListener('change', function () { rename(x.id, id.value.trim()); });
      bindText(field('Name', el('input', { type: 'text', name: 'name', value: x.name === x.id ? '' : x.name || '' })), 'name');
      // The box shows and writes the kind the model states; a kind Ward
      // guessed from the name is a hint on it, never written unless picked.
      var stated = x.stated_kind || x.kind;
      var kind = field('Kind', selectBox('kind', g.kinds, stated));
      if (stated !== x.kind) {
        var opt = kind.querySelector('option[value="' + stated + '"]');
        if (opt) { opt.textContent = stated + ' (Ward reads: ' + x.kind + ')'; }
        kind.title = 'The model states ' + stated + '; Ward reads ' + x.kind + ' from the name. Pick ' + x.kind + ' to state it.';
      }
      kind.addEventListener('change', function () { update('kind', kind.value); });
      var bnd = field('Trust boundary', selectBox('boundary', g.boundaries.map(function (b) { return b.id; }), x.boundary || '', '(none)'));
      bnd.addEventListener('change', function () { update('boundary', bnd.value); });
      bindText(field('Technology', el('input', { type: 'text', name: 'tech', value: x.tech || '' })), 'tech');
      // Stores or processes Ward read from the flows are a guess: the
      // boxes show what the model states, the guess marked beside them.
      var inf = x.inferred || [];
      var held = function (key) { return inf.indexOf(key) >= 0 ? [[], x[key]] : [x[key], []]; };
      var st = held('stores'), pr = held('processes');
      checks('Stores', 'stores', g.assets, st[0], st[1]).addEventListener('change', function (ev) { if (ev.target.type === 'checkbox') { update('stores', checked('stores')); } });
      checks('Processes', 'processes', g.assets, pr[0], pr[1]).addEventListener('change', function (ev) { if (ev.target.type === 'checkbox') { update('processes', checked('processes')); } });
      var oos = el('label', { 'class': 'inline' });
      var cb = el('input', { type: 'checkbox', name: 'out_of_scope', checked: x.out_of_scope });
      oos.appendChild(cb); oos.appendChild(document.createTextNode('Out of scope'));
      props.appendChild(oos);
      cb.addEventListener('change', function () { update('out_of_scope', cb.checked); });
      controlsEditor(x.controls);
    } else if (sel.type === 'flow') {
      props.appendChild(el('p', {}, x.from + ' → ' + x.to));
      bindText(field('Protocol', el('input', { type: 'text', name: 'protocol', value: x.protocol || '' })), 'protocol');
      var au = field('Authentication', selectBox('authentication', g.enums.authentication, x.authentication === 'unknown' ? '' : x.authentication, '(unknown)'));
      au.addEventListener('change', function () { update('authentication', au.value); });
      var en = field('Encryption', selectBox('encryption', g.enums.encryption, x.encryption === 'unknown' ? '' : x.encryption, '(unknown)'));
      en.addEventListener('change', function () { update('encryption', en.value); });
      checks('Data carried', 'carries', g.assets, x.carries).addEventListener('change', function (ev) { if (ev.target.type === 'checkbox') { update('carries', checked('carries')); } });
      var ow = el('label', { 'class': 'inline' });
      var owc = el('input', { type: 'checkbox', name: 'one_way', checked: x.one_way });
      ow.appendChild(owc); ow.appendChild(document.createTextNode('One way (fire and forget)'));
      props.appendChild(ow);
      owc.addEventListener('change', function () { update('one_way', owc.checked); });
      controlsEditor(x.controls);
    } else {
      bindText(field('Name', el('input', { type: 'text', name: 'name', value: x.name === x.id ? '' : x.name || '' })), 'name');
      var tr = field('Trust', selectBox('trust', g.trusts, x.trust));
      tr.addEventListener('change', function () { update('trust', tr.value); });
      if (x.parent) { props.appendChild(el('p', { 'class': 'hint' }, 'Inside ' + x.parent + '.')); }
    }
  }

  // rename changes a component's id and what refers to it in the drawing
  // (flows, layout); threats that name it show up as problems to fix.
  function rename(from, to) {
    if (!to || to === from) { return; }
    var edits = [{ op: 'update', section: 'components', id: from, set: { id: to } }];
    state.graph.flows.forEach(function (f) {
      var set = {};
      if (f.from === from) { set.from = to; }
      if (f.to === from) { set.to = to; }
      // A flow without an id of its own is named FROM-to-TO: its name
      // follows the new ends.
      if (Object.keys(set).length) { edits.push({ op: 'update', section: 'flows', id: f.id, set: set }); }
    });
    var c = byID(state.graph.components)[from];
    if (c && c.place) { edits.push({ op: 'update', section: 'layout', id: from, set: { id: to } }); }
    state.selected = { type: 'component', id: to };
    send(edits, 'Renaming');
  }

  // --- layout ---

  function placed(id) {
    var g = state.graph;
    var c = byID(g.components)[id] || byID(g.boundaries)[id];
    return !!(c && c.place);
  }

  // layoutEdits records where nodes are. The first time a drawing is
  // arranged, every component is placed, so the drawing stays as it is.
  function layoutEdits(nodes) {
    var edits = [], seen = {};
    var first = !state.graph.components.some(function (c) { return c.place; });
    var all = first ? graph.getNodes().filter(function (n) { return n.getData().type === 'component'; }).concat(nodes) : nodes;
    all.forEach(function (n) {
      var d = n.getData(), p = n.getPosition();
      if (seen[d.id]) { return; }
      seen[d.id] = true;
      var set = { x: Math.round(p.x), y: Math.round(p.y) };
      if (d.type === 'boundary') { var s = n.getSize(); set.w = Math.round(s.width); set.h = Math.round(s.height); }
      if (placed(d.id)) { edits.push({ op: 'update', section: 'layout', id: d.id, set: set }); } else { set.id = d.id; edits.push({ op: 'add', section: 'layout', set: set }); }
    });
    return edits;
  }

  // innermost returns the id of the smallest boundary whose box holds the
  // point, ignoring skip.
  function innermost(pt, skip) {
    var best = null, area = Infinity;
    graph.getNodes().forEach(function (n) {
      var d = n.getData();
      if (d.type !== 'boundary' || d.id === skip) { return; }
      var b = n.getBBox();
      if (b.containsPoint(pt) && b.width * b.height < area) { best = d.id; area = b.width * b.height; }
    });
    return best;
  }

  graph.on('node:moved', function (ev) {
    var n = ev.node, d = n.getData();
    var moved = [n].concat(n.getDescendants ? n.getDescendants() : []);
    var edits = layoutEdits(moved);
    if (d.type === 'component') {
      var c = byID(state.graph.components)[d.id];
      var inside = innermost(n.getBBox().getCenter(), null);
      if ((inside || '') !== (c.boundary || '')) {
        edits.push(inside ? { op: 'update', section: 'components', id: d.id, set: { boundary: inside } } : { op: 'update', section: 'components', id: d.id, unset: ['boundary'] });
      }
    }
    send(edits, 'Moving');
  });

  graph.on('node:click', function (ev) {
    var d = ev.node.getData();
    if (state.mode === 'flow' && d.type === 'component') {
      if (!state.flowFrom) {
        state.flowFrom = d.id;
        status('Flow from ' + d.id + ': now click the component it goes to (Esc to cancel).');
        return;
      }
      var from = state.flowFrom;
      setMode(null);
      if (from === d.id) { status('A flow needs two different components.', true); return; }
      var id = from + '-to-' + d.id;
      send([{ op: 'add', section: 'flows', set: { from: from, to: d.id, protocol: 'https' } }], 'Adding the flow').then(function (ok) {
        if (ok) {
          var f = state.graph.flows.filter(function (x) { return x.from === from && x.to === d.id; }).pop();
          select({ type: 'flow', id: f ? f.id : id });
        }
      });
      return;
    }
    select({ type: d.type, id: d.id });
  });
  graph.on('edge:click', function (ev) { var d = ev.edge.getData(); select({ type: 'flow', id: d.id }); });
  graph.on('blank:click', function () { if (state.mode !== 'flow') { select(null); } });

  function setMode(m) {
    state.mode = m;
    state.flowFrom = null;
    btn.addFlow.setAttribute('aria-pressed', m === 'flow' ? 'true' : 'false');
    if (m === 'flow') { status('Click the component the flow starts from.'); }
  }

  // freeSpot finds a place for a new node: right of everything drawn,
  // level with the top, so that it overlaps nothing.
  function freeSpot() {
    var nodes = graph.getNodes();
    if (!nodes.length) { return { x: 40, y: 40 }; }
    var x2 = -Infinity, y1 = Infinity;
    nodes.forEach(function (n) { var b = n.getBBox(); x2 = Math.max(x2, b.x + b.width); y1 = Math.min(y1, b.y); });
    return { x: Math.round((x2 + 40) / 10) * 10, y: Math.round(y1 / 10) * 10 };
  }

  function uniqueID(base, list) {
    var ids = byID(list), n = 1;
    while (ids[base + '-' + n]) { n++; }
    return base + '-' + n;
  }

  btn.addComponent.addEventListener('click', function () {
    setMode(null);
    var id = uniqueID('component', state.graph.components);
    var p = freeSpot();
    var edits = [{ op: 'add', section: 'components', set: { id: id, name: 'New component', kind: 'service' } }];
    // Place the new component (and, the first time, every other one).
    edits = edits.concat(layoutEdits([]).filter(function (e) { return e.op === 'add'; }));
    edits.push({ op: 'add', section: 'layout', set: { id: id, x: p.x, y: p.y } });
    send(edits, 'Adding a component').then(function (ok) { if (ok) { fit(); select({ type: 'component', id: id }); } });
  });

  btn.addBoundary.addEventListener('click', function () {
    setMode(null);
    var id = uniqueID('boundary', state.graph.boundaries);
    var p = freeSpot();
    send([{ op: 'add', section: 'boundaries', set: { id: id, name: 'New boundary', trust: 'internal' } },
      { op: 'add', section: 'layout', set: { id: id, x: p.x, y: p.y, w: 220, h: 140 } }], 'Adding a boundary')
      .then(function (ok) { if (ok) { fit(); select({ type: 'boundary', id: id }); } });
  });

  btn.addFlow.addEventListener('click', function () { setMode(state.mode === 'flow' ? null : 'flow'); });

  function remove() {
    var sel = state.selected;
    if (!sel) { return; }
    var edits;
    if (sel.type === 'component') {
      edits = [{ op: 'delete', section: 'components', id: sel.id }];
    } else if (sel.type === 'flow') {
      edits = [{ op: 'delete', section: 'flows', id: sel.id }];
    } else {
      if (state.graph.boundaries.some(function (b) { return b.parent === sel.id; })) {
        status('Delete or move the boundaries inside ' + sel.id + ' first.', true);
        return;
      }
      edits = state.graph.components.filter(function (c) { return c.boundary === sel.id; }).map(function (c) {
        return { op: 'update', section: 'components', id: c.id, unset: ['boundary'] };
      });
      edits.push({ op: 'delete', section: 'boundaries', id: sel.id });
    }
    state.selected = null;
    send(edits, 'Deleting');
  }
  btn.del.addEventListener('click', remove);
  btn.save.addEventListener('click', save);

  document.getElementById('canvas').addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape') { setMode(null); select(null); }
    if ((ev.key === 'Delete' || ev.key === 'Backspace') && state.selected) { ev.preventDefault(); remove(); }
  });
  window.addEventListener('beforeunload', function (ev) {
    if (state.dirty) { ev.preventDefault(); ev.returnValue = ''; }
  });

  // A hook for browser tests: what is drawn, in a stable order.
  window.wardDraw = {
    ready: false,
    snapshot: function () {
      var nodes = graph.getNodes().map(function (n) { var p = n.getPosition(); return { id: n.id, x: Math.round(p.x), y: Math.round(p.y) }; });
      var edges = graph.getEdges().map(function (e) { return { id: e.id, source: e.getSourceCellId(), target: e.getTargetCellId() }; });
      nodes.sort(function (a, b) { return a.id < b.id ? -1 : 1; });
      edges.sort(function (a, b) { return a.id < b.id ? -1 : 1; });
      return { nodes: nodes, edges: edges };
    },
    state: function () { return { revision: state.revision, dirty: state.dirty, valid: state.valid, busy: state.busy }; }
  };

  send([], 'Loading').then(function () { window.wardDraw.ready = true; });
}());
