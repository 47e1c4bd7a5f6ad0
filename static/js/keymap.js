// The workspace's single-key shortcuts, changeable per user (kept in localStorage), and the `?`
// help table built from them, so what is listed is always what works.

export const ACTIONS = [
  ["label-assertion", "1", "Label the selection assertion (or relabel the selected span)"],
  ["label-attribution", "2", "Label the selection attribution (the next span labelled is linked to it)"],
  ["label-disputed", "3", "Label the selection disputed"],
  ["next-span", "]", "Select the next span"],
  ["previous-span", "[", "Select the previous span"],
  ["link", "k", "Link the selected attribution: then click a span, or ] / [ and Enter"],
  ["end-right", "e", "Move the end of the selection (or of the selected span) one word right"],
  ["end-left", "E", "Move the end one word left"],
  ["start-left", "b", "Move the start of the selection (or of the selected span) one word left"],
  ["start-right", "B", "Move the start one word right"],
  ["clause", "c", "Widen the selection (or the span) to its clause"],
  ["sentence", "s", "Widen the selection (or the span) to its sentence"],
  ["text", "t", "Put the keyboard in the text"],
  ["layer", "L", "Next layer (reviewers and managers)"],
  ["done", "D", "Mark done / reopen"],
  ["next-document", "N", "Next document (saves first)"],
  ["previous-document", "P", "Previous document (saves first)"],
  ["next-suggestion", "n", "Go to the next suggestion (Enter accepts it with its linked content, Backspace rejects it)"],
  ["previous-suggestion", "p", "Go to the previous suggestion"],
  ["edit-suggestion", "m", "Edit the suggestion: its text is selected to change; Enter then accepts your selection"],
  ["guidelines", "g", "Guidelines"],
  ["help", "?", "This help"],
];

export const FIXED = [
  ["Arrows, Home, End; with Shift: select; Ctrl+Shift+←/→: by word", "Move the caret / select in the text"],
  ["Ctrl+Z / Ctrl+Shift+Z (⌘ on a Mac)", "Undo / redo adding, relabelling, editing, deleting and linking"],
  ["Enter", "Edit the selected span's note (in linking: link to the candidate)"],
  ["Delete", "Delete the selected span (undo brings it back, with its links)"],
  ["Enter / Backspace (on a suggestion)", "Accept / reject it: a cue with its content and their link in one step (undo takes it back)"],
  ["Esc", "Don't link the next span; cancel linking; deselect; close a dialog"],
  ["Drag (Alt/Option: by character)", "Select whole words; drag a ringed span's edge to move it"],
];

const show = (key) => (key === " " ? "Space" : /^[A-Z]$/.test(key) ? `Shift+${key}` : key.length === 1 ? key.toUpperCase() : key);

export class Keymap {
  constructor(storageKey = "annotate:keys") {
    this.storageKey = storageKey;
    this.keys = new Map(ACTIONS.map(([id, key]) => [id, key]));
    try {
      for (const [id, key] of Object.entries(JSON.parse(localStorage.getItem(storageKey) || "{}"))) {
        if (this.keys.has(id) && typeof key === "string" && key.length === 1) this.keys.set(id, key);
      }
    } catch { /* damaged: the defaults */ }
  }

  /** The action a key press means, or null. A lower-case letter also answers with Shift held,
   * unless Shift+that letter is bound to something else. */
  actionFor(event) {
    let fallback = null;
    for (const [id, key] of this.keys) {
      if (key === event.key) return id;
      if (/^[a-z]$/.test(key) && key.toUpperCase() === event.key) fallback = id;
    }
    return fallback;
  }

  keyOf(id) {
    return show(this.keys.get(id));
  }

  /** Bind `key` to `id`; the action that had the key gets this action's old key (a swap). */
  set(id, key) {
    const old = this.keys.get(id);
    for (const [other, bound] of this.keys) if (bound === key && other !== id) this.keys.set(other, old);
    this.keys.set(id, key);
    this._save();
  }

  reset() {
    this.keys = new Map(ACTIONS.map(([id, key]) => [id, key]));
    localStorage.removeItem(this.storageKey);
  }

  _save() {
    const changed = Object.fromEntries([...this.keys].filter(([id, key]) => ACTIONS.find((a) => a[0] === id)[1] !== key));
    localStorage.setItem(this.storageKey, JSON.stringify(changed));
  }

  /** Fill the help table: one row per action with its key and a "Change" button. */
  render(tbody) {
    const rows = [];
    for (const [id, , text] of ACTIONS) {
      const tr = document.createElement("tr");
      tr.dataset.action = id;
      const th = document.createElement("th");
      th.scope = "row";
      const kbd = document.createElement("kbd");
      kbd.textContent = this.keyOf(id);
      th.append(kbd);
      const td = document.createElement("td");
      td.textContent = text;
      const cell = document.createElement("td");
      const change = document.createElement("button");
      change.type = "button";
      change.className = "btn btn-quiet key-change";
      change.dataset.action = id;
      change.textContent = "Change";
      change.setAttribute("aria-label", `Change the key for: ${text}`);
      cell.append(change);
      tr.append(th, td, cell);
      rows.push(tr);
    }
    for (const [keys, text] of FIXED) {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = keys;
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(th, td, document.createElement("td"));
      rows.push(tr);
    }
    tbody.replaceChildren(...rows);
  }
}
