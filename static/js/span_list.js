// The side panel's list of spans in text order. Items are built with textContent only, the first
// ones at once and the rest in small batches between frames, so a document with thousands of
// spans is ready to use before its whole list exists.

const FIRST_BATCH = 150;
const BATCH = 400;
const QUOTE_CHARS = 160;

export class SpanList {
  constructor({ list, count, onPick, showOwner }) {
    this.list = list;
    this.count = count;
    this.onPick = onPick;
    this.showOwner = showOwner;
    this.spans = [];
    this.items = new Map(); // span key -> <li>
    this.rendered = 0; // spans[0 .. rendered) have items, in order
    this.attributedBy = new Map(); // target id -> [attribution span]
    this.refs = new Map(); // span id -> span
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
  }

  setSpans(spans) {
    this.spans = spans;
    this.items.clear();
    this.list.replaceChildren();
    this.rendered = 0;
    this._reindexLinks();
    this._renderUpTo(Math.min(FIRST_BATCH, spans.length));
    this._updateCount();
    this._scheduleRest();
  }

  _reindexLinks() {
    this.refs = new Map(this.spans.map((span) => [span.id, span]));
    this.attributedBy = new Map();
    for (const span of this.spans) {
      for (const target of span.links || []) {
        if (!this.attributedBy.has(target)) this.attributedBy.set(target, []);
        this.attributedBy.get(target).push(span);
      }
    }
  }

  _scheduleRest() {
    if (this._pending || this.rendered >= this.spans.length) return;
    this._pending = true;
    const step = () => {
      this._pending = false;
      this._renderUpTo(Math.min(this.rendered + BATCH, this.spans.length));
      this._scheduleRest();
    };
    (window.requestIdleCallback || ((f) => setTimeout(f, 16)))(step);
  }

  _renderUpTo(limit) {
    if (limit <= this.rendered) return;
    const fragment = document.createDocumentFragment();
    for (let i = this.rendered; i < limit; i++) fragment.append(this._item(this.spans[i]));
    this.list.append(fragment);
    this.rendered = limit;
  }

  _item(span) {
    const li = document.createElement("li");
    li.dataset.key = span.key;
    li.className = `span-item label-${span.label}`;
    const button = document.createElement("button");
    button.type = "button";
    button.tabIndex = -1;
    this._fill(button, span);
    li.append(button);
    this.items.set(span.key, li);
    return li;
  }

  _fill(button, span) {
    const chip = document.createElement("span");
    chip.className = `label-chip label-${span.label}`;
    chip.textContent = span.label;
    const quote = document.createElement("span");
    quote.className = "span-quote";
    quote.textContent = span.quote.length > QUOTE_CHARS ? `${span.quote.slice(0, QUOTE_CHARS)}…` : span.quote;
    button.replaceChildren(chip, " ", quote);
    if (span.pending) button.append(this._meta("saving…"));
    if (this.showOwner()) button.append(this._meta(`by ${span.annotator}`));
    if (span.note) {
      const note = document.createElement("span");
      note.className = "span-note";
      note.textContent = span.note;
      button.append(note);
    }
    const targets = (span.links || []).map((id) => this.refs.get(id)).filter(Boolean);
    if (targets.length) button.append(this._meta(`attributes: ${targets.map((t) => `“${short(t.quote)}”`).join(", ")}`, "link-meta"));
    const sources = this.attributedBy.get(span.id) || [];
    if (sources.length) button.append(this._meta(`attributed by: ${sources.map((s) => `“${short(s.quote)}”`).join(", ")}`, "link-meta"));
  }

  _meta(text, extra = "") {
    const meta = document.createElement("span");
    meta.className = `span-meta ${extra}`.trim();
    meta.textContent = text;
    return meta;
  }

  _updateCount() {
    this.count.textContent = `(${this.spans.length})`;
  }

  /** A span was inserted at `index` of the (shared, sorted) spans array. */
  inserted(span, index) {
    this._reindexLinks();
    if (index < this.rendered) {
      const before = this.items.get(this.spans[index + 1]?.key);
      this.list.insertBefore(this._item(span), before || null);
      this.rendered++;
    } else {
      this._scheduleRest();
    }
    this._updateCount();
  }

  removed(span, index) {
    const item = this.items.get(span.key);
    if (item) {
      item.remove();
      this.items.delete(span.key);
      if (index < this.rendered) this.rendered--;
    }
    this._reindexLinks();
    this._updateCount();
  }

  /** Redraw the items of these spans (changed label, note, key or links). */
  refresh(spans) {
    this._reindexLinks();
    for (const span of spans) {
      if (!span) continue;
      const li = this.items.get(span.key);
      if (!li) continue;
      li.className = `span-item label-${span.label}`;
      this._fill(li.firstChild, span);
    }
  }

  /** The item of a span, built now if its batch has not come yet. */
  itemFor(span, index) {
    if (index >= this.rendered) this._renderUpTo(index + 1);
    return this.items.get(span.key);
  }

  select(span, index, { focus = false } = {}) {
    this.list.querySelector("li.is-selected")?.classList.remove("is-selected");
    const previous = this.list.querySelector("button[tabindex='0']");
    if (previous) {
      previous.tabIndex = -1;
      previous.removeAttribute("aria-current");
    }
    if (!span) {
      this.list.querySelector("button")?.setAttribute("tabindex", "0");
      return;
    }
    const item = this.itemFor(span, index);
    if (!item) return;
    item.classList.add("is-selected");
    const button = item.firstChild;
    button.tabIndex = 0;
    button.setAttribute("aria-current", "true");
    item.scrollIntoView({ block: "nearest" });
    if (focus) button.focus();
  }
}

function short(text) {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
