// The workspace's keyboard: keymap.js's changeable single keys mapped to commands, the fixed
// keys (undo, Delete, Enter, Esc, caret moves), the `?` dialog that rebinds keys, and the
// visible caret drawn as a highlight while the text has the focus.
import { Keymap } from "./keymap.js";
import { caretUnit, moveSelection, selectUnits } from "./selection.js";
import { say } from "./workspace_status.js";

export function createKeys(ws) {
  const { view, index, state, textEl, highlighter } = ws;
  const $ = (id) => document.getElementById(id);

  // ---- the caret, drawn while the text has the focus ----
  function updateCaret() {
    const selection = window.getSelection();
    if (document.activeElement !== textEl || !selection.isCollapsed || !view.contains(selection.focusNode)) {
      highlighter.mark("caret", []);
      return;
    }
    let unit = caretUnit(view);
    let end = index.snapUtf16(Math.min(unit + 1, view.length), 1);
    if (unit >= view.length) {
      end = unit;
      unit = index.snapUtf16(Math.max(unit - 1, 0), -1);
    }
    highlighter.mark("caret", end > unit ? [view.staticRange(unit, end)] : []);
  }
  document.addEventListener("selectionchange", updateCaret);
  // A command that moves the caret draws it at once, in the frame of its other changes: left to
  // the selectionchange event, it came a frame later and repainted the text again.
  ws.drawCaret = updateCaret;
  textEl.addEventListener("blur", () => highlighter.mark("caret", []));
  textEl.addEventListener("focus", () => {
    const selection = window.getSelection();
    if (textEl.matches(":focus-visible") && (selection.rangeCount === 0 || !textEl.contains(selection.focusNode))) {
      selectUnits(view, state.selected ? state.selected.u0 : 0);
    }
    updateCaret();
  });

  // What each action of keymap.js does (its keys are the user's: see the `?` dialog).
  const { actions, selectionCommands: sel, suggestionActions: sugg, toolbar, data } = ws;
  const COMMANDS = {
    "label-assertion": () => actions.labelSelection("assertion"),
    "label-attribution": () => actions.labelSelection("attribution"),
    "label-disputed": () => actions.labelSelection("disputed"),
    "next-span": () => ws.stepSelection(1),
    "previous-span": () => ws.stepSelection(-1),
    link: actions.startLinking,
    "end-right": () => sel.adjust("word-end+"),
    "end-left": () => sel.adjust("word-end-"),
    "start-left": () => sel.adjust("word-start-"),
    "start-right": () => sel.adjust("word-start+"),
    clause: () => sel.adjust("clause"),
    sentence: () => sel.adjust("sentence"),
    text: () => textEl.focus({ focusVisible: true }),
    layer: toolbar.nextLayer,
    done: toolbar.toggleDone,
    "next-document": () => data.urls.next && toolbar.leaveTo(data.urls.next),
    "previous-document": () => data.urls.previous && toolbar.leaveTo(data.urls.previous),
    "next-suggestion": () => sugg.step(1),
    "previous-suggestion": () => sugg.step(-1),
    "edit-suggestion": sugg.edit,
    guidelines: toolbar.showGuidelines,
    help: toolbar.showHelp,
  };

  // ---- the `?` dialog lists the keys and changes them: "Change", then the new key (Esc keeps it) ----
  const keymap = new Keymap();
  const helpBody = $("shortcut-rows");
  let rebinding = null;
  function renderKeys() {
    keymap.render(helpBody);
    for (const button of document.querySelectorAll(".label-button")) {
      button.querySelector("kbd").textContent = keymap.keyOf(`label-${button.dataset.label}`);
    }
  }
  helpBody.addEventListener("click", (event) => {
    const button = event.target.closest("button.key-change");
    if (!button) return;
    rebinding = button.dataset.action;
    button.textContent = "Press a key…";
  });
  $("help-dialog").addEventListener("keydown", (event) => {
    if (!rebinding) return;
    event.preventDefault();
    event.stopPropagation();
    const action = rebinding;
    rebinding = null;
    if (event.key !== "Escape" && event.key.length === 1 && event.key !== " ") {
      keymap.set(action, event.key);
      say(`The key for that action is now ${keymap.keyOf(action)}.`);
    }
    renderKeys();
    helpBody.querySelector(`button[data-action="${action}"]`)?.focus();
  });
  $("reset-keys").addEventListener("click", () => {
    keymap.reset();
    renderKeys();
  });
  renderKeys();

  const typing = (target) => target.closest("input, textarea, select, [contenteditable]") !== null;

  function escape() {
    if (state.linkNext) {
      state.linkNext = null;
      say("The next span will not be linked.");
    } else if (state.linking) actions.stopLinking("Linking cancelled.");
    else {
      ws.select(null);
      textEl.focus({ preventScroll: true });
    }
  }

  document.addEventListener("keydown", (event) => {
    if (document.querySelector("dialog[open]")) return; // the dialog handles its own keys
    if (typing(event.target) || event.isComposing) return;
    const key = event.key;
    if (event.target === textEl && moveSelection(view, event)) {
      event.preventDefault();
      const selection = window.getSelection();
      const focus = document.createRange();
      focus.setStart(selection.focusNode, selection.focusOffset);
      ws.scrollToRange(focus);
      return;
    }
    if ((event.ctrlKey || event.metaKey) && !event.altKey && (key === "z" || key === "Z" || key === "y")) {
      event.preventDefault();
      ws.undo.undoOrRedo(key === "y" || event.shiftKey ? "redo" : "undo");
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const onButton = event.target.closest("button, a") !== null;
    let handled = true;
    const onSuggestion = ws.suggestions.current && !state.selected && !state.linking && !onButton;
    if (key === "Enter" && onSuggestion) sugg.accept({ edited: state.editingSuggestion });
    else if (key === "Backspace" && onSuggestion) sugg.reject();
    else if ((key === "Delete" || key === "Backspace") && state.selected) actions.deleteSpan(state.selected);
    else if (key === "Enter" && state.linking && state.candidate) actions.linkTo(state.candidate);
    else if (key === "Enter" && state.selected && !onButton) ws.editor.focusNote();
    else if (key === "Escape") escape();
    else {
      const command = COMMANDS[keymap.actionFor(event)];
      if (command) command();
      else handled = false;
    }
    if (handled) event.preventDefault();
  });

  return { keymap };
}
