// Kanban: drag a card to another column; the server changes the status (and may refuse: the card goes back).
let dragged = null;
let origin = null;

function count(zone, delta) {
  const c = zone.closest('.column')?.querySelector('[data-count]');
  if (c) c.textContent = String(Math.max(0, Number(c.textContent) + delta));
}

document.addEventListener('dragstart', (e) => {
  const card = e.target.closest?.('[data-card]');
  if (!card) return;
  dragged = card;
  origin = { zone: card.parentElement, next: card.nextElementSibling };
  card.classList.add('dragging');
  e.dataTransfer.effectAllowed = 'move';
  e.dataTransfer.setData('text/plain', card.dataset.card);
});
document.addEventListener('dragend', () => {
  dragged?.classList.remove('dragging');
  for (const z of document.querySelectorAll('.drop-over')) z.classList.remove('drop-over');
});
document.addEventListener('dragover', (e) => {
  const zone = e.target.closest?.('[data-dropzone]');
  if (!zone || !dragged) return;
  e.preventDefault();
  e.dataTransfer.dropEffect = 'move';
  for (const z of document.querySelectorAll('.drop-over')) if (z !== zone) z.classList.remove('drop-over');
  zone.classList.add('drop-over');
});
document.addEventListener('drop', async (e) => {
  const zone = e.target.closest?.('[data-dropzone]');
  if (!zone || !dragged) return;
  e.preventDefault();
  zone.classList.remove('drop-over');
  const card = dragged;
  dragged = null;
  const status = zone.dataset.dropzone;
  if (card.dataset.status === status) return;
  const from = origin;
  zone.prepend(card);
  count(from.zone, -1); count(zone, 1);
  const form = card.querySelector('form.card-move');
  const body = new URLSearchParams(new FormData(form));
  body.set('status', status);
  try {
    const res = await fetch(form.action, {
      method: 'POST', body, credentials: 'same-origin',
      headers: { 'X-Fragment': '1', 'X-CSRF-Token': window.pc?.csrf() || '', 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    const html = await res.text();
    if (!res.ok) throw new Error(new DOMParser().parseFromString(html, 'text/html').body.textContent.trim() || `Error ${res.status}`);
    window.pc?.swap(card, html, 'outer');
    window.pc?.toast(`${card.dataset.card} → ${status.replace('_', ' ')}`);
  } catch (err) {
    from.zone.insertBefore(card, from.next);
    count(zone, -1); count(from.zone, 1);
    window.pc?.toast(err.message || 'Could not move the card', 'error');
  }
});

// A status chosen in a card's menu: move the swapped-in card to its column.
document.addEventListener('pc:swapped', (e) => {
  const card = e.target.closest?.('[data-card]');
  const zone = card && document.querySelector(`[data-dropzone="${card.dataset.status}"]`);
  if (zone && card.parentElement !== zone) {
    count(card.parentElement, -1); count(zone, 1);
    zone.prepend(card);
    card.querySelector('select')?.focus();
  }
});
