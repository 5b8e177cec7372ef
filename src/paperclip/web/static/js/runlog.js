// A run's log page: live.js appends streamed lines (SSE `log` events, deduplicated by seq); this module
// catches up what the stream cannot give — lines written before the page connected, a stream that is
// down (polls every 3 s while the run is live) — and loads further pages of a long finished log. A status
// change the stream did not bring (it ended before the stream connected) refreshes the page's run parts.
const run = document.querySelector('[data-run]');
const box = run?.querySelector('[data-run-log]');
if (run && box) {
  let offset = Number(run.dataset.logOffset || 0);
  let live = run.dataset.live === 'true';
  let busy = false;
  const more = run.querySelector('[data-load-more]');
  const state = run.querySelector('[data-log-state]');

  const append = (lines) => {
    const stick = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
    for (const line of lines) {
      const seq = Number(line.seq ?? -1);
      if (seq >= 0 && seq <= Number(box.dataset.seq ?? -1)) continue;
      if (seq >= 0) box.dataset.seq = String(seq);
      const span = document.createElement('span');
      span.className = line.stream || 'stdout';
      span.textContent = line.chunk;
      box.append(span);
      box.querySelector('[data-log-empty]')?.remove();
    }
    if (stick) box.scrollTop = box.scrollHeight;
  };

  const pull = async () => {
    if (busy) return null;
    busy = true;
    try {
      const res = await fetch(`${run.dataset.logUrl}?offset=${offset}`, { credentials: 'same-origin', headers: { 'X-Fragment': '1' } });
      if (!res.ok) return null;
      const data = await res.json();
      offset = data.offset;
      append(data.lines || []);
      live = data.live;
      if (more) more.hidden = !data.more;
      if (state) state.textContent = live ? 'live' : '';
      if (!live) {
        const empty = box.querySelector('[data-log-empty]');
        if (empty) empty.textContent = 'This run wrote no output.';
      }
      const shown = document.querySelector(`[data-live-run="${CSS.escape(run.dataset.runId)}"][data-run-state]`);
      if (data.status && shown && shown.dataset.runState !== data.status) {
        document.dispatchEvent(new CustomEvent('pc:run-status', { detail: { id: run.dataset.runId, status: data.status } }));
      }
      return data;
    } catch { return null; } finally { busy = false; }
  };

  more?.addEventListener('click', async () => {
    more.setAttribute('aria-busy', 'true');
    await pull();
    more.removeAttribute('aria-busy');
  });

  if (live) {
    setTimeout(pull, 800);
    const timer = setInterval(async () => {
      const data = await pull();
      if (data && !data.live && !data.more) clearInterval(timer);
    }, 3000);
    document.addEventListener('pc:live', (e) => {
      const { type, data } = e.detail || {};
      if (type === 'run' && data?.id === run.dataset.runId && !['queued', 'running'].includes(data.status)) {
        setTimeout(pull, 300);
      }
    });
  }
  box.scrollTop = box.scrollHeight;
}
