// Scenarios: run two scenarios as jobs and show their key figures side by side, with a chart.
import { api, waitForJob } from "./api.js";
import { fillScenarioSelect } from "./bottlenecks.js";
import { groupedBars, PALETTE } from "./charts.js";

async function runScenario(name, onProgress) {
  const job = await api.post(`/api/scenarios/${encodeURIComponent(name)}/run`, {});
  await waitForJob(`/api/jobs/${job.job_id}`, onProgress);
  return api.get(`/api/scenarios/jobs/${job.job_id}/result`);
}

function kpiTable(title, kpis) {
  const box = document.createElement("div");
  const h = document.createElement("h3");
  h.textContent = title;
  const table = document.createElement("table");
  table.className = "options";
  for (const k of kpis) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = k.label;
    const td = document.createElement("td");
    td.textContent = k.value === null || k.value === undefined ? "–" : Number(k.value).toLocaleString("en-US", { maximumFractionDigits: 1 });
    tr.append(th, td);
    table.append(tr);
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
      const results = [];
      for (const name of [a.value, b.value]) {
        status.textContent = `Running ${name}…`;
        results.push(await runScenario(name, (p) => { status.textContent = `Running ${name}… ${Math.round(p * 100)} %`; }));
      }
      const grid = document.createElement("div");
      grid.className = "compare";
      results.forEach((r, i) => grid.append(kpiTable([a.value, b.value][i], r.kpis)));
      const chart = document.createElement("div");
      chart.className = "chart";
      out.append(grid, chart);
      groupedBars(chart, results.map((r, i) => ({
        label: [a.value, b.value][i],
        color: PALETTE[i],
        values: Object.fromEntries(r.kpis.map((k) => [k.key, k.value])),
      })), results[0].kpis.map((k) => ({ key: k.key, label: k.short || k.label })));
      status.textContent = "Done.";
    } catch (error) {
      status.classList.add("error");
      status.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  });
}
