// Scenarios: run two bundled scenarios as jobs (each run is stored), then compare the stored runs
// side by side: the best option per origin–destination and a chart of its p50 days.
import { api, waitForJob } from "./api.js";
import { fillScenarioSelect } from "./bottlenecks.js";
import { groupedBars, PALETTE } from "./charts.js";

const HOURS_PER_DAY = 24;
const OD_LABEL_CHARS = 14;

async function runScenario(name, onProgress) {
  const job = await api.post(`/api/scenarios/${encodeURIComponent(name)}/run`, { flows: false, simulate: false });
  await waitForJob(`/api/jobs/${job.job_id}`, onProgress);
  return api.get(`/api/scenarios/jobs/${job.job_id}/result`);
}

function bestTable(title, rows, side) {
  const box = document.createElement("div");
  const h = document.createElement("h3");
  h.textContent = title;
  const table = document.createElement("table");
  table.className = "options";
  const head = table.createTHead().insertRow();
  for (const text of ["Origin → destination", "Best option", "p50 d"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = text;
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    const hours = row[`transit_p50_h_${side}`];
    for (const text of [row.od, row[`best_${side}`] ?? "–", hours == null ? "–" : (hours / HOURS_PER_DAY).toFixed(1)]) {
      tr.insertCell().textContent = text;
    }
  }
  box.append(h, table);
  return box;
}

export function setupScenarios() {
  const a = document.getElementById("scenario-a");
  const b = document.getElementById("scenario-b");
  const button = document.getElementById("compare-button");
  const status = document.getElementById("scenario-status");
  const out = document.getElementById("compare-results");
  Promise.all([fillScenarioSelect(a, { withBase: false }), fillScenarioSelect(b, { withBase: false })])
    .then(([list]) => { if (list.length > 1) b.value = list[1].name; })
    .catch((e) => { status.textContent = e.message; });

  button.addEventListener("click", async () => {
    button.disabled = true;
    status.classList.remove("error");
    out.replaceChildren();
    try {
      const names = [a.value, b.value];
      const runs = [];
      for (const name of names) {
        runs.push(await runScenario(name, (p) => { status.textContent = `Running ${name}… ${Math.round(p * 100)} %`; }));
      }
      const cmp = await api.get(`/api/runs/compare?a=${encodeURIComponent(runs[0].run_id)}&b=${encodeURIComponent(runs[1].run_id)}`);
      const grid = document.createElement("div");
      grid.className = "compare";
      grid.append(bestTable(`A: ${cmp.a}`, cmp.best, "a"), bestTable(`B: ${cmp.b}`, cmp.best, "b"));
      const caption = document.createElement("p");
      caption.className = "status";
      caption.textContent = "p50 days of the best option per origin–destination (A vs B)";
      const chart = document.createElement("div");
      chart.className = "chart";
      out.append(grid, caption, chart);
      groupedBars(chart, ["a", "b"].map((side, i) => ({
        label: `${side.toUpperCase()}: ${cmp[side]}`,
        color: PALETTE[i],
        values: Object.fromEntries(cmp.best.map((r) => [r.od, r[`transit_p50_h_${side}`] / HOURS_PER_DAY])),
      })), cmp.best.map((r) => ({ key: r.od, label: r.od.length > OD_LABEL_CHARS ? `${r.od.slice(0, OD_LABEL_CHARS - 1)}…` : r.od })));
      const changed = cmp.routes.filter((r) => r.status !== "same").length;
      status.textContent = `Runs ${runs[0].run_id} and ${runs[1].run_id} stored; ${changed} route options changed.`;
    } catch (error) {
      status.classList.add("error");
      status.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  });
}
