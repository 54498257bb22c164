// Bottlenecks: run the flows model (base or a scenario) as a job with its real progress, colour
// facilities by utilization on their own scale, and list the most loaded ones.
import { api, waitForJob } from "./api.js";
import { facilityFeature, facilityPopup, renderUtilizationLegend, showUtilization } from "./map.js";

const TOP_ROWS = 12;
const KIND_NAMES = { crossing: "crossing", gauge_change: "gauge change", port: "port", ferry: "ferry",
  feeder: "feeder", ocean: "ocean", section: "line section" };

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

// Show a job's progress: a determinate bar once the job reports a fraction, indeterminate before.
export function progressReporter(wrap, bar, status, verb) {
  const started = Date.now();
  return (fraction, state) => {
    window.landbridge.progress?.push(fraction);
    wrap.hidden = false;
    if (fraction > 0) bar.value = fraction;
    else bar.removeAttribute("value");
    const seconds = Math.round((Date.now() - started) / 1000);
    status.textContent = state === "queued" ? `${verb}: queued…`
      : `${verb}… ${Math.round(fraction * 100)} % (${seconds} s)`;
  };
}

export function setupBottlenecks(map) {
  const select = document.getElementById("flows-scenario");
  const button = document.getElementById("flows-button");
  const status = document.getElementById("flows-status");
  const table = document.getElementById("bottleneck-table");
  const wrap = document.getElementById("flows-progress");
  const bar = document.getElementById("flows-bar");
  fillScenarioSelect(select, { withBase: true }).catch((e) => { status.textContent = e.message; });

  button.addEventListener("click", async () => {
    button.disabled = true;
    status.classList.remove("error");
    const report = progressReporter(wrap, bar, status, "Assigning demand");
    report(0, "queued");
    try {
      const body = select.value ? { scenario: select.value } : {};
      const job = await api.post("/api/flows", body);
      await waitForJob(`/api/jobs/${job.job_id}`, report);
      bar.value = 1;
      const result = await api.get(`/api/flows/${job.job_id}/result`);
      const rows = result.bottlenecks
        .filter((r) => r.utilization !== null && r.utilization !== undefined)
        .sort((a, b) => b.utilization - a.utilization);
      showUtilization(map, rows);
      renderUtilizationLegend(document.getElementById("util-legend"));
      table.querySelector("tbody").replaceChildren(...rows.slice(0, TOP_ROWS).map((r) => {
        const tr = document.createElement("tr");
        tr.tabIndex = 0;
        for (const text of [r.name || r.facility_id, KIND_NAMES[r.kind] || r.kind || "", `${(r.utilization * 100).toFixed(0)} %`]) {
          tr.insertCell().textContent = text;
        }
        const show = () => {
          const feature = facilityFeature(map, r.facility_id);
          if (!feature) return;
          const [lon, lat] = feature.geometry.coordinates;
          map.easeTo({ center: [lon, lat], duration: 0 });
          facilityPopup(map, feature, { lng: lon, lat });
        };
        tr.addEventListener("click", show);
        tr.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); show(); } });
        return tr;
      }));
      table.hidden = false;
      status.textContent = `${result.year}: utilization of ${rows.length} capacitated facilities; colours on the map follow the utilization scale in the legend.`;
    } catch (error) {
      status.classList.add("error");
      status.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  });
}
