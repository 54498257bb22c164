// Route planner: autocomplete, request, options table, stacked time chart, highlighted routes.
import { api } from "./api.js";
import { PALETTE, stackedBars } from "./charts.js";
import { drawRoutes } from "./map.js";

const AUTOCOMPLETE_DELAY_MS = 150;
const AUTOCOMPLETE_LIMIT = 8;
const HOURS_PER_DAY = 24;

const fmt = (value, digits = 0) => Number(value).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function autocomplete(input, list) {
  let timer = null;
  let last = "";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (query.length < 2 || query === last) return;
    timer = setTimeout(async () => {
      last = query;
      try {
        const matches = await api.get(`/api/places?q=${encodeURIComponent(query)}&limit=${AUTOCOMPLETE_LIMIT}`);
        list.replaceChildren(...matches.map((m) => {
          const option = document.createElement("option");
          option.value = m.place.name;
          option.label = [m.place.kind, m.place.country].filter(Boolean).join(" · ");
          return option;
        }));
      } catch {
        list.replaceChildren();
      }
    }, AUTOCOMPLETE_DELAY_MS);
  });
}

export function setupPlanner(map) {
  const form = document.getElementById("plan-form");
  const status = document.getElementById("plan-status");
  const button = document.getElementById("plan-button");
  const results = document.getElementById("plan-results");
  const tbody = document.querySelector("#options-table tbody");
  const chart = document.getElementById("breakdown-chart");
  let features = [];

  autocomplete(document.getElementById("origin"), document.getElementById("origin-list"));
  autocomplete(document.getElementById("destination"), document.getElementById("destination-list"));

  function select(index) {
    for (const row of tbody.rows) row.setAttribute("aria-selected", String(Number(row.dataset.index) === index));
    const shown = features.map((f) => ({
      ...f,
      properties: { ...f.properties, selected: f.properties.option === index, dimmed: index !== null && f.properties.option !== index },
    }));
    // the selected route is drawn last, on top of the others
    shown.sort((a, b) => Number(a.properties.selected) - Number(b.properties.selected));
    map.getSource("routes").setData({ type: "FeatureCollection", features: shown });
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {
      origin: data.get("origin").trim(),
      destination: data.get("destination").trim(),
      feu: Number(data.get("feu")),
      avoid: data.get("avoid").split(",").map((s) => s.trim()).filter(Boolean),
    };
    button.disabled = true;
    status.classList.remove("error");
    status.textContent = "Planning…";
    try {
      const [plan, geometry] = await Promise.all([api.post("/api/routes", body), api.post("/api/routes/geojson", body)]);
      const colors = plan.options.map((_, i) => PALETTE[i % PALETTE.length]);
      tbody.replaceChildren(...plan.options.map((option, i) => {
        const row = document.createElement("tr");
        row.dataset.index = String(i);
        row.tabIndex = 0;
        row.setAttribute("aria-selected", "false");
        const cells = [
          `<span class="swatch" style="background:${colors[i]}"></span>`,
          "", fmt(option.transit_days.p50, 1), fmt(option.transit_days.p90, 1), fmt(option.cost_usd), fmt(option.co2e_kg),
        ];
        row.innerHTML = cells.map((c) => `<td>${c}</td>`).join("");
        row.cells[1].textContent = option.label;
        row.title = option.via.join(" → ");
        row.addEventListener("click", () => select(i));
        row.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(i); } });
        return row;
      }));
      features = geometry.features.map((f) => ({ ...f, properties: { ...f.properties, color: colors[f.properties.option] } }));
      drawRoutes(map, features);
      stackedBars(chart, plan.options.map((option, i) => ({
        label: option.label.length > 16 ? `${option.label.slice(0, 15)}…` : option.label,
        color: colors[i],
        parts: Object.fromEntries(Object.entries(option.time_breakdown_h).map(([k, h]) => [k, h / HOURS_PER_DAY])),
      })));
      results.hidden = false;
      status.textContent = `${plan.options.length} options from ${plan.origin.name} to ${plan.destination.name} for ${fmt(plan.shipment.feu, 1)} FEU.`;
    } catch (error) {
      status.classList.add("error");
      status.textContent = error.message;
      results.hidden = true;
      features = [];
      drawRoutes(map, []);
    } finally {
      button.disabled = false;
    }
  });
}
