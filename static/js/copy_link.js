// "Copy link" buttons: copies the input named by data-copy and says so beside the button.
// One delegated listener for the page.

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector(".copy-status");
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    if (status) status.textContent = "Copied.";
  } catch {
    if (status) status.textContent = "Press Ctrl+C (⌘C) to copy the selected link.";
  }
});
