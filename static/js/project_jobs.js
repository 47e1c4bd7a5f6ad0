// The project page's Jobs panel: polls /api/v1/jobs/?project= (fast while a job is queued or
// running, slowly otherwise so jobs started elsewhere appear), draws each job's progress bar,
// result and errors, and starts background exports and cancels jobs. One delegated listener.
import { api } from "./api.js";

const panel = document.getElementById("jobs-panel");
const rows = panel.querySelector("tbody");
const empty = panel.querySelector(".jobs-empty");
const status = panel.querySelector(".jobs-status");
const ACTIVE = new Set(["queued", "running"]);
const FAST_MS = 1500;
const SLOW_MS = 15000;
const KINDS = { import: "Import", export: "Export", release: "Release", agreement: "Agreement" };
const seenActive = new Set();
let timer = null;

function say(message) {
  status.textContent = message;
  status.hidden = !message;
}

function element(tag, { text, className, attrs = {} } = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString([], { dateStyle: "short", timeStyle: "short" }) : "";
}

function progressCell(job) {
  const cell = element("td");
  const { done, total, percent, message } = job.progress;
  const label = `Progress of job ${job.id}`;
  if (ACTIVE.has(job.state)) {
    const bar = element("progress", { attrs: { "aria-label": label } });
    if (total) {
      bar.max = total;
      bar.value = Math.min(done, total);
    } // no value: an indeterminate bar until the job knows its size
    cell.append(bar);
  }
  const counts = total ? `${done.toLocaleString()} of ${total.toLocaleString()}${percent !== null ? ` (${percent}%)` : ""}` : "";
  const note = ACTIVE.has(job.state) || !["Done.", "Failed."].includes(message) ? message : "";
  cell.append(element("span", { className: "job-progress-text", text: [counts, note].filter(Boolean).join(" · ") || "–" }));
  return cell;
}

function size(bytes) {
  return bytes >= 1e5 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1e3))} KB`;
}

function outcome(job) {
  const cell = element("td");
  const result = job.result || {};
  if (job.state === "succeeded") {
    const text = {
      import: () => `${result.documents ?? 0} documents, ${result.spans ?? 0} spans${result.skipped ? `, ${result.skipped} skipped` : ""}.`,
      export: () => `${result.documents ?? "?"} documents, ${size(result.bytes || 0)} ${result.format || ""}.`,
      release: () => `Release ${result.release} (${result.name}) frozen.`,
      agreement: () => "Agreement report ready.",
    }[job.kind];
    cell.append(element("span", { text: text ? text() : "Done." }));
  } else if (job.state === "failed" && job.error) {
    cell.append(element("span", { text: job.error.detail || "Failed." }));
    const problems = [...(job.error.errors || []), ...(job.error.duplicates || [])].slice(0, 5);
    if (problems.length) {
      const list = element("ul", { className: "job-error" });
      for (const p of problems) {
        list.append(element("li", { text: `${p.file}, line ${p.line}${p.field ? `, ${p.field}` : ""}: ${p.message || `already in the project (${p.reason})`}` }));
      }
      cell.append(list);
    }
  }
  const actions = element("div", { className: "job-actions" });
  if (result.download) {
    actions.append(element("a", { text: `Download ${result.file_name || "file"}`, className: "btn btn-primary", attrs: { href: result.download } }));
  }
  if (job.cancel_url && !job.cancel_requested) {
    actions.append(element("button", { text: "Cancel", className: "btn btn-danger", attrs: { type: "button", "data-cancel-url": job.cancel_url } }));
  }
  if (actions.childElementCount) cell.append(actions);
  return cell;
}

function row(job) {
  const tr = element("tr", { attrs: { "data-job": job.id } });
  const name = element("th", { attrs: { scope: "row" } });
  name.append(element("span", { text: `${KINDS[job.kind] || job.kind} #${job.id}` }));
  name.append(element("span", { className: "job-progress-text", text: `${job.creator}, ${when(job.created_at)}` }));
  const state = element("td");
  state.append(element("span", { className: `job-state job-state-${job.state}`, text: job.cancel_requested && ACTIVE.has(job.state) ? "cancelling" : job.state }));
  tr.append(name, state, progressCell(job), outcome(job));
  return tr;
}

function noticeFinished(jobs) {
  for (const job of jobs) {
    if (ACTIVE.has(job.state)) seenActive.add(job.id);
    else if (seenActive.delete(job.id) && job.kind === "import" && job.state === "succeeded") {
      say(`Import #${job.id} finished: reload the page to see its documents.`);
    }
  }
}

async function refresh() {
  clearTimeout(timer);
  let busy = false;
  try {
    const page = await api.get(panel.dataset.jobsUrl);
    rows.replaceChildren(...page.results.map(row));
    empty.hidden = page.results.length > 0;
    noticeFinished(page.results);
    busy = page.results.some((job) => ACTIVE.has(job.state));
  } catch (error) {
    say(`Could not read the jobs: ${error.message}`);
  }
  timer = setTimeout(refresh, busy && !document.hidden ? FAST_MS : SLOW_MS);
}

function exportQuery() {
  const form = document.getElementById("export-form");
  const params = new URLSearchParams();
  if (form) for (const [key, value] of new FormData(form)) if (value !== "") params.append(key, value);
  return params.toString();
}

panel.addEventListener("click", async (event) => {
  const cancel = event.target.closest("button[data-cancel-url]");
  const exportButton = event.target.closest("button[data-action='export-file']");
  if (!cancel && !exportButton) return;
  const button = cancel || exportButton;
  button.disabled = true;
  try {
    if (cancel) {
      await api.post(cancel.dataset.cancelUrl);
      say("Cancelling: nothing the job did is kept.");
    } else {
      const query = exportQuery();
      const job = await api.post(`${panel.dataset.exportUrl}${query ? `?${query}` : ""}`);
      say(`Export #${job.id} started; its download link appears here when it is ready.`);
    }
  } catch (error) {
    say(error.message);
  } finally {
    button.disabled = false;
    refresh();
  }
});

document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
refresh();
