// Paperclip board: progressive enhancement for server-rendered pages. No build step, no dependencies.
// Contract (see web/README.md):
//   <form data-swap="#target" [data-swap-mode="outer|inner|append|prepend|none"] [data-toast="Saved"] [data-reset]>
//     submitted by fetch (X-Fragment: 1, X-CSRF-Token); a 2xx answer's HTML replaces the target, an
//     `X-Location` header navigates, an `X-Toast` header shows a toast; an error answer's HTML (the
//     server's message) is shown in the form's [data-error] element (or right after the form).
//   <select data-autosubmit> submits its form on change. [data-confirm="Sure?"] on a form asks first.
//   <button data-open-dialog="id"> opens <dialog id>. <button aria-haspopup="menu"> + next [role=menu].
//   Rows: a container [data-rows] of [data-row] elements (each with a link) gets j/k/Enter navigation.
//   window.pc = { toast, swap, submit, enhance }; a 'pc:swapped' event fires on swapped-in content.

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || '';

export function toast(message, kind = 'info', ms = 4000) {
  const box = document.querySelector('[data-toasts]');
  if (!box || !message) return;
  const el = document.createElement('div');
  el.className = `toast ${kind}`;
  el.textContent = message;
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? ms * 2 : ms);
}

function fragment(html) {
  const t = document.createElement('template');
  t.innerHTML = html;
  return t.content;
}

export function swap(target, html, mode = 'outer') {
  if (!target || mode === 'none') return;
  const frag = fragment(html);
  const nodes = [...frag.children];
  if (mode === 'inner') target.replaceChildren(frag);
  else if (mode === 'append') target.append(frag);
  else if (mode === 'prepend') target.prepend(frag);
  else target.replaceWith(frag);
  for (const n of nodes) { enhance(n); n.dispatchEvent(new CustomEvent('pc:swapped', { bubbles: true })); }
}

function errorSlot(form) {
  let slot = form.querySelector('[data-error]');
  if (!slot) {
    slot = document.createElement('div');
    slot.setAttribute('data-error', '');
    form.append(slot);
  }
  return slot;
}

export async function submit(form, submitter) {
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
  const data = new FormData(form, submitter);
  const body = new URLSearchParams();
  for (const [k, v] of data) if (typeof v === 'string') body.append(k, v);
  const method = (form.getAttribute('method') || 'get').toUpperCase();
  let url = form.getAttribute('action') || location.pathname;
  const headers = { 'X-Fragment': '1', 'X-CSRF-Token': csrf() };
  const init = { method, headers, credentials: 'same-origin' };
  if (method === 'GET') url += (url.includes('?') ? '&' : '?') + body.toString();
  else if (form.enctype === 'multipart/form-data') init.body = data; // files: the browser sets the boundary
  else { init.body = body; headers['Content-Type'] = 'application/x-www-form-urlencoded'; }
  const busy = submitter || form.querySelector('[type="submit"]');
  busy?.setAttribute('aria-busy', 'true');
  const slot = form.querySelector('[data-error]');
  if (slot) slot.replaceChildren();
  try {
    const res = await fetch(url, init);
    const html = await res.text();
    if (!res.ok) {
      const target = errorSlot(form);
      target.replaceChildren(fragment(html.includes('<') ? html : `<p class="form-error" role="alert"></p>`));
      if (!html.includes('<')) target.firstChild.textContent = html || `Request failed (${res.status})`;
      return;
    }
    const loc = res.headers.get('X-Location');
    if (loc) { location.assign(loc); return; }
    const msg = res.headers.get('X-Toast') || form.dataset.toast;
    if (msg) toast(msg);
    const sel = form.dataset.swap;
    const target = sel === 'this' ? form : (sel ? document.querySelector(sel) : null);
    if (sel && sel !== 'none' && !target) { location.reload(); return; }
    if (method === 'GET') history.replaceState(null, '', url);
    swap(target, html, form.dataset.swapMode || 'outer');
    if (form.hasAttribute('data-reset') && form.isConnected) form.reset();
    if (method !== 'GET') form.closest('dialog')?.close();
  } catch (err) {
    toast('Network error: the server could not be reached', 'error');
  } finally {
    busy?.removeAttribute('aria-busy');
  }
}

// Relative times: <time datetime=... data-rel> (title holds the absolute time).
const units = [[31536000, 'y'], [2592000, 'mo'], [86400, 'd'], [3600, 'h'], [60, 'm']];
function rel(iso) {
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  const a = Math.abs(s);
  if (a < 10) return 'now';
  let text = `${a}s`;
  for (const [size, u] of units) if (a >= size) { text = `${Math.floor(a / size)}${u}`; break; }
  return s >= 0 ? `${text} ago` : `in ${text}`;
}
function refreshTimes(root = document) {
  for (const t of root.querySelectorAll('time[data-rel]')) {
    const d = t.getAttribute('datetime');
    if (d) t.textContent = rel(d);
    if (!t.title && d) t.title = new Date(d).toLocaleString();
  }
}

// Menus: button[aria-haspopup="menu"] controls the next [role="menu"]; arrows move, Esc closes.
function closeMenus(except) {
  for (const b of document.querySelectorAll('[aria-haspopup="menu"][aria-expanded="true"]')) {
    if (b === except) continue;
    b.setAttribute('aria-expanded', 'false');
    const m = b.parentElement.querySelector('[role="menu"]');
    if (m) m.hidden = true;
  }
}
function menuItems(menu) { return [...menu.querySelectorAll('[role="menuitem"]:not([disabled])')]; }

export function enhance(root = document) {
  if (!(root instanceof Element || root instanceof Document || root instanceof DocumentFragment)) return;
  refreshTimes(root);
  for (const m of root.querySelectorAll('[role="menu"]')) m.hidden = true;
}

document.addEventListener('submit', (e) => {
  const form = e.target;
  if (!(form instanceof HTMLFormElement) || form.method === 'dialog') return;
  if (e.submitter?.getAttribute('formmethod') === 'dialog') return;
  if (form.hasAttribute('data-swap') || form.hasAttribute('data-fetch')) {
    e.preventDefault();
    submit(form, e.submitter);
  } else if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    e.preventDefault();
  }
});

document.addEventListener('change', (e) => {
  const el = e.target;
  if (el.matches?.('[data-autosubmit]') && el.form) {
    if (el.form.hasAttribute('data-swap') || el.form.hasAttribute('data-fetch')) submit(el.form);
    else el.form.requestSubmit();
  }
});

document.addEventListener('click', (e) => {
  const t = e.target.closest?.('button, a');
  if (!t) { closeMenus(); return; }
  if (t.matches('[data-toggle-nav]')) {
    const open = document.body.classList.toggle('nav-open');
    t.setAttribute('aria-expanded', String(open));
  } else if (t.matches('[data-shortcuts]')) {
    document.getElementById('shortcuts')?.showModal();
  } else if (t.dataset.openDialog) {
    const d = document.getElementById(t.dataset.openDialog);
    d?.showModal();
    d?.querySelector('[autofocus], input, textarea, select')?.focus();
  } else if (t.matches('[aria-haspopup="menu"]')) {
    const menu = t.parentElement.querySelector('[role="menu"]');
    const open = t.getAttribute('aria-expanded') !== 'true';
    closeMenus(t);
    t.setAttribute('aria-expanded', String(open));
    if (menu) { menu.hidden = !open; if (open) menuItems(menu)[0]?.focus(); }
    return;
  }
  if (!t.closest('[role="menu"]')) closeMenus();
});

// Keyboard: ? list, / search, c create, g+letter go to, j/k/Enter rows, arrows in menus.
let pendingG = 0;
function typing(el) { return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)); }
function rows() { return [...document.querySelectorAll('[data-rows] [data-row]')]; }
function moveRow(step) {
  const all = rows();
  if (!all.length) return;
  let i = all.findIndex((r) => r.getAttribute('aria-selected') === 'true');
  all[i]?.setAttribute('aria-selected', 'false');
  i = Math.max(0, Math.min(all.length - 1, i + step));
  all[i].setAttribute('aria-selected', 'true');
  all[i].scrollIntoView({ block: 'nearest' });
  (all[i].querySelector('a') || all[i]).focus({ preventScroll: true });
}
const goKeys = { d: 'dashboard', n: 'inbox', i: 'issues', b: 'board', a: 'agents', o: 'org', p: 'projects',
  g: 'goals', v: 'approvals', c: 'costs', y: 'activity', s: 'company/settings' };

document.addEventListener('keydown', (e) => {
  const menu = e.target.closest?.('[role="menu"]');
  if (menu) {
    const items = menuItems(menu);
    const i = items.indexOf(document.activeElement);
    if (e.key === 'ArrowDown') { e.preventDefault(); items[(i + 1) % items.length]?.focus(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); items[(i - 1 + items.length) % items.length]?.focus(); }
    else if (e.key === 'Escape') {
      e.preventDefault();
      const btn = menu.parentElement.querySelector('[aria-haspopup="menu"]');
      closeMenus(); btn?.focus();
    }
    return;
  }
  if (e.key === 'Escape') { closeMenus(); document.body.classList.remove('nav-open'); }
  if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
  const prefix = document.body.dataset.prefix;
  if (pendingG && Date.now() - pendingG < 1200) {
    pendingG = 0;
    if (prefix && goKeys[e.key]) { e.preventDefault(); location.assign(`/${prefix}/${goKeys[e.key]}`); }
    return;
  }
  if (e.key === '?') { e.preventDefault(); document.getElementById('shortcuts')?.showModal(); }
  else if (e.key === '/') {
    const s = document.querySelector('[data-search]');
    if (s) { e.preventDefault(); s.focus(); s.select?.(); }
  } else if (e.key === 'c' && prefix) {
    e.preventDefault();
    const opener = document.querySelector('[data-shortcut="c"]');
    if (opener) opener.click(); else location.assign(`/${prefix}/issues?new=1`);
  } else if (e.key === 'g') pendingG = Date.now();
  else if (e.key === 'j') { e.preventDefault(); moveRow(1); }
  else if (e.key === 'k') { e.preventDefault(); moveRow(-1); }
  else if (e.key === 'Enter') {
    const sel = rows().find((r) => r.getAttribute('aria-selected') === 'true');
    const a = sel?.querySelector('a');
    if (a && document.activeElement === document.body) { e.preventDefault(); a.click(); }
  }
});

window.pc = { toast, swap, submit, enhance, csrf };
enhance(document);
setInterval(() => refreshTimes(document), 30000);
