// Agent forms: show only the chosen adapter's settings; copy buttons (the API key shown once).
for (const form of document.querySelectorAll('[data-adapter-form]')) {
  const select = form.querySelector('[data-adapter-select]');
  const sync = () => {
    for (const box of form.querySelectorAll('[data-adapter]')) {
      const on = box.dataset.adapter === select.value;
      box.hidden = !on;
      for (const el of box.querySelectorAll('input, select, textarea')) el.disabled = !on;
    }
  };
  select?.addEventListener('change', sync);
  if (select) sync();
}

document.addEventListener('click', async (e) => {
  const btn = e.target.closest?.('[data-copy]');
  if (!btn) return;
  const field = document.querySelector(btn.dataset.copy);
  if (!field) return;
  try {
    await navigator.clipboard.writeText(field.value);
    window.pc?.toast('Copied');
  } catch {
    field.select();
  }
});
