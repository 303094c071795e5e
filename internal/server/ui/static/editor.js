// Ward's YAML editor: checks the model as you type (after a pause), shows
// each problem next to its line and the diagram and findings of the last
// valid model. It improves a plain form: without JavaScript the Check and
// Save buttons post the same form.
(function () {
  'use strict';
  var form = document.getElementById('yaml-editor');
  if (!form) { return; }
  var ta = document.getElementById('yaml');
  var layer = form.querySelector('.backdrop .lines');
  var check = document.getElementById('check');
  var url = form.dataset.check;
  var file = form.dataset.file;
  var maxBytes = 2 << 20;
  var delay = 400;
  var timer = null;
  var pending = null;
  var saved = ta.value;
  var lineHeight = 20;
  document.documentElement.classList.add('js');

  // diagnostics reads the problems of this file from the check result.
  function diagnostics() {
    var out = [];
    check.querySelectorAll('#diagnostics li.diag').forEach(function (li) {
      if (li.dataset.file !== file) { return; }
      out.push({ line: +li.dataset.line, col: +li.dataset.col, msg: li.dataset.msg, error: li.classList.contains('diag-error'), el: li });
    });
    return out;
  }

  // paint marks each problem's line in the layer behind the text, with
  // the message after the line's end.
  function paint() {
    var text = ta.value.split('\n');
    var byLine = {};
    diagnostics().forEach(function (d) {
      var l = Math.min(Math.max(d.line, 1), text.length);
      (byLine[l] = byLine[l] || []).push(d);
    });
    layer.textContent = '';
    Object.keys(byLine).forEach(function (k) {
      var l = +k, ds = byLine[k];
      var row = document.createElement('div');
      row.className = 'ln ' + (ds.some(function (d) { return d.error; }) ? 'has-error' : 'has-warning');
      row.style.top = ((l - 1) * lineHeight) + 'px';
      var caret = document.createElement('span');
      caret.className = 'caret';
      caret.style.left = (Math.max(ds[0].col, 1) - 1) + 'ch';
      row.appendChild(caret);
      var msg = document.createElement('span');
      msg.className = 'msg';
      msg.style.left = (text[l - 1].length + 3) + 'ch';
      msg.textContent = '◀ ' + ds.map(function (d) { return d.msg; }).join(' · ');
      row.appendChild(msg);
      layer.appendChild(row);
    });
    sync();
  }

  function sync() {
    layer.style.transform = 'translate(' + (-ta.scrollLeft) + 'px,' + (-ta.scrollTop) + 'px)';
  }

  function status(text, cls) {
    var st = document.getElementById('check-status');
    if (st) { st.textContent = text; st.className = 'status ' + (cls || ''); }
  }

  // run checks the current text and swaps in the result. The diagram and
  // findings change only when the model is valid; otherwise the last valid
  // ones stay, marked as such.
  function run() {
    timer = null;
    if (ta.value.length > maxBytes) {
      status('The file is too large to check here (more than 2 MiB): push it from your repository.', 'bad');
      return;
    }
    if (pending) { pending.abort(); }
    pending = new AbortController();
    var body = new URLSearchParams(new FormData(form));
    status('Checking…', 'busy');
    fetch(url, { method: 'POST', body: body, headers: { 'HX-Request': 'true' }, signal: pending.signal, credentials: 'same-origin' })
      .then(function (resp) {
        return resp.text().then(function (html) { return { ok: resp.ok, status: resp.status, html: html }; });
      })
      .then(function (r) {
        pending = null;
        if (r.status === 429) {
          status('Many checks in a short time: the next pause in typing checks again.', 'busy');
          return;
        }
        if (!r.ok) {
          status('The check failed (' + r.status + '): your text is kept; try again.', 'bad');
          return;
        }
        var tpl = document.createElement('template');
        tpl.innerHTML = r.html;
        var result = tpl.content.getElementById('check-result');
        var live = tpl.content.getElementById('live');
        var oldResult = document.getElementById('check-result');
        if (result && oldResult) { oldResult.replaceWith(result); }
        var oldLive = document.getElementById('live');
        if (result && result.dataset.valid === 'true' && live && oldLive) {
          oldLive.replaceWith(live);
        } else if (oldLive) {
          oldLive.classList.add('stale');
          oldLive.dataset.fresh = 'false';
        }
        paint();
      })
      .catch(function (err) {
        if (err && err.name === 'AbortError') { return; }
        pending = null;
        status('Could not reach the server: your text is kept.', 'bad');
      });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(run, delay);
  }

  // goto puts the cursor on a problem's position.
  function goto(line, col) {
    var lines = ta.value.split('\n');
    var off = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) { off += lines[i].length + 1; }
    off += Math.max(col - 1, 0);
    ta.focus();
    ta.setSelectionRange(off, off);
    ta.scrollTop = Math.max((line - 1) * lineHeight - ta.clientHeight / 2, 0);
    sync();
  }

  check.addEventListener('click', function (ev) {
    var a = ev.target.closest('a.goto');
    if (!a) { return; }
    var li = a.closest('li.diag');
    if (!li || li.dataset.file !== file) { return; }
    ev.preventDefault();
    goto(+li.dataset.line, +li.dataset.col);
  });
  ta.addEventListener('input', function () { paint(); schedule(); });
  ta.addEventListener('scroll', sync);
  form.addEventListener('submit', function () { saved = ta.value; });
  window.addEventListener('beforeunload', function (ev) {
    if (ta.value !== saved) { ev.preventDefault(); ev.returnValue = ''; }
  });
  paint();
}());
