// dvt review: the page. Talks to the JSON API of pipeline/review/app.py; no framework, no CDN.
"use strict";

const state = {
  info: null, token: null, reviewer: null,
  queue: [], queueTotal: 0, row: null, report: null,
  form: { label: null, sides: { left: null, right: null, unspecified: null } },
  pendingSide: null,
  busy: 0, // saves and report loads under way: keys are ignored meanwhile, so they never act on the report being left
};

const $ = (id) => document.getElementById(id);

// Bidirectional control characters reorder what the reviewer sees: show them as ⟨U+202E⟩ (as the server does in report text).
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
function visible(text) {
  return text.replace(BIDI, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}⟩`);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : visible(String(child)));
  }
  return node;
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(method, path, body) {
  const headers = {};
  if (state.token) headers["X-Review-Session"] = state.token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new ApiError(response.status, data.error || `HTTP ${response.status}`);
  return data;
}

function filterQuery() {
  const params = new URLSearchParams();
  for (const name of ["label", "side", "flag", "id"]) {
    const value = $(`filter-${name}`).value;
    if (value) params.set(name, value);
  }
  return params;
}

function showStatus(message, kind = "ok") {
  const node = $("status");
  node.textContent = message;
  node.className = `status ${kind}`;
}

function handleError(error) {
  showStatus(error.message, "error");
  if (error.status === 409 || error.status === 401) openLogin(error.message);
}

function setBusy(delta) {
  state.busy += delta;
  document.body.setAttribute("aria-busy", String(state.busy > 0));
}

// ------------------------------------------------------------------ session

function openLogin(message = "") {
  $("login-error").textContent = message;
  $("reviewer").value = state.reviewer || localStorage.getItem("dvt-reviewer") || state.info.default_reviewer || "";
  if (!$("login").open) $("login").showModal();
  $("reviewer").focus();
}

async function startSession(event) {
  event.preventDefault();
  const reviewer = $("reviewer").value.trim();
  try {
    const session = await api("POST", "/api/session", { reviewer });
    state.token = session.token;
    state.reviewer = session.reviewer;
    localStorage.setItem("dvt-reviewer", session.reviewer);
    $("login").close();
    $("whoami").textContent = `reviewer: ${session.reviewer}`;
    await loadQueue();
    const fromHash = Number.parseInt(new URLSearchParams(location.hash.slice(1)).get("row"), 10);
    const start = Number.isInteger(fromHash) ? fromHash : session.resume_row;
    if (start !== null && start !== undefined) await openReport(start);
    else showStatus("Every report in this review has your decision.");
  } catch (error) {
    $("login-error").textContent = error.message;
  }
}

function endSession() {
  if (!state.token) return;
  // sendBeacon cannot set headers; the token goes in the body.
  navigator.sendBeacon("/api/session/end", new Blob([JSON.stringify({ token: state.token })], { type: "application/json" }));
  state.token = null;
}

// -------------------------------------------------------------------- queue

function fillFilters(counts) {
  const label = $("filter-label"), side = $("filter-side"), flag = $("filter-flag");
  const keep = [label.value, side.value, flag.value];
  label.replaceChildren(el("option", { value: "" }, `any (${counts.total})`),
    ...[...state.info.labels, state.info.error_label].map((name) => el("option", { value: name }, `${name} (${counts.labels[name] || 0})`)));
  side.replaceChildren(el("option", { value: "" }, "report"), ...state.info.sides.map((name) => el("option", { value: name }, name)));
  flag.replaceChildren(el("option", { value: "" }, "all"),
    ...state.info.flags.map((name) => el("option", { value: name }, `${name} (${counts.flags[name]})`)));
  [label.value, side.value, flag.value] = keep;
}

function queueItem(item) {
  const decided = item.decided_label !== null;
  const flags = [item.uncertain ? "?" : "", item.error ? "!" : "", item.disagrees ? "≠" : ""].join("");
  return el("li", { class: `queue-item${item.row === state.row ? " current" : ""}${decided ? " decided" : ""}`, dataset: { row: item.row } },
    el("span", { class: "qid" }, String(item.id)),
    el("span", { class: "qflags", title: "? uncertain  ! error  ≠ differs from gold" }, flags),
    el("span", { class: `chip l-${item.label || "ERROR"}` }, item.label || "ERROR"),
    el("span", { class: "qdecided", title: decided ? `your label: ${item.decided_label}` : "not decided" }, decided ? `✓ ${item.decided_label}` : ""));
}

async function loadQueue(append = false) {
  const params = filterQuery();
  params.set("offset", append ? state.queue.length : 0);
  params.set("limit", 200);
  const page = await api("GET", `/api/queue?${params}`);
  state.queue = append ? state.queue.concat(page.items) : page.items;
  state.queueTotal = page.total;
  fillFilters(page.counts);
  $("queue").replaceChildren(...state.queue.map(queueItem));
  $("queue-count").textContent = `${page.total} report${page.total === 1 ? "" : "s"} in this view`;
  $("queue-more").hidden = state.queue.length >= page.total;
  const decided = page.counts.flags.decided;
  $("progress").textContent = `${decided} of ${page.counts.total} decided by you`;
}

function markCurrent() {
  for (const node of $("queue").children) node.classList.toggle("current", Number(node.dataset.row) === state.row);
  const current = $("queue").querySelector(".current");
  if (current) current.scrollIntoView({ block: "nearest" });
}

// ------------------------------------------------------------------- report

function labelChip(label) {
  return el("span", { class: `chip l-${label || "none"}` }, label || "—");
}

function sidesText(sides) {
  return state.info.sides.filter((s) => sides && sides[s]).map((s) => `${s} ${sides[s]}`).join(", ") || "no side examined";
}

function followUpText(record) {
  const c = record.comparison;
  const compared = c ? `${c.source}${c.date ? ` of ${c.date}` : ""} “${c.text}”` : "none stated";
  const scope = state.info.sides.filter((s) => record.scope && record.scope[s]).map((s) => `${s} ${record.scope[s]}`).join(", ");
  return `Comparison: ${compared} · scope: ${scope || "none"}`;
}

function renderHead(report) {
  const record = report.record;
  const gold = report.gold;
  const head = $("report-head");
  head.replaceChildren(...[
    el("div", { class: "report-id" }, el("strong", {}, `Report ${report.id}`), el("span", { class: "muted" }, ` row ${report.row}`)),
    el("div", {}, "Model: ", labelChip(record.label), " ", el("span", { class: "muted", id: "model-sides" }, sidesText(record.side_labels)),
      record.error ? el("span", { class: "error" }, ` error: ${record.error}`) : null),
    el("div", { class: "muted", id: "follow-up" }, followUpText(record)),
    gold ? el("div", { class: gold.label !== record.label ? "disagree" : "" }, "Gold: ", labelChip(gold.label), " ",
      el("span", { class: "muted" }, gold.side_labels ? sidesText(gold.side_labels) : "")) : null,
    el("div", { id: "your-decision" }, "You: ", report.decision
      ? [labelChip(report.decision.label), " ", el("span", { class: "muted" }, `${report.decision.action}ed ${report.decision.decided_at}`)]
      : el("span", { class: "muted" }, "not decided yet")),
  ].filter((node) => node !== null)); // replaceChildren(null) would show the word "null"
  const problems = $("problems");
  problems.hidden = report.problems.length === 0 && report.text_available;
  problems.textContent = report.text_available ? report.problems.join("; ") : "No report text was loaded for this report.";
}

function findingCard(finding, ref, sentence) {
  const ev = finding.evidence;
  const rows = [
    ["side", finding.side], ["status", finding.status], ["acuity", finding.acuity], ["occlusion", finding.occlusion],
    ["section", finding.section], ["mention", `“${ev.text}” [${ev.start}:${ev.end}]`],
    ["cue", ev.cue ? `“${ev.cue.text}” [${ev.cue.start}:${ev.cue.end}]` : null],
    ["ConText", ev.modifiers.length ? ev.modifiers.map((m) => `${m.category} “${m.text}”`).join("; ") : null],
    ["change", finding.change ? `${finding.change}${ev.change_cue ? ` “${ev.change_cue.text}” [${ev.change_cue.start}:${ev.change_cue.end}]` : ""}` : null],
  ].filter(([, value]) => value);
  return el("li", { class: `finding st-${finding.status}`, dataset: { f: ref }, tabindex: "0" },
    el("div", { class: "finding-title" }, el("span", { class: `swatch g-${finding.group}` }), finding.segment || "DVT, no segment"),
    el("dl", {}, rows.map(([name, value]) => [el("dt", {}, name), el("dd", {}, value)])),
    sentence ? el("blockquote", { class: "sentence" }, sentence) : null);
}

function renderFindings(report) {
  const record = report.record;
  $("findings").replaceChildren(...(record.findings.length
    ? record.findings.map((f, i) => findingCard(f, `f${i}`, report.sentences[i]))
    : [el("li", { class: "muted" }, "No findings.")]));
  $("superseded").replaceChildren(...record.superseded_findings.map((f, i) => findingCard(f, `s${i}`)));
  $("superseded-count").textContent = `(${record.superseded_findings.length})`;
  $("history").replaceChildren(...(report.history.length
    ? report.history.map((d) => el("li", {}, `${d.decided_at} ${d.reviewer}: ${d.action} ${d.label}${d.note ? ` — ${d.note}` : ""}`))
    : [el("li", { class: "muted" }, "No decisions yet.")]));
  const exams = report.patient_exams || [];
  $("patient-head").hidden = $("patient-exams").hidden = exams.length < 2;
  $("patient-exams").replaceChildren(...exams.map((e) => el("li", {}, e.row === report.row
    ? el("strong", {}, `${e.exam_date || "no date"} `, labelChip(e.label), " (this report)")
    : examLink(e))));
}

function examLink(exam) {
  const link = el("a", { href: `#row=${exam.row}` }, `${exam.exam_date || "no date"} `, labelChip(exam.label), ` ${sidesText(exam.side_labels)}`);
  link.addEventListener("click", (event) => { event.preventDefault(); openReport(exam.row).catch(handleError); });
  return link;
}

function setForm(label, sides) {
  state.form = { label, sides: { ...sides } };
  for (const button of $("label-buttons").children) button.setAttribute("aria-checked", String(button.dataset.label === label));
  for (const side of state.info.sides) $(`side-${side}`).value = sides[side] || "";
}

async function openReport(row, notice = null) {
  setBusy(1);
  try {
    const report = await api("GET", `/api/reports/${row}`);
    state.row = row;
    state.report = report;
    history.replaceState(null, "", `#row=${row}`);
    renderHead(report);
    $("report-text").innerHTML = report.html; // escaped server-side (pipeline/review/highlight.py)
    renderFindings(report);
    const base = report.decision || { label: report.record.label, side_labels: report.record.side_labels };
    setForm(base.label, base.side_labels || {});
    $("note").value = report.decision && report.decision.note ? report.decision.note : "";
    $("accept").disabled = !report.record.label;
    if (notice) showStatus(notice, "ok");
    else showStatus(report.decision ? `Decided: ${report.decision.label}` : "Not decided yet", "muted");
    markCurrent();
  } catch (error) {
    handleError(error);
  } finally {
    setBusy(-1);
  }
}

// ------------------------------------------------------------------ decisions

function sameAsModel() {
  const record = state.report.record;
  return state.form.label === record.label
    && state.info.sides.every((s) => (state.form.sides[s] || null) === (record.side_labels[s] || null));
}

async function decide(action) {
  if (state.row === null || state.busy) return;
  const note = $("note").value.trim() || null;
  if (action === "correct" && !state.form.label) { showStatus("Choose a report label first (1-6).", "error"); return; }
  if (action === "correct" && sameAsModel()) action = "accept";
  const body = { row: state.row, action, note };
  if (action === "correct") { body.label = state.form.label; body.side_labels = state.form.sides; }
  setBusy(1);
  try {
    const result = await api("POST", `/api/decisions?${filterQuery()}`, body);
    const saved = `Saved: ${result.saved.label} (${result.saved.action === "accept" ? "accepted" : "corrected"})`;
    await loadQueue();
    if (result.next_row !== null && result.next_row !== state.row) await openReport(result.next_row, `${saved}; next report`);
    else await openReport(state.row, `${saved}. Nothing left to decide in this view.`);
  } catch (error) {
    handleError(error);
  } finally {
    setBusy(-1);
  }
}

function step(delta) {
  const index = state.queue.findIndex((item) => item.row === state.row);
  const target = state.queue[index + delta] || (index < 0 ? state.queue[0] : null);
  if (target) openReport(target.row);
}

// ------------------------------------------------------------------ evidence hover

function lightUp(refs, on) {
  for (const ref of refs) {
    for (const node of document.querySelectorAll(`[data-f~="${ref}"]`)) node.classList.toggle("hot", on);
  }
}

function hoverHandler(on) {
  return (event) => {
    const node = event.target.closest("[data-f]");
    if (node) lightUp(node.dataset.f.split(" "), on);
  };
}

// --------------------------------------------------------------------- keyboard

const LABEL_KEYS = "123456";

function onKey(event) {
  if (document.querySelector("dialog[open]")) {
    if (event.key === "?" && $("help").open) $("help").close();
    return;
  }
  if (state.busy) { event.preventDefault(); return; }
  const typing = ["TEXTAREA", "INPUT", "SELECT"].includes(document.activeElement.tagName);
  if (typing) {
    if (event.key === "Escape") document.activeElement.blur();
    else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); decide("correct"); }
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const key = event.key;
  if (state.pendingSide && (key === "0" || LABEL_KEYS.includes(key))) {
    const side = state.pendingSide;
    state.pendingSide = null;
    state.form.sides[side] = key === "0" ? null : state.info.labels[LABEL_KEYS.indexOf(key)];
    setForm(state.form.label, state.form.sides);
    showStatus(`${side}: ${state.form.sides[side] || "not examined"}`, "muted");
    event.preventDefault();
    return;
  }
  state.pendingSide = null;
  const sideKeys = { l: "left", r: "right", u: "unspecified" };
  if (LABEL_KEYS.includes(key)) { setForm(state.info.labels[LABEL_KEYS.indexOf(key)], state.form.sides); }
  else if (sideKeys[key.toLowerCase()]) { state.pendingSide = sideKeys[key.toLowerCase()]; showStatus(`${state.pendingSide} side: press 0-6`, "muted"); }
  else if (key === "a" || key === "A") decide("accept");
  else if (key === "Enter") decide("correct");
  else if (key === "n" || key === "N") $("note").focus();
  else if (key === "j" || key === "ArrowRight") step(1);
  else if (key === "k" || key === "ArrowLeft") step(-1);
  else if (key === "?") $("help").showModal();
  else return;
  event.preventDefault();
}

// ----------------------------------------------------------------------- stats

function fmt(value) { return value === null || value === undefined ? "—" : value.toFixed(3); }

async function showStats() {
  try {
    const stats = await api("GET", "/api/stats");
    const rows = (list) => list.map((a) => el("tr", {}, el("td", {}, `${a.rater_a} vs ${a.rater_b}`), el("td", {}, a.n_reports),
      el("td", {}, fmt(a.label_agreement)), el("td", {}, fmt(a.label_kappa)), el("td", {}, fmt(a.side_kappa))));
    const head = el("tr", {}, ["raters", "reports", "agreement", "kappa (label)", "kappa (sides)"].map((h) => el("th", {}, h)));
    $("stats-body").replaceChildren(
      el("table", {}, el("tr", {}, ["reviewer", "decided", "accepted", "corrected"].map((h) => el("th", {}, h))),
        Object.entries(stats.reviewers).map(([name, c]) => el("tr", {}, el("td", {}, name), el("td", {}, c.decided), el("td", {}, c.accepted), el("td", {}, c.corrected)))),
      el("h3", {}, "Agreement"),
      el("table", {}, head, rows(stats.model_agreement), rows(stats.reviewer_agreement)));
    $("stats").showModal();
  } catch (error) {
    handleError(error);
  }
}

// ------------------------------------------------------------------------ start

function buildControls() {
  const labels = state.info.labels;
  $("label-buttons").replaceChildren(...labels.map((label, i) => el("button",
    { type: "button", role: "radio", class: `label-button l-${label}`, dataset: { label }, "aria-checked": "false", title: `${label} (${i + 1})` },
    `${i + 1} ${label}`)));
  $("label-buttons").addEventListener("click", (event) => {
    const button = event.target.closest("[data-label]");
    if (button) setForm(button.dataset.label, state.form.sides);
  });
  for (const side of state.info.sides) {
    const select = $(`side-${side}`);
    select.replaceChildren(el("option", { value: "" }, "not examined"), ...labels.map((label) => el("option", { value: label }, label)));
    select.addEventListener("change", () => { state.form.sides[side] = select.value || null; });
  }
}

async function main() {
  state.info = await api("GET", "/api/info");
  const sampled = state.info.sampling && state.info.sampling !== "all reports" ? ` (${state.info.sampling})` : "";
  $("source").textContent = visible(`${state.info.source} · ${state.info.total} reports${sampled}${state.info.gold ? ` · gold: ${state.info.gold}` : ""}`);
  buildControls();
  $("login-form").addEventListener("submit", startSession);
  $("decision").addEventListener("submit", (event) => { event.preventDefault(); decide("correct"); });
  $("accept").addEventListener("click", () => decide("accept"));
  $("prev").addEventListener("click", () => step(-1));
  $("next").addEventListener("click", () => step(1));
  $("queue").addEventListener("click", (event) => {
    const item = event.target.closest("[data-row]");
    if (item) openReport(Number(item.dataset.row));
  });
  $("queue-more").addEventListener("click", () => loadQueue(true).catch(handleError));
  for (const name of ["label", "side", "flag", "id"]) $(`filter-${name}`).addEventListener("change", () => loadQueue().catch(handleError));
  for (const pane of [$("report-text"), $("findings"), $("superseded")]) {
    pane.addEventListener("mouseover", hoverHandler(true));
    pane.addEventListener("mouseout", hoverHandler(false));
    pane.addEventListener("focusin", hoverHandler(true));
    pane.addEventListener("focusout", hoverHandler(false));
  }
  $("help-button").addEventListener("click", () => $("help").showModal());
  $("stats-button").addEventListener("click", showStats);
  document.addEventListener("keydown", onKey);
  window.addEventListener("pagehide", endSession);
  setInterval(() => { if (state.token) api("GET", "/api/next").catch(handleError); }, 30000); // keeps the hold on the app
  openLogin();
}

main().catch((error) => { document.body.prepend(el("p", { class: "error" }, `dvt review could not start: ${error.message}`)); });
