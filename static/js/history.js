// Undo and redo for the workspace. Each step is data (not a closure), so the history survives a
// reload in sessionStorage, and a span that an undo brings back under a new id can be renamed
// in every step that names it. The steps themselves are carried out by the caller's `apply`,
// as ordinary versioned API writes, so the server's history shows each undo.
//
// Step shapes (ids are server ids):
//   {type: "create", id, fields}                 a span was made
//   {type: "delete", id, fields, linksOut, linksIn}  a span (and the links to and from it) went
//   {type: "update", id, before, after, lostLinks}   fields changed (a relabel may drop links)
//   {type: "link" | "unlink", from, to}          an attribution link was made or removed
//   {type: "accept", suggestion, changes, spans}  a suggestion was accepted: `spans` it wrote
//   {type: "reject", suggestion}                 a suggestion was rejected

const LIMIT = 200;
const ID_FIELDS = ["id", "from", "to"];
const ID_LISTS = ["linksOut", "linksIn", "lostLinks", "spans"];

export class UndoHistory {
  constructor(key, onChange = () => {}) {
    this.key = key;
    this.onChange = onChange;
    this.undo = [];
    this.redo = [];
    this.openKey = null; // a step that later edits of the same field group fold into
    try {
      const saved = JSON.parse(sessionStorage.getItem(key) || "null");
      if (saved) [this.undo, this.redo] = [saved.undo || [], saved.redo || []];
    } catch { /* a damaged entry: start empty */ }
  }

  _save() {
    try {
      sessionStorage.setItem(this.key, JSON.stringify({ undo: this.undo, redo: this.redo }));
    } catch { /* storage full or off: the history still works for this page */ }
    this.onChange();
  }

  /** A new step; `fold` names a run of edits (typing a note) that undo as one. */
  record(step, { fold = null } = {}) {
    const top = this.undo[this.undo.length - 1];
    if (fold && this.openKey === fold && top && top.type === "update" && step.type === "update" && top.id === step.id) {
      top.after = { ...top.after, ...step.after };
      for (const [field, value] of Object.entries(step.before)) if (!(field in top.before)) top.before[field] = value;
    } else {
      this.undo.push(step);
      if (this.undo.length > LIMIT) this.undo.shift();
    }
    this.openKey = fold;
    this.redo = [];
    this._save();
  }

  /** Ends the current run of folded edits (another span was selected, say). */
  seal() {
    this.openKey = null;
  }

  peek(which) {
    const stack = which === "undo" ? this.undo : this.redo;
    return stack[stack.length - 1] || null;
  }

  /** After `apply` carried out the top step of `which`, it moves to the other stack. */
  moved(which) {
    const [from, to] = which === "undo" ? [this.undo, this.redo] : [this.redo, this.undo];
    to.push(from.pop());
    this.openKey = null;
    this._save();
  }

  /** The top step of `which` cannot be carried out (the server refused it for good): it is
   * left out, so the next undo goes on with the step before. */
  discard(which) {
    (which === "undo" ? this.undo : this.redo).pop();
    this.openKey = null;
    this._save();
  }

  /** A span came back under a new id: every step that names the old one now names the new. */
  rename(oldId, newId) {
    for (const step of [...this.undo, ...this.redo]) {
      for (const field of ID_FIELDS) if (step[field] === oldId) step[field] = newId;
      for (const list of ID_LISTS) if (step[list]) step[list] = step[list].map((id) => (id === oldId ? newId : id));
    }
    this._save();
  }
}

/** What a step does, in a few words, for the buttons' titles and the status line. */
export function describeStep(step) {
  if (!step) return "";
  return {
    create: "adding a span",
    delete: "deleting a span",
    update: "an edit",
    link: "a link",
    unlink: "removing a link",
    accept: "accepting a suggestion",
    reject: "rejecting a suggestion",
  }[step.type];
}
