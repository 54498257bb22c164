// Bottlenecks: run the flows model (base or a scenario) as a job and colour facilities by utilization.
import { api, waitForJob } from "./api.js";
import { showUtilization } from "./map.js";

const TOP_ROWS = 12;

export async function fillScenarioSelect(select, { withBase }) {
  const scenarios = await api.get("/api/scenarios");
  const options = scenarios.map((s) => {
    const option = document.createElement("option");
    option.value = s.name;
    option.textContent = s.title || s.name;
    return option;
  });
  if (withBase) {
    const base = document.createElement("option");
    base.value = "";
    base.textContent = "Base network";
    options.unshift(base);
  }
  select.replaceChildren(...options);
  return scenarios;
}

export function setupBottlenecks(map) {
  const select = document.getElementById("flows-scenario");
  const button = document.getElementById("flows-button");
  const status = document.getElementById("flows-status");
  const table = document.getElementById("bottleneck-table");
  fillScenarioSelect(select, { withBase: true }).catch((e) => { status.textContent = e.message; });

  button.addEventListener("click", async () => {
    button.disabled = true;
    status.classList.remove("error");
    status.textContent = "Assigning demand…";
    try {
      const body = select.value ? { scenario: select.value } : {};
      const job = await api.post("/api/flows", body);
      await waitForJob(`/api/jobs/${job.job_id}`, (p) => { status.textContent = `Assigning demand… ${Math.round(p * 100)} %`; });
      const result = await api.get(`/api/flows/${job.job_id}/result`);
      const rows = result.bottlenecks
        .filter((r) => r.utilization !== null && r.utilization !== undefined)
        .sort((a, b) => b.utilization - a.utilization);
      showUtilization(map, rows);
      table.querySelector("tbody").replaceChildren(...rows.slice(0, TOP_ROWS).map((r) => {
        const tr = document.createElement("tr");
        for (const text of [r.name || r.facility_id, r.kind || "", `${(r.utilization * 100).toFixed(0)} %`]) {
          const td = document.createElement("td");
          td.textContent = text;
          tr.append(td);
        }
        return tr;
      }));
      table.hidden = false;
      status.textContent = `${result.year}: utilization of ${rows.length} capacitated facilities (green < 70 %, red ≥ 100 %).`;
    } catch (error) {
      status.classList.add("error");
      status.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  });
}
