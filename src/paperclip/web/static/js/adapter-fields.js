// Shows only the fields of the chosen adapter: <select data-adapter-select> and [data-adapter-field="type ..."].
function sync(select) {
  const form = select.form;
  for (const f of form.querySelectorAll('[data-adapter-field]')) {
    const on = f.dataset.adapterField.split(' ').includes(select.value);
    f.hidden = !on;
    for (const input of f.querySelectorAll('input, select, textarea')) input.disabled = !on;
  }
}
for (const s of document.querySelectorAll('[data-adapter-select]')) {
  sync(s);
  s.addEventListener('change', () => sync(s));
}
