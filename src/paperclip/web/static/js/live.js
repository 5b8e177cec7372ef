// Live updates: one EventSource per page on /<PREFIX>/events (server-sent events, resumable with
// Last-Event-ID, which the browser sends by itself on reconnect).
// Event types and what this module does with them:
//   activity  {id, action, entityType, entityId, ...}  -> refresh [data-live-refresh][data-live-on~="activity"]
//   run       {id, agentId, status, ...}               -> refresh [data-live-on~="run"]; [data-run-status="<id>"] text
//   log       {runId, chunk, stream, seq}              -> appended to [data-run-log="<runId>"]
//   badges    {inbox, approvals}                       -> [data-badge="inbox"|"approvals"]
// Every event is also dispatched on document as CustomEvent('pc:live', {detail: {type, data}}).
// A refreshable element: <section id="x" data-live-refresh="/ACM/dashboard/part/runs" data-live-on="run activity">
// is re-fetched (X-Fragment: 1) and replaced, at most every 1.5 s.
// An element that follows one run: <section id="x" data-live-refresh="..." data-live-run="<runId>"> is re-fetched
// at once on each `run` event of that run; its answer is one or more elements with ids, each replacing the
// page's element of that id, all in one go (so the parts of a page that depend on the run's status change
// together; the run's [data-run-status] pills inside it change with them). A page that learns of a status
// change another way (a missed event) dispatches CustomEvent('pc:run-status', {detail: {id, status}}).

const body = document.body;
const url = body.dataset.events;
const state = document.querySelector('[data-live-state]');
const pending = new Map();

function setState(text) {
  if (!state) return;
  state.hidden = !text;
  state.textContent = text || '';
}

function refresh(kind) {
  for (const el of document.querySelectorAll(`[data-live-refresh][data-live-on~="${kind}"]`)) {
    const key = el.id || el.dataset.liveRefresh;
    if (pending.has(key)) continue;
    pending.set(key, setTimeout(async () => {
      pending.delete(key);
      const target = el.id ? document.getElementById(el.id) : el;
      if (!target || !target.isConnected) return;
      if (target.dataset.liveRun) { refreshRun(target.dataset.liveRun); return; }
      if (target.contains(document.activeElement) && document.activeElement.matches('input, textarea, select')) return;
      // A panel whose form is being submitted, or shows the error of a request that just failed, is
      // left alone: an earlier change's event (late under load) must neither detach the form whose
      // answer is on its way (its error would land in a form no longer on the page) nor wipe the
      // message; the form's own answer refreshes the panel when it succeeds.
      const showsError = () =>
        target.querySelector('[aria-busy="true"]') ||
        [...target.querySelectorAll('[data-error]')].some((slot) => slot.textContent.trim());
      if (showsError()) return;
      try {
        const res = await fetch(target.dataset.liveRefresh, { headers: { 'X-Fragment': '1' }, credentials: 'same-origin' });
        const html = res.ok ? await res.text() : null;
        if (html !== null && target.isConnected && !showsError()) window.pc?.swap(target, html, 'outer');
      } catch { /* the next event retries */ }
    }, 400));
  }
}

const followed = new Map(); // runId -> number of the latest fetch (an older answer arriving late is dropped)

function swapById(target, html) {
  const tpl = document.createElement('template');
  tpl.innerHTML = html;
  for (const el of [...tpl.content.children]) {
    const old = el.id && (el.id === target.id ? target : document.getElementById(el.id));
    if (old && old.isConnected) window.pc?.swap(old, el.outerHTML, 'outer');
  }
}

async function refreshRun(runId) {
  const targets = [...document.querySelectorAll(`[data-live-run="${CSS.escape(runId)}"][data-live-refresh][id]`)];
  if (!targets.length) return;
  const n = (followed.get(runId) || 0) + 1;
  followed.set(runId, n);
  for (const target of targets) {
    try {
      const res = await fetch(target.dataset.liveRefresh, { headers: { 'X-Fragment': '1' }, credentials: 'same-origin' });
      if (!res.ok || followed.get(runId) !== n) continue;
      const html = await res.text();
      if (followed.get(runId) !== n) continue;
      swapById(document.getElementById(target.id) || target, html);
    } catch { /* the next event retries */ }
  }
}

function runStatus(data) {
  for (const el of document.querySelectorAll(`[data-run-status="${CSS.escape(data.id)}"]`)) {
    if (el.closest(`[data-live-run="${CSS.escape(data.id)}"]`)) continue; // changes with its region
    el.textContent = data.status;
    el.className = `pill s-${data.status}`;
  }
  refreshRun(data.id);
}

function appendLog(data) {
  for (const box of document.querySelectorAll(`[data-run-log="${CSS.escape(data.runId)}"]`)) {
    const seq = Number(data.seq ?? -1);
    if (seq >= 0 && seq <= Number(box.dataset.seq ?? -1)) continue;
    box.dataset.seq = String(seq);
    const stick = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
    const span = document.createElement('span');
    span.className = data.stream || 'stdout';
    span.textContent = data.chunk;
    box.append(span);
    box.querySelector('[data-log-empty]')?.remove();
    if (stick) box.scrollTop = box.scrollHeight;
  }
}

function badges(data) {
  for (const [name, count] of Object.entries(data)) {
    for (const b of document.querySelectorAll(`[data-badge="${name}"]`)) {
      b.textContent = String(count);
      b.hidden = !count;
    }
  }
}

function handle(type, ev) {
  let data = {};
  try { data = JSON.parse(ev.data); } catch { return; }
  if (type === 'log') appendLog(data);
  else if (type === 'badges') badges(data);
  else if (type === 'run') {
    runStatus(data);
    refresh('run');
  } else if (type === 'activity') refresh('activity');
  document.dispatchEvent(new CustomEvent('pc:live', { detail: { type, data } }));
}

function connect() {
  if (!url || !window.EventSource) return;
  const runs = [...document.querySelectorAll('[data-run-log]')].map((b) => b.dataset.runLog);
  const q = runs.length ? `?runs=${encodeURIComponent(runs.join(','))}` : '';
  const es = new EventSource(url + q);
  for (const type of ['activity', 'run', 'log', 'badges']) es.addEventListener(type, (ev) => handle(type, ev));
  es.addEventListener('open', () => setState(''));
  es.addEventListener('error', () => setState(es.readyState === EventSource.CLOSED ? 'Live updates stopped' : 'Reconnecting…'));
  window.pcLive = es;
  window.addEventListener('pagehide', () => es.close());
}

document.addEventListener('pc:run-status', (e) => { if (e.detail?.id) runStatus(e.detail); });
connect();
