// Scenarios: run two bundled scenarios as jobs (each run is stored), then compare the stored runs:
// the best option per origin–destination in both, what changed, and a chart of p50 days.
import { api, waitForJob } from "./api.js";
import { fillScenarioSelect, progressReporter } from "./bottlenecks.js";
import { pairedBars, PALETTE } from "./charts.js";
import { readQuery, updateQuery } from "./url.js";

const HOURS_PER_DAY = 24;
const CHANGED_ROWS = 25;
const STATUS_TEXT = { changed: "changed", "only in A": "only in A", "only in B": "only in B" };

const days = (h) => (h === null || h === undefined ? null : h / HOURS_PER_DAY);
const num = (v, digits = 1) => (v === null || v === undefined || Number.isNaN(v) ? "–" : Number(v).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const signed = (v, digits = 1) => (v === null || v === undefined || Number.isNaN(v) ? "–" : `${v > 0 ? "+" : ""}${num(v, digits)}`);

// rows of cells; a cell is text, a Node, or [main, note] (a second, smaller line). Columns after
// ``textColumns`` are figures (right-aligned).
function table(caption, headers, rows, textColumns = 1) {
  const wrap = document.createElement("div");
  wrap.className = "tablewrap";
  const t = document.createElement("table");
  t.className = "options compare";
  t.createCaption().textContent = caption;
  const head = t.createTHead().insertRow();
  headers.forEach((text, i) => {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = text;
    if (i >= textColumns) th.className = "num";
    head.append(th);
  });
  const body = t.createTBody();
  for (const cells of rows) {
    const tr = body.insertRow();
    cells.forEach((cell, i) => {
      const td = tr.insertCell();
      if (i >= textColumns) td.className = "num";
      if (Array.isArray(cell)) {
        td.append(cell[0]);
        const note = document.createElement("div");
        note.className = "note";
        note.textContent = cell[1];
        td.append(note);
      } else if (cell instanceof Node) td.append(cell);
      else td.textContent = cell;
    });
  }
  wrap.append(t);
  return wrap;
}

function delta(value, digits) {
  const span = document.createElement("span");
  span.textContent = signed(value, digits);
  if (value > 0) span.className = "worse";
  else if (value < 0) span.className = "better";
  return span;
}

function badge(status) {
  const span = document.createElement("span");
  span.className = `badge ${status === "changed" ? "changed" : "only"}`;
  span.textContent = STATUS_TEXT[status] || status;
  return span;
}

async function runScenario(name, onProgress) {
  const job = await api.post(`/api/scenarios/${encodeURIComponent(name)}/run`, { flows: false, simulate: false });
  await waitForJob(`/api/jobs/${job.job_id}`, onProgress);
  return api.get(`/api/scenarios/jobs/${job.job_id}/result`);
}

export function renderComparison(out, cmp, titles) {
  const label = (side) => titles[cmp[side]] || cmp[side];
  out.replaceChildren();
  const head = document.createElement("p");
  head.className = "compare-head";
  head.textContent = `A: ${label("a")} · B: ${label("b")}`;
  out.append(head);

  const best = (r) => (r.best_a === r.best_b ? `best: ${r.best_a}` : `best: ${r.best_a} → ${r.best_b}`);
  out.append(table("Best option per origin–destination: p50 days in A and B",
    ["Origin → destination", "A d", "B d", "Δ d"],
    cmp.best.map((r) => [[r.od, best(r)], num(days(r.transit_p50_h_a)), num(days(r.transit_p50_h_b)),
      delta(days(r.d_transit_p50_h), 1)])));

  const changed = cmp.routes.filter((r) => r.status !== "same")
    // options in both runs first, largest change in days first; then those in one run only
    .sort((x, y) => Math.abs(y.d_transit_p50_h ?? -1) - Math.abs(x.d_transit_p50_h ?? -1));
  if (changed.length) {
    out.append(table(`What changed from A to B: ${changed.length} of ${cmp.routes.length} route options`
      + (changed.length > CHANGED_ROWS ? ` (largest ${CHANGED_ROWS} shown)` : "") + "; USD and kg CO2e per FEU",
    ["Option", "Status", "Δ d", "Δ USD", "Δ kg CO2e"],
    changed.slice(0, CHANGED_ROWS).map((r) => [[r.label, r.od], badge(r.status), delta(days(r.d_transit_p50_h), 1),
      delta(r.d_cost_usd_per_feu, 0), delta(r.d_co2e_kg_per_feu, 0)]), 2));
  } else {
    const same = document.createElement("p");
    same.className = "status";
    same.textContent = `What changed from A to B: nothing; all ${cmp.routes.length} route options are the same.`;
    out.append(same);
  }
  const flows = (cmp.flows || []).filter((r) => r.d_utilization !== null && r.d_utilization !== undefined && Math.abs(r.d_utilization) > 1e-9);
  if (flows.length) {
    out.append(table("Utilization that changed", ["Facility", "A %", "B %", "Δ points"],
      flows.map((r) => [r.name || r.facility_id, num(r.utilization_a * 100, 0), num(r.utilization_b * 100, 0),
        delta(r.d_utilization * 100, 0)])));
  }

  const figure = document.createElement("figure");
  const caption = document.createElement("figcaption");
  caption.textContent = "p50 days of the best option per origin–destination, A against B";
  const chart = document.createElement("div");
  chart.className = "chart";
  figure.append(caption, chart);
  out.append(figure);
  pairedBars(chart, cmp.best.map((r) => ({ label: r.od, a: days(r.transit_p50_h_a), b: days(r.transit_p50_h_b) })),
    { labelA: `A: ${label("a")}`, labelB: `B: ${label("b")}`, colors: PALETTE });
}

export function setupScenarios() {
  const a = document.getElementById("scenario-a");
  const b = document.getElementById("scenario-b");
  const button = document.getElementById("compare-button");
  const status = document.getElementById("scenario-status");
  const out = document.getElementById("compare-results");
  const wrap = document.getElementById("scenario-progress");
  const bar = document.getElementById("scenario-bar");
  let titles = {};
  Promise.all([fillScenarioSelect(a, { withBase: false }), fillScenarioSelect(b, { withBase: false })])
    .then(([list]) => {
      titles = Object.fromEntries(list.map((s) => [s.name, s.title || s.name]));
      const q = readQuery();
      if (list.length > 1) b.value = list[1].name;
      if (q.a && titles[q.a]) a.value = q.a;
      if (q.b && titles[q.b]) b.value = q.b;
    })
    .then(() => {
      // a shared link to a comparison of two stored runs shows it without running them again
      const q = readQuery();
      if (q.ra && q.rb) return showStored(q.ra, q.rb);
      return null;
    })
    .catch((e) => { status.classList.add("error"); status.textContent = e.message; });

  async function showStored(runA, runB) {
    const cmp = await api.get(`/api/runs/compare?a=${encodeURIComponent(runA)}&b=${encodeURIComponent(runB)}`);
    renderComparison(out, cmp, titles);
    updateQuery({ ra: runA, rb: runB });
    return cmp;
  }

  for (const [select, key] of [[a, "a"], [b, "b"]]) {
    select.addEventListener("change", () => updateQuery({ [key]: select.value }));
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    status.classList.remove("error");
    out.replaceChildren();
    try {
      const runs = [];
      for (const select of [a, b]) {
        const name = select.value;
        runs.push(await runScenario(name, progressReporter(wrap, bar, status, `Running ${titles[name] || name}`)));
      }
      const cmp = await showStored(runs[0].run_id, runs[1].run_id);
      const changed = cmp.routes.filter((r) => r.status !== "same").length;
      status.textContent = `Runs ${runs[0].run_id} and ${runs[1].run_id} stored; ${changed} route options changed.`;
    } catch (error) {
      status.classList.add("error");
      status.textContent = error.message;
    } finally {
      button.disabled = false;
      wrap.hidden = true;
    }
  });
}
