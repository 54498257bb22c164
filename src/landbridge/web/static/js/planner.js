// Route planner: every input of `landbridge route`, the query in the URL, the options table with
// Pareto marks and a whole-shipment / per-FEU toggle, option details, the time chart, exports.
import { api } from "./api.js";
import { PALETTE, stackedBars } from "./charts.js";
import { drawRoutes, setFacilityContext, setRouteClick } from "./map.js";
import { readQuery, updateQuery } from "./url.js";

const AUTOCOMPLETE_DELAY_MS = 150;
const AUTOCOMPLETE_LIMIT = 8;
const HOURS_PER_DAY = 24;
const KG_PER_T = 1000;
const LABEL_CHARS = 34;

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

// The form as a RouteRequest body (the API's and the CLI's contract) and as URL keys.
function readForm(form) {
  const v = (name) => form.elements[name].value.trim();
  const size = Number(v("size"));
  const body = { origin: v("origin"), destination: v("destination"), [v("unit") === "teu" ? "teu" : "feu"]: size,
    avoid: v("avoid").split(",").map((s) => s.trim()).filter(Boolean) };
  if (v("via")) body.via = v("via");
  if (v("corridor")) body.corridor = v("corridor");
  if (v("depart")) body.depart = v("depart");
  if (v("tonnes")) body.tonnes_per_teu = Number(v("tonnes"));
  const query = { from: body.origin, to: body.destination, via: v("via"), size: v("size"), unit: v("unit") === "teu" ? "teu" : "",
    tpt: v("tonnes"), depart: v("depart"), corridor: v("corridor"), avoid: body.avoid.join(",") };
  return { body, query };
}

function fillForm(form, q) {
  const set = (name, value) => { if (value !== undefined) form.elements[name].value = value; };
  set("origin", q.from);
  set("destination", q.to);
  set("via", q.via);
  set("size", q.size);
  set("unit", q.unit === "teu" ? "teu" : q.unit === undefined ? undefined : "feu");
  set("tonnes", q.tpt);
  set("depart", q.depart);
  set("corridor", q.corridor);
  set("avoid", q.avoid);
}

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const csvCell = (v) => {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

// One row per option; the same figures as the table, whole shipment and per FEU side by side.
export function optionRows(plan) {
  const feu = plan.shipment.feu;
  return plan.options.map((o, i) => ({
    rank: i + 1, option: o.label, corridor: o.corridor, pareto: o.pareto,
    transit_p10_d: o.transit_days.p10 ?? "", transit_p50_d: o.transit_days.p50, transit_p90_d: o.transit_days.p90,
    cost_usd: Math.round(o.cost_usd * 100) / 100, cost_usd_per_feu: Math.round((o.cost_usd / feu) * 100) / 100,
    co2e_t: Math.round((o.co2e_kg / KG_PER_T) * 1000) / 1000, co2e_t_per_feu: Math.round((o.co2e_kg / KG_PER_T / feu) * 1000) / 1000,
    distance_km: o.distance_km.total, countries: o.countries.join("-"), via: o.via.join(" > "),
    origin: plan.origin.name, destination: plan.destination.name, feu, depart: plan.depart ?? "", as_of: plan.as_of ?? "",
  }));
}

function toCsv(rows) {
  const columns = Object.keys(rows[0] || {});
  return [columns.join(","), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(","))].join("\n") + "\n";
}

function slug(text) {
  return String(text).normalize("NFKD").replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase() || "route";
}

function dl(parent, pairs) {
  const list = document.createElement("dl");
  for (const [k, v] of pairs) {
    if (v === null || v === undefined || v === "") continue;
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    list.append(dt, dd);
  }
  parent.append(list);
}

function bulletList(parent, title, items, className) {
  if (!items.length) return;
  const head = document.createElement("div");
  head.textContent = title;
  const ul = document.createElement("ul");
  for (const item of items) {
    const li = document.createElement("li");
    li.textContent = item;
    if (className) li.className = className;
    ul.append(li);
  }
  parent.append(head, ul);
}

const eventText = (e) => `${e.title} (${e.where}${e.reached ? `, reached ${e.reached}` : ""})${e.effect ? `: ${e.effect}` : ""}`;
const riskText = (r) => `${r.title || r.kind.replaceAll("_", " ")} (${r.where}${r.since ? `, since ${r.since}` : ""})`;

function renderDetails(box, plan, index, perFeu) {
  const o = plan.options[index];
  const feu = plan.shipment.feu;
  box.replaceChildren();
  const h = document.createElement("h3");
  h.textContent = `${o.pareto ? "★ " : ""}${o.label}`;
  box.append(h);
  const days = o.transit_days;
  const stops = o.legs.filter((g) => ["transfer", "border", "port"].includes(g.mode));
  const waits = [...new Set(stops.map((g) => `${g.from_ ?? g.from} (${fmt(g.hours, 1)} h)`))];
  dl(box, [
    ["Corridor", o.corridor],
    ["Days", `${days.p10 !== undefined ? `p10 ${fmt(days.p10, 1)} · ` : ""}p50 ${fmt(days.p50, 1)} · p90 ${fmt(days.p90, 1)}`],
    ["Scope", o.scope],
    ["Published", o.published ? `${fmt(o.published.low_days, 0)}–${fmt(o.published.high_days, 0)} d (${o.published.source}, ${o.published.year})` : null],
    ["Arrival", o.arrival ? `p50 ${o.arrival.p50}, p90 ${o.arrival.p90}` : null],
    ["Distance", `${fmt(o.distance_km.total)} km (rail ${fmt(o.distance_km.rail)}, sea ${fmt(o.distance_km.sea)})`],
    ["Cost", perFeu ? `${fmt(o.cost_usd / feu)} USD/FEU (${fmt(o.cost_usd)} USD in all)` : `${fmt(o.cost_usd)} USD (${fmt(o.cost_usd / feu)} USD/FEU)`],
    ["CO2e", perFeu ? `${fmt(o.co2e_kg / KG_PER_T / feu, 2)} t/FEU (${fmt(o.co2e_kg / KG_PER_T, 1)} t in all)` : `${fmt(o.co2e_kg / KG_PER_T, 1)} t (${fmt(o.co2e_kg / KG_PER_T / feu, 2)} t/FEU)`],
    ["Countries", o.countries.join(" → ")],
    ["Via", o.via.join(" → ")],
    ["Closed", o.closed ? "an open-ended closure lies on this route: it cannot be booked" : null],
  ]);
  bulletList(box, "Borders, gauge changes and ports:", waits);
  bulletList(box, "Events on the way:", (o.events || []).map(eventText), "risk");
  bulletList(box, "Risks:", (o.risks || []).map(riskText), "risk");
  box.hidden = false;
}

export function setupPlanner(map) {
  const form = document.getElementById("plan-form");
  const status = document.getElementById("plan-status");
  const button = document.getElementById("plan-button");
  const results = document.getElementById("plan-results");
  const tbody = document.querySelector("#options-table tbody");
  const chart = document.getElementById("breakdown-chart");
  const details = document.getElementById("option-details");
  const costHead = document.getElementById("cost-head");
  const co2Head = document.getElementById("co2-head");
  let features = [];
  let plan = null;
  let selected = null;

  autocomplete(form.elements.origin, document.getElementById("origin-list"));
  autocomplete(form.elements.destination, document.getElementById("destination-list"));
  autocomplete(form.elements.via, document.getElementById("via-list"));

  const perFeu = () => form.ownerDocument.querySelector('input[name="per"]:checked').value === "feu";

  function renderTable() {
    const feu = plan.shipment.feu;
    const per = perFeu();
    costHead.textContent = per ? "USD/FEU" : "USD";
    co2Head.textContent = per ? "t CO2e/FEU" : "t CO2e";
    for (const row of tbody.rows) {
      const o = plan.options[Number(row.dataset.index)];
      row.cells[4].textContent = fmt(per ? o.cost_usd / feu : o.cost_usd);
      row.cells[5].textContent = fmt(o.co2e_kg / KG_PER_T / (per ? feu : 1), per ? 2 : 1);
    }
  }

  function select(index, { scroll = false } = {}) {
    selected = index;
    for (const row of tbody.rows) row.setAttribute("aria-selected", String(Number(row.dataset.index) === index));
    const shown = features.map((f) => ({
      ...f,
      properties: { ...f.properties, selected: f.properties.option === index, dimmed: index !== null && f.properties.option !== index },
    }));
    // the selected route is drawn last, on top of the others
    shown.sort((a, b) => Number(a.properties.selected) - Number(b.properties.selected));
    map.getSource("routes").setData({ type: "FeatureCollection", features: shown });
    if (index === null) {
      details.hidden = true;
    } else {
      renderDetails(details, plan, index, perFeu());
      if (scroll) tbody.rows[index]?.scrollIntoView({ block: "nearest" });
    }
    updateQuery({ opt: index === null ? null : index + 1 });
  }

  setRouteClick((option) => select(option, { scroll: true }));
  // a facility's popup lists the events and risks of the current answer that touch it
  setFacilityContext((p) => {
    if (!plan) return [];
    const hit = (where) => where === p.name || where === p.facility_id;
    const notes = plan.options.flatMap((o) => [
      ...(o.events || []).filter((e) => hit(e.where)).map(eventText),
      ...(o.risks || []).filter((r) => hit(r.where)).map(riskText),
    ]);
    return [...new Set(notes)];
  });

  for (const radio of document.querySelectorAll('input[name="per"]')) {
    radio.addEventListener("change", () => {
      if (!plan) return;
      renderTable();
      if (selected !== null) renderDetails(details, plan, selected, perFeu());
      updateQuery({ per: perFeu() ? "feu" : null });
    });
  }

  document.getElementById("export-csv").addEventListener("click", () => {
    if (plan) download(`landbridge-${slug(plan.origin.name)}-${slug(plan.destination.name)}.csv`, "text/csv", toCsv(optionRows(plan)));
  });
  document.getElementById("export-geojson").addEventListener("click", () => {
    if (!plan) return;
    const rows = optionRows(plan);
    const collection = {
      type: "FeatureCollection",
      name: `landbridge ${plan.origin.name} to ${plan.destination.name}`,
      features: features.map((f) => ({ type: "Feature", geometry: f.geometry, properties: rows[f.properties.option] })),
    };
    download(`landbridge-${slug(plan.origin.name)}-${slug(plan.destination.name)}.geojson`, "application/geo+json", JSON.stringify(collection));
  });

  async function run({ restoreOption = null } = {}) {
    const { body, query } = readForm(form);
    updateQuery({ ...query, opt: null });
    button.disabled = true;
    status.classList.remove("error");
    status.textContent = "Planning…";
    try {
      const [answer, geometry] = await Promise.all([api.post("/api/routes", body), api.post("/api/routes/geojson", body)]);
      plan = answer;
      const colors = plan.options.map((_, i) => PALETTE[i % PALETTE.length]);
      tbody.replaceChildren(...plan.options.map((option, i) => {
        const row = document.createElement("tr");
        row.dataset.index = String(i);
        row.tabIndex = 0;
        row.setAttribute("aria-selected", "false");
        for (let c = 0; c < 6; c += 1) row.insertCell();
        const star = option.pareto ? '<span class="star" title="Pareto-optimal" aria-label="Pareto-optimal">★</span> ' : "";
        row.cells[0].innerHTML = `${star}<span class="swatch" style="background:${colors[i]}"></span>`;
        row.cells[1].textContent = option.label;
        const flags = [...(option.events || []).map(eventText), ...(option.risks || []).map(riskText)];
        if (option.closed || flags.length) {
          const mark = document.createElement("span");
          mark.className = "risk";
          mark.textContent = option.closed ? " (closed)" : " ⚠";
          mark.title = flags.join("\n");
          mark.setAttribute("aria-label", option.closed ? "closed" : `${flags.length} events or risks`);
          row.cells[1].append(mark);
        }
        row.cells[2].textContent = fmt(option.transit_days.p50, 1);
        row.cells[3].textContent = fmt(option.transit_days.p90, 1);
        const pub = option.published;
        row.title = `${option.via.join(" → ")}\np10 ${fmt(option.transit_days.p10, 1)} d; days cover: ${option.scope}`
          + (pub ? `\npublished ${pub.low_days}${pub.high_days > pub.low_days ? `–${pub.high_days}` : ""} d (${pub.scope}, ${pub.year}): ${pub.source}` : "");
        row.addEventListener("click", () => select(i));
        row.addEventListener("keydown", (e) => {
          if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(i); }
          const step = { ArrowDown: 1, ArrowUp: -1 }[e.key];
          if (step) { e.preventDefault(); tbody.rows[Math.min(Math.max(i + step, 0), tbody.rows.length - 1)].focus(); }
        });
        return row;
      }));
      renderTable();
      features = geometry.features.map((f) => ({ ...f, properties: { ...f.properties, color: colors[f.properties.option] } }));
      drawRoutes(map, features);
      stackedBars(chart, plan.options.map((option) => ({
        label: option.label.length > LABEL_CHARS ? `${option.label.slice(0, LABEL_CHARS - 1)}…` : option.label,
        total: option.transit_days.p50,
        parts: Object.fromEntries(Object.entries(option.time_breakdown_h).map(([k, h]) => [k, h / HOURS_PER_DAY])),
      })));
      document.getElementById("chart-caption").textContent = "Time by activity: each bar is the option's p50 door-to-door days "
        + "(as in the table), split in proportion to the median of each activity. The medians of the parts do not add up "
        + "to the median of the total: long waits at different places rarely happen to the same train.";
      results.hidden = false;
      const s = plan.shipment;
      status.textContent = `${plan.options.length} options from ${plan.origin.name} to ${plan.destination.name} for ${fmt(s.feu, 1)} FEU (${fmt(s.teu, 1)} TEU, ${fmt(s.tonnes)} t).`;
      selected = null;
      details.hidden = true;
      if (restoreOption !== null && restoreOption >= 0 && restoreOption < plan.options.length) select(restoreOption);
      // on a phone the panel sits under the map: bring the answer into view there
      if (window.matchMedia("(max-width: 760px)").matches) results.scrollIntoView({ block: "start" });
    } catch (error) {
      status.classList.add("error");
      status.textContent = error.message;
      results.hidden = true;
      plan = null;
      features = [];
      drawRoutes(map, []);
    } finally {
      button.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });

  const q = readQuery();
  fillForm(form, q);
  if (q.per === "feu") document.querySelector('input[name="per"][value="feu"]').checked = true;
  if (q.from && q.to) run({ restoreOption: q.opt ? Number(q.opt) - 1 : null });
}
