// The project's tab row scrolls sideways on a phone: it opens with the current tab in view,
// not cut off at the right edge (the row's own scroll only; the page never moves).
for (const row of document.querySelectorAll("nav.tabs > ul")) {
  const current = row.querySelector("a[aria-current='page']");
  if (!current || row.scrollWidth <= row.clientWidth) continue;
  const box = row.getBoundingClientRect();
  const tab = current.getBoundingClientRect();
  if (tab.left < box.left || tab.right > box.right) row.scrollLeft += tab.left - box.left - (box.width - tab.width) / 2;
}
