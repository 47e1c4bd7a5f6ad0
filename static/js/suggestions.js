// Suggested spans in the workspace: the suggester's proposals for this document, drawn dashed
// over the text (CSS custom highlights of their own, never in the span store) and listed in the
// panel. A unit is a cue with the content it attributes (or a lone quotation): `n`/`p` move
// between units, Enter accepts one (the server writes the cue, its content and their links in
// one request, and the workspace records it as one undo step), Backspace rejects it.
import { api } from "./api.js";

const LISTED = 30;

export class SuggestionLayer {
  constructor({ url, decideUrl, index, view, section, list, count, say, window: near = () => [0, view.length] }) {
    this.url = url; // GET: the proposals for this document (annotate/suggestions/api.py)
    this.decideUrl = decideUrl; // "/api/v1/suggestions/0/": the id replaces the 0
    this.index = index;
    this.view = view;
    this.section = section;
    this.list = list;
    this.count = count;
    this.say = say;
    this.units = [];
    this.position = -1;
    this.near = near; // the UTF-16 window of the text near the viewport (the highlighter's)
    this.drawn = null;
    this.native = typeof Highlight === "function" && CSS.highlights !== undefined;
    if (this.native) {
      for (const [name, priority] of [["suggestion", 0], ["suggestion-current", 1]]) {
        const highlight = new Highlight();
        highlight.priority = priority;
        CSS.highlights.set(name, highlight);
      }
    }
    // Like the span highlights, only what is near the viewport is registered: thousands of
    // ranges in a highlight make every later paint of a long document slow.
    let queued = false;
    const follow = () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        const [lo, hi] = this.near();
        if (!this.drawn || this.drawn[0] !== lo || this.drawn[1] !== hi) this._draw();
      });
    };
    window.addEventListener("scroll", follow, { passive: true });
    window.addEventListener("resize", follow);
    list.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button) return;
      this.position = Number(button.closest("li").dataset.position);
      this.onAction?.(button.dataset.action);
    });
  }

  _urlOf(id, action) {
    return this.decideUrl.replace(/0\/$/, `${id}/${action}/`);
  }

  /** Read the proposals again (after a load, an undo of a decision). */
  async load() {
    const body = await api.get(this.url);
    this.enabled = body.enabled;
    this.section.hidden = !body.enabled;
    const byId = new Map(body.suggestions.map((s) => [s.id, s]));
    const units = [];
    for (const suggestion of body.suggestions) {
      if (suggestion.label === "attribution") {
        units.push({ head: suggestion, members: [suggestion, ...suggestion.links.map((id) => byId.get(id)).filter(Boolean)] });
      } else if (!suggestion.cue || !byId.has(suggestion.cue)) {
        units.push({ head: suggestion, members: [suggestion] });
      }
    }
    units.sort((a, b) => a.head.start - b.head.start || a.head.end - b.head.end);
    for (const unit of units) {
      for (const member of unit.members) {
        const u = this.index.rangeToUtf16(member.start, member.end);
        member.u0 = u.start;
        member.u1 = u.end;
      }
    }
    const current = this.current?.head.id;
    this.units = units;
    this.position = Math.min(Math.max(units.findIndex((u) => u.head.id === current), -1), units.length - 1);
    this._draw();
    this._render();
    return units.length;
  }

  get current() {
    return this.units[this.position] || null;
  }

  _range(suggestion) {
    const u = this.index.rangeToUtf16(suggestion.start, suggestion.end);
    return this.view.range(u.start, u.end);
  }

  _draw() {
    if (!this.native) return;
    const [lo, hi] = this.near();
    this.drawn = [lo, hi];
    const all = CSS.highlights.get("suggestion");
    const now = CSS.highlights.get("suggestion-current");
    all.clear();
    now.clear();
    for (const member of this.current?.members || []) now.add(this._range(member));
    // Units are sorted by their head's start; a member may sit a sentence or so away from its
    // head (a quotation before its cue), hence the margin. Offsets here are UTF-16, as the window's.
    const margin = 4000;
    let a = 0, b = this.units.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (this.units[mid].head.u0 < lo - margin) a = mid + 1; else b = mid;
    }
    for (let i = a; i < this.units.length && this.units[i].head.u0 < hi + margin; i++) {
      if (i === this.position) continue;
      for (const member of this.units[i].members) if (member.u1 > lo && member.u0 < hi) all.add(this._range(member));
    }
  }

  _render() {
    this.count.textContent = this.units.length ? `(${this.units.length})` : "";
    // At most LISTED items, from a little before the current one: a long document can have thousands.
    const first = Math.max(0, Math.min(this.position - 5, this.units.length - LISTED));
    const shown = this.units.slice(first, first + LISTED).map((unit, i) => this._item(unit, first + i));
    this.list.replaceChildren(...shown);
    const more = this.units.length - shown.length;
    if (more > 0) {
      const note = document.createElement("li");
      note.className = "muted";
      note.textContent = `${more} more: n and p go through them all.`;
      this.list.append(note);
    }
    if (!this.units.length) {
      const empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = "Nothing proposed here.";
      this.list.append(empty);
    }
  }

  _item(unit, position) {
    const li = document.createElement("li");
    li.className = "suggestion-item";
    li.dataset.position = String(position);
    li.dataset.suggestion = String(unit.head.id);
    if (position === this.position) li.setAttribute("aria-current", "true");
    for (const member of unit.members) {
      const line = document.createElement("p");
      line.dir = "auto";
      const chip = document.createElement("span");
      chip.className = `chip chip-${member.label}`;
      chip.textContent = member.label;
      const quote = document.createElement("bdi");
      quote.textContent = `“${member.quote.length > 90 ? `${member.quote.slice(0, 89)}…` : member.quote}”`;
      line.append(chip, " ", quote);
      if (member.source) {
        const source = document.createElement("span");
        source.className = "muted";
        source.append(" · source: ");
        const name = document.createElement("bdi");
        name.textContent = member.source;
        source.append(name);
        line.append(source);
      }
      li.append(line);
    }
    const actions = document.createElement("p");
    actions.className = "suggestion-actions";
    for (const [action, text] of [["accept", "Accept"], ["reject", "Reject"]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = action === "accept" ? "btn btn-small" : "btn btn-quiet btn-small";
      button.dataset.action = action;
      button.textContent = text;
      button.setAttribute("aria-label", `${text} the suggestion “${unit.head.quote.slice(0, 60)}”`);
      actions.append(button);
    }
    li.append(actions);
    return li;
  }

  /** Move to the next (+1) or previous (-1) unit; returns its DOM range to scroll to. */
  step(direction) {
    if (!this.units.length) {
      this.say("No suggestions here.");
      return null;
    }
    this.position = this.position < 0 ? (direction > 0 ? 0 : this.units.length - 1)
      : (this.position + direction + this.units.length) % this.units.length;
    this._draw();
    this._render();
    const unit = this.current;
    const extra = unit.members.length > 1 ? ` with ${unit.members.length - 1} linked span${unit.members.length > 2 ? "s" : ""}` : "";
    this.say(`Suggestion ${this.position + 1} of ${this.units.length}: ${unit.head.label} “${unit.head.quote.slice(0, 60)}”${extra}. Enter accepts, Backspace rejects.`);
    this.list.querySelector('[aria-current="true"]')?.scrollIntoView({ block: "nearest" });
    return this._range(unit.head);
  }

  /** The current unit's head as code points (for "edit, then accept"). */
  headOffsets() {
    const unit = this.current;
    return unit ? { start: unit.head.start, end: unit.head.end } : null;
  }

  /** POST accept for a suggestion (with changes); the answer lists the spans written. */
  async accept(id, changes = {}) {
    return api.post(this._urlOf(id, "accept"), changes);
  }

  async reject(id) {
    return api.post(this._urlOf(id, "reject"), {});
  }

  /** Take a decision back (undo of an accept or a reject). */
  async reopen(id) {
    await api.delete(this._urlOf(id, "decision"));
  }

  /** The unit is decided: drop it here (the server will not propose it again). */
  drop(unit) {
    const at = this.units.indexOf(unit);
    if (at < 0) return;
    this.units.splice(at, 1);
    if (this.position >= this.units.length) this.position = this.units.length - 1;
    this._draw();
    this._render();
  }
}
