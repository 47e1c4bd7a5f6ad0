// Agreement page: the measure picker shows one reviewer-by-reviewer matrix at a time.
const picker = document.getElementById("matrix-measure");
if (picker) {
  const show = () => {
    for (const table of document.querySelectorAll("table[data-matrix]")) {
      table.hidden = table.dataset.matrix !== picker.value;
    }
  };
  picker.addEventListener("change", show);
  show();
}
