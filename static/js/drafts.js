// What is typed in the span editor (note, source, dispute reason, evidence) is kept in
// localStorage at every keystroke, per document, user and span, and saved to the server a
// moment after typing stops. A draft is removed only once the server holds exactly it, so it
// survives switching spans, moving to another document, a reload and a refused save.

const DELAY = 600; // ms after the last keystroke

export class Drafts {
  constructor({ documentId, user, save, onState }) {
    this.prefix = `annotate:draft:${documentId}:${user}:`;
    this.save = save; // async (spanId, fields) => void; throws when the server refuses
    this.onState = onState; // (state, message) with state one of dirty, saving, saved, failed
    this.timers = new Map();
  }

  get(spanId) {
    try {
      return JSON.parse(localStorage.getItem(this.prefix + spanId) || "null");
    } catch {
      return null;
    }
  }

  /** Keep what was typed now; save it after a pause in typing. */
  put(spanId, fields) {
    try {
      localStorage.setItem(this.prefix + spanId, JSON.stringify(fields));
    } catch { /* storage off: the timed save below still runs */ }
    this.onState("dirty", "Not saved yet…");
    clearTimeout(this.timers.get(spanId));
    this.timers.set(spanId, setTimeout(() => this.flush(spanId), DELAY));
  }

  drop(spanId) {
    clearTimeout(this.timers.get(spanId));
    this.timers.delete(spanId);
    localStorage.removeItem(this.prefix + spanId);
  }

  /** A span came back under a new id (undo of a delete): its draft follows it. */
  rename(oldId, newId) {
    const draft = this.get(oldId);
    if (!draft) return;
    localStorage.setItem(this.prefix + newId, JSON.stringify(draft));
    this.drop(oldId);
  }

  spanIds() {
    const ids = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key.startsWith(this.prefix)) ids.push(Number(key.slice(this.prefix.length)));
    }
    return ids;
  }

  dirty() {
    return this.spanIds().length > 0;
  }

  /** Save one span's draft now. */
  async flush(spanId) {
    clearTimeout(this.timers.get(spanId));
    this.timers.delete(spanId);
    const fields = this.get(spanId);
    if (!fields) return true;
    this.onState("saving", "Saving…");
    try {
      await this.save(spanId, fields);
    } catch (error) {
      this.onState("failed", `Not saved: ${error.message} Your text is kept on this device.`);
      return false;
    }
    // Typed on while saving: the newer draft stays and has its own timer.
    if (JSON.stringify(this.get(spanId)) === JSON.stringify(fields)) {
      localStorage.removeItem(this.prefix + spanId);
      this.onState("saved", "Saved");
    }
    return true;
  }

  async flushAll() {
    const results = await Promise.all(this.spanIds().map((id) => this.flush(id)));
    return results.every(Boolean);
  }
}
