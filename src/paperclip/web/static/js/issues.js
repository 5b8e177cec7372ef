// Issues list: ?new=1 opens the create dialog; search filters as you type (debounced).
const opener = document.querySelector('[data-autoopen]');
if (opener) opener.click();
const search = document.querySelector('form.filters [data-search]');
let timer;
search?.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(() => window.pc?.submit(search.form), 300);
});
