// The side panel's list of spans in text order, built with textContent only. It holds a window
// of at most a few hundred items (around the selected span, extended by "show more" buttons or
// by scrolling to them): with thousands of spans a full list made every new span cost tens of
// milliseconds of layout and paint.
import { setProperty } from "./dom_writes.js";

const PAGE = 60;
const QUOTE_CHARS = 160;

export class SpanList {
  constructor({ list, count, onPick, showOwner }) {
    this.list = list;
    this.count = count;
    this.onPick = onPick;
    this.showOwner = showOwner;
    this.spans = []; // the caller's sorted array, kept in step by inserted/removed
    this.from = 0; // spans[from .. to) have items, in order
    this.to = 0;
    this.items = new Map(); // span key -> <li>
    this.selectedKey = null; // the selected span's key, whether or not its item is shown
    this._links = null; // {refs: id -> span, attributedBy: target id -> [attributions]}, built when needed
    this.earlier = this._moreButton("earlier");
    this.later = this._moreButton("later");
    list.before(this.earlier);
    list.after(this.later);
    list.addEventListener("click", (event) => {
      const item = event.target.closest("li[data-key]");
      if (item) this.onPick(item.dataset.key, event);
    });
    list.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      const item = event.target.closest("li[data-key]");
      const next = event.key === "ArrowDown" ? item?.nextElementSibling : item?.previousElementSibling;
      if (next) {
        event.preventDefault();
        next.querySelector("button").focus();
      }
    });
    // Scrolling the panel to a "show more" button shows more, as an endless list would.
    this.observer = new IntersectionObserver((entries) => {
      for (const entry of entries) if (entry.isIntersecting && !entry.target.hidden) entry.target.click();
    }, { root: list.closest(".side-panel"), rootMargin: "200px" });
    this.observer.observe(this.later);
  }

  _moreButton(which) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `more-spans more-${which}`;
    button.hidden = true;
    button.addEventListener("click", () => {
      if (which === "earlier") this._show(Math.max(0, this.from - PAGE), this.to);
      else this._show(this.from, Math.min(this.spans.length, this.to + PAGE));
    });
    return button;
  }

  setSpans(spans) {
    this.spans = spans;
    this._links = null;
    this._show(0, Math.min(PAGE, spans.length), true);
  }

  // Who links to whom, rebuilt (one pass over the spans) only after links may have changed.
  links() {
    if (this._links) return this._links;
    const refs = new Map();
    const attributedBy = new Map();
    for (const span of this.spans) {
      if (span.id !== null) refs.set(span.id, span);
      for (const target of span.links || []) {
        if (!attributedBy.has(target)) attributedBy.set(target, []);
        attributedBy.get(target).push(span);
      }
    }
    this._links = { refs, attributedBy };
    return this._links;
  }

  /** Show items for spans[from .. to), reusing those already built. */
  _show(from, to, rebuild = false) {
    if (rebuild) this.items.clear();
    const fragment = document.createDocumentFragment();
    const keep = new Map();
    for (let i = from; i < to; i++) {
      const span = this.spans[i];
      const item = this.items.get(span.key) || this._item(span);
      keep.set(span.key, item);
      fragment.append(item);
    }
    this.items = keep;
    this.list.replaceChildren(fragment);
    this.from = from;
    this.to = to;
    this._updateControls();
  }

  _updateControls() {
    const n = this.spans.length;
    const set = setProperty; // written only when they change: each write costs a style and layout pass
    set(this.count, "textContent", `(${n})`);
    set(this.earlier, "hidden", this.from === 0);
    if (!this.earlier.hidden) set(this.earlier, "textContent", `Show earlier spans (${this.from} more)`);
    set(this.later, "hidden", this.to >= n);
    if (!this.later.hidden) set(this.later, "textContent", `Show later spans (${n - this.to} more)`);
  }

  _item(span) {
    const li = document.createElement("li");
    li.dataset.key = span.key;
    li.dataset.start = String(span.start); // for tests and scripts: never shown
    li.className = `span-item label-${span.label}`;
    const button = document.createElement("button");
    button.type = "button";
    button.tabIndex = -1;
    this._fill(button, span);
    li.append(button);
    if (span.key === this.selectedKey) this._mark(li, true); // rebuilt while selected
    return li;
  }

  _fill(button, span) {
    const chip = document.createElement("span");
    chip.className = `label-chip label-${span.label}`;
    chip.textContent = span.label;
    const quote = document.createElement("span");
    quote.className = "span-quote";
    quote.dir = "auto"; // user text is isolated: a right-to-left quote or a bidi control cannot reorder the line
    quote.textContent = span.quote.length > QUOTE_CHARS ? `${span.quote.slice(0, QUOTE_CHARS)}…` : span.quote;
    button.replaceChildren(chip, " ", quote);
    if (span.pending) button.append(this._meta("saving…", "is-saving"));
    if (this.showOwner()) button.append(this._meta(`by ${span.annotator}`));
    if (span.note) {
      const note = document.createElement("span");
      note.className = "span-note";
      note.dir = "auto";
      note.textContent = span.note;
      button.append(note);
    }
    const { refs, attributedBy } = this.links();
    const targets = (span.links || []).map((id) => refs.get(id)).filter(Boolean);
    if (targets.length) button.append(this._meta(`attributes: ${targets.map((t) => `“${short(t.quote)}”`).join(", ")}`, "link-meta"));
    const sources = attributedBy.get(span.id) || [];
    if (sources.length) button.append(this._meta(`attributed by: ${sources.map((s) => `“${short(s.quote)}”`).join(", ")}`, "link-meta"));
  }

  _meta(text, extra = "") {
    const meta = document.createElement("span");
    meta.className = `span-meta ${extra}`.trim();
    meta.textContent = text;
    return meta;
  }

  /** A span was inserted at `index` of the shared array. */
  inserted(span, index) {
    // A new span has no links and nothing links to it yet: the links index stays valid.
    if (span.id !== null) this._links?.refs.set(span.id, span);
    if (index < this.from) {
      this.from++;
      this.to++;
    } else if (index <= this.to) {
      const item = this._item(span);
      this.items.set(span.key, item);
      const after = this.spans[index + 1];
      this.list.insertBefore(item, (index < this.to && after && this.items.get(after.key)) || null);
      this.to++;
    }
    this._updateControls();
  }

  /** A new span got its id from the server: only its "saving…" goes. */
  saved(span) {
    this._links?.refs.set(span.id, span);
    this.items.get(span.key)?.querySelector(".is-saving")?.remove();
  }

  /** A span was removed from `index` of the shared array. */
  removed(span, index) {
    this._links = null;
    if (index < this.from) {
      this.from--;
      this.to--;
    } else if (index < this.to) {
      this.items.get(span.key)?.remove();
      this.items.delete(span.key);
      this.to--;
    }
    this._updateControls();
  }

  /** Redraw the items of these spans (changed label, note or links; a new id after saving). */
  refresh(spans, { linksChanged = true } = {}) {
    if (linksChanged) this._links = null;
    else for (const span of spans) if (span && span.id !== null) this._links?.refs.set(span.id, span);
    for (const span of spans) {
      const li = span && this.items.get(span.key);
      if (!li) continue;
      li.className = `span-item label-${span.label}${span.key === this.selectedKey ? " is-selected" : ""}`;
      this._fill(li.firstChild, span);
    }
  }

  select(span, index, { focus = false } = {}) {
    const previous = this.list.querySelector("li.is-selected");
    if (previous) this._mark(previous, false);
    this.selectedKey = span ? span.key : null;
    if (!span) {
      this.list.querySelector("button")?.setAttribute("tabindex", "0");
      return;
    }
    if (index < this.from || index >= this.to) {
      const from = Math.max(0, index - Math.floor(PAGE / 2));
      this._show(from, Math.min(this.spans.length, from + PAGE));
    }
    const item = this.items.get(span.key);
    if (!item) return;
    this._mark(item, true);
    this._reveal(item);
    if (focus) item.firstChild.focus({ preventScroll: true });
  }

  _mark(item, selected) {
    item.classList.toggle("is-selected", selected);
    const button = item.firstChild;
    button.tabIndex = selected ? 0 : -1;
    if (selected) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
  }

  // Scroll the panel, never the page: below 900 px the panel is part of the page under the
  // text, and scrolling the page to the list would move the text away from the reader. In the
  // next frame: read now, after the caller's DOM writes, the layout would be computed twice
  // (bench/workspace.py --profile showed it as the costliest script of adding a span).
  _reveal(item) {
    cancelAnimationFrame(this._revealFrame);
    this._revealFrame = requestAnimationFrame(() => item.isConnected && this._revealNow(item));
  }

  _revealNow(item) {
    const panel = this.list.closest(".side-panel");
    if (!panel || panel.scrollHeight <= panel.clientHeight + 1 || getComputedStyle(panel).overflowY === "visible") return;
    const box = panel.getBoundingClientRect();
    const at = item.getBoundingClientRect();
    if (at.top < box.top) panel.scrollTop -= box.top - at.top;
    else if (at.bottom > box.bottom) panel.scrollTop += at.bottom - box.bottom;
  }
}

function short(text) {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
