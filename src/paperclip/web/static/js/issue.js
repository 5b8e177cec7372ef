// Issue page: edit toggles, Ctrl+Enter to send a comment, @-mention completion (keyboard-operable listbox).
for (const b of document.querySelectorAll('[data-toggle-edit]')) {
  b.addEventListener('click', () => {
    const form = document.getElementById(b.dataset.toggleEdit);
    const view = document.getElementById('desc-view');
    form.hidden = !form.hidden;
    if (view) view.hidden = !form.hidden;
    if (!form.hidden) form.querySelector('textarea, input')?.focus();
  });
}

const box = document.querySelector('textarea[data-mentions]');
const list = document.getElementById('mention-list');
if (box && list) {
  const names = JSON.parse(box.dataset.mentions || '[]');
  let matches = [];
  let active = 0;
  let start = -1;

  const close = () => { list.hidden = true; matches = []; box.removeAttribute('aria-activedescendant'); };
  const query = () => {
    const upto = box.value.slice(0, box.selectionStart);
    const m = /(^|\s)@([^\s@]*)$/.exec(upto);
    if (!m) return null;
    start = upto.length - m[2].length - 1;
    return m[2].toLowerCase();
  };
  const show = () => {
    const q = query();
    if (q === null) { close(); return; }
    matches = names.filter((n) => n.toLowerCase().startsWith(q) || n.toLowerCase().replace(/\s+/g, '').startsWith(q)).slice(0, 8);
    if (!matches.length) { close(); return; }
    active = Math.min(active, matches.length - 1);
    list.replaceChildren(...matches.map((n, i) => {
      const li = document.createElement('li');
      li.id = `mention-${i}`;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', String(i === active));
      li.textContent = n;
      li.addEventListener('mousedown', (e) => { e.preventDefault(); pick(i); });
      return li;
    }));
    box.setAttribute('aria-activedescendant', `mention-${active}`);
    list.hidden = false;
  };
  const pick = (i) => {
    const name = matches[i];
    if (!name) return;
    const before = box.value.slice(0, start);
    const after = box.value.slice(box.selectionStart);
    const token = `@${name}`;
    box.value = `${before}${token} ${after}`;
    const pos = before.length + token.length + 1;
    box.setSelectionRange(pos, pos);
    close();
    box.focus();
  };
  box.setAttribute('aria-controls', 'mention-list');
  box.setAttribute('aria-autocomplete', 'list');
  box.addEventListener('input', show);
  box.addEventListener('blur', () => setTimeout(close, 100));
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); box.form.requestSubmit(); return; }
    if (list.hidden) return;
    if (e.key === 'ArrowDown') { e.preventDefault(); active = (active + 1) % matches.length; show(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); active = (active - 1 + matches.length) % matches.length; show(); }
    else if (e.key === 'Enter' || e.key === 'Tab') { e.preventDefault(); pick(active); }
    else if (e.key === 'Escape') { e.preventDefault(); close(); }
  });
}
