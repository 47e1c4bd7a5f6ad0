// The workspace's writes, one at a time: each waits for the one before it, so a key pressed
// twice quickly (relabel, then undo) always sends the version the previous answer gave.
// body[data-pending] counts what is queued (the tests and the "leave?" prompt read it).

export class WriteQueue {
  constructor({ onIdle = () => {} } = {}) {
    this.chain = Promise.resolve();
    this.pending = 0;
    this.onIdle = onIdle; // after the last queued write: links and extents may have changed
    document.body.dataset.pending = "0";
  }

  _count(delta) {
    this.pending += delta;
    document.body.dataset.pending = String(this.pending);
    if (this.pending === 0 && delta < 0) this.onIdle();
  }

  /** Run `task` after every write queued before it; the promise is the task's own. */
  serial(task) {
    this._count(1);
    const run = this.chain.then(task);
    this.chain = run.catch(() => {}).then(() => this._count(-1));
    return run;
  }

  /** Settles once everything queued so far has. */
  idle() {
    return this.chain;
  }
}
