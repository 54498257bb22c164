// The MapLibre map: offline style (Natural Earth countries from the API), network layers, routes,
// facility details on click, and the utilization colour scale.
/* global maplibregl */
import { api } from "./api.js";

export const GAUGE_COLORS = { 1435: "#2b6cb0", 1520: "#c05621" };
const OTHER_GAUGE = "#718096";
// Utilization (flow ÷ capacity): a sequential yellow→dark-red scale used for nothing else on the
// map; facility kinds use slate, teal and purple, so red only ever means "loaded".
export const UTIL_STOPS = [[0, "#ffffcc"], [0.5, "#fed976"], [0.7, "#fd8d3c"], [0.9, "#e31a1c"], [1.0, "#800026"]];
const UTIL_COLORS = ["interpolate", ["linear"], ["coalesce", ["feature-state", "utilization"], 0],
  ...UTIL_STOPS.flat()];

const FACILITY_LAYERS = [
  { id: "crossings", label: "Border crossings", color: "#4a5568", radius: 3 },
  { id: "ports", label: "Ports", color: "#0f766e", radius: 4.5 },
  { id: "yards", label: "Gauge-change yards", color: "#6b46c1", radius: 5.5 },
];
const KIND_NAMES = { crossing: "border crossing", gauge_change: "gauge-change yard", port: "port",
  ferry: "ferry", feeder: "feeder", ocean: "ocean leg", section: "line section" };

// What the planner knows about the current answer, for facility popups (events, risks).
let facilityContext = () => [];
export function setFacilityContext(fn) { facilityContext = fn; }
let onRouteClick = () => {};
export function setRouteClick(fn) { onRouteClick = fn; }

let sourcesPromise = null;
function sources() {
  sourcesPromise ??= api.get("/api/sources")
    .then((rows) => Object.fromEntries(rows.map((r) => [r.source_id, r])))
    .catch(() => ({}));
  return sourcesPromise;
}

function style() {
  return {
    version: 8,
    sources: { countries: { type: "geojson", data: "/api/basemap" } },
    layers: [
      { id: "sea", type: "background", paint: { "background-color": "#dfe9f3" } },
      { id: "land", type: "fill", source: "countries", paint: { "fill-color": "#f7f5ef" } },
      { id: "borders", type: "line", source: "countries", paint: { "line-color": "#b8b2a3", "line-width": 0.6 } },
    ],
  };
}

export function createMap(container) {
  const map = new maplibregl.Map({
    container,
    style: style(),
    bounds: [[0, 22], [125, 60]],
    attributionControl: false,
    maxZoom: 10,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "bottom-left");
  map.addControl(new maplibregl.ScaleControl(), "bottom-left");
  return map;
}

export function addNetworkLayers(map) {
  map.addSource("rail", { type: "geojson", data: "/api/layers/rail" });
  map.addLayer({
    id: "rail", type: "line", source: "rail",
    paint: {
      "line-color": ["match", ["get", "gauge_mm"], 1435, GAUGE_COLORS[1435], 1520, GAUGE_COLORS[1520], OTHER_GAUGE],
      "line-width": ["interpolate", ["linear"], ["zoom"], 2, 0.7, 8, 2.2],
      "line-opacity": 0.75,
    },
  });
  map.addSource("sea", { type: "geojson", data: "/api/layers/sea" });
  map.addLayer({
    id: "sea-lines", type: "line", source: "sea",
    paint: { "line-color": "#1a365d", "line-width": 1.4, "line-dasharray": [2, 2],
      "line-opacity": ["match", ["get", "kind"], "ocean", 0.35, 0.85] },
  });
  map.addSource("routes", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  map.addLayer({
    id: "route-casing", type: "line", source: "routes",
    layout: { "line-join": "round", "line-cap": "round" },
    paint: { "line-color": "#ffffff", "line-width": ["case", ["boolean", ["get", "selected"], false], 9, 6] },
  });
  map.addLayer({
    id: "route-lines", type: "line", source: "routes",
    layout: { "line-join": "round", "line-cap": "round" },
    paint: {
      "line-color": ["get", "color"],
      "line-width": ["case", ["boolean", ["get", "selected"], false], 6, 3.5],
      "line-opacity": ["case", ["boolean", ["get", "dimmed"], false], 0.35, 0.95],
    },
  });
  map.on("click", "route-lines", (e) => onRouteClick(e.features[0].properties.option, e.lngLat));
  hoverPointer(map, "route-lines");
  for (const f of FACILITY_LAYERS) {
    map.addSource(f.id, { type: "geojson", data: `/api/layers/${f.id}`, promoteId: "facility_id" });
    const flows = ["boolean", ["feature-state", "flows"], false];
    const shown = ["boolean", ["feature-state", "shown"], false];
    map.addLayer({
      id: f.id, type: "circle", source: f.id,
      paint: {
        // grow with zoom; at continental zoom the hundreds of EU crossings stay small; a facility
        // with a utilization is drawn larger so its colour reads
        "circle-radius": ["interpolate", ["linear"], ["zoom"],
          3, ["case", flows, f.radius * 1.8, f.radius], 7, ["case", flows, f.radius * 3.2, f.radius * 1.8]],
        "circle-color": ["case", flows, UTIL_COLORS, f.color],
        "circle-opacity": ["case", ["all", shown, ["!", flows]], 0.25, 1],
        "circle-stroke-color": "#1a202c",
        "circle-stroke-width": ["case", flows, 1.2, 0.8],
        "circle-stroke-opacity": ["case", ["all", shown, ["!", flows]], 0.25, 1],
      },
    });
    map.on("click", f.id, (e) => facilityPopup(map, e.features[0], e.lngLat));
    hoverPointer(map, f.id);
  }
  map.on("click", "sea-lines", (e) => facilityPopup(map, e.features[0], e.lngLat));
}

function hoverPointer(map, layer) {
  map.on("mouseenter", layer, () => { map.getCanvas().style.cursor = "pointer"; });
  map.on("mouseleave", layer, () => { map.getCanvas().style.cursor = ""; });
}

const num = (v, digits = 0) => Number(v).toLocaleString("en-US", { maximumFractionDigits: digits });
const present = (v) => v !== undefined && v !== null && v !== "null" && v !== "" && !Number.isNaN(v);

function line(parent, tag, text, className) {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  parent.append(node);
  return node;
}

// Details of a facility: dwell, capacity, utilization, the events and risks of the current answer
// that touch it, and its sources with titles.
export async function facilityPopup(map, feature, lngLat) {
  const p = feature.properties;
  const state = feature.id !== undefined ? map.getFeatureState({ source: feature.source, id: feature.id }) : {};
  const box = document.createElement("div");
  box.className = "facility-details";
  line(box, "strong", p.name);
  const rows = [
    ["Kind", KIND_NAMES[p.kind] || p.kind],
    ["Countries", p.countries],
    ["Dwell p50 / p90", present(p.dwell_p50_h) ? `${num(p.dwell_p50_h, 1)} / ${num(p.dwell_p90_h, 1)} h` : null],
    ["Capacity", [present(p.capacity_trains_per_day) ? `${num(p.capacity_trains_per_day)} trains/day` : null,
      present(p.capacity_t_per_yr) ? `${num(p.capacity_t_per_yr / 1e6, 1)} Mt/yr` : null].filter(Boolean).join(", ") || null],
    ["Servers", present(p.servers) ? num(p.servers) : null],
    ["Handling", present(p.cost_usd_per_feu) ? `${num(p.cost_usd_per_feu)} USD/FEU` : null],
    ["Utilization", state.utilization !== undefined ? `${num(state.utilization * 100)} %` : null],
  ];
  const dl = document.createElement("dl");
  for (const [k, v] of rows) {
    if (!present(v)) continue;
    line(dl, "dt", k);
    line(dl, "dd", v);
  }
  box.append(dl);
  const notes = facilityContext(p);
  if (notes.length) {
    line(box, "div", "Events and risks on the current routes:");
    const ul = document.createElement("ul");
    for (const n of notes) line(ul, "li", n, "risk");
    box.append(ul);
  }
  const ids = String(p.source_ids || "").split(";").map((s) => s.trim()).filter(Boolean);
  const popup = new maplibregl.Popup({ maxWidth: "18rem" }).setLngLat(lngLat).setDOMContent(box).addTo(map);
  // events of the events table in force or announced today at this facility
  const events = await api.get(`/api/events?where=${encodeURIComponent(p.facility_id)}`).catch(() => []);
  if (events.length) {
    line(box, "div", "Events:");
    const ul = document.createElement("ul");
    for (const { event, status } of events) {
      const span = event.start ? (event.end ? `${event.start} to ${event.end}` : `from ${event.start}`) : "date not announced";
      line(ul, "li", `${event.title} (${status.replace("_", " ")}, ${span})`, "risk");
    }
    box.append(ul);
  }
  if (ids.length) {
    const rowsById = await sources();
    line(box, "div", "Sources:");
    const ul = document.createElement("ul");
    for (const id of ids) {
      const s = rowsById[id];
      line(ul, "li", s ? `${s.title}${s.publisher ? `, ${s.publisher}` : ""}${s.year ? ` (${s.year})` : ""}` : id);
    }
    box.append(ul);
  }
  return popup;
}

export function renderLegend(container, map) {
  const items = [
    { layer: "rail", html: `<span class="key" style="background:${GAUGE_COLORS[1435]}"></span>1435 mm standard gauge` },
    { layer: null, html: `<span class="key" style="background:${GAUGE_COLORS[1520]}"></span>1520 mm broad gauge` },
    { layer: "sea-lines", html: `<span class="key" style="background:repeating-linear-gradient(90deg,#1a365d 0 4px,transparent 4px 8px)"></span>Ferries and sea legs` },
    ...FACILITY_LAYERS.map((f) => ({ layer: f.id, html: `<span class="dot" style="background:${f.color}"></span>${f.label}` })),
  ];
  container.replaceChildren();
  for (const item of items) {
    const label = document.createElement("label");
    if (item.layer) {
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = true;
      box.setAttribute("aria-label", `Show ${item.layer}`);
      box.addEventListener("change", () => map.setLayoutProperty(item.layer, "visibility", box.checked ? "visible" : "none"));
      label.append(box);
    } else {
      label.style.paddingLeft = "1.3rem";
    }
    label.insertAdjacentHTML("beforeend", item.html);
    container.append(label);
  }
}

// The utilization scale: a gradient bar with its stops, shown while facilities are coloured.
export function renderUtilizationLegend(container) {
  const stops = UTIL_STOPS.map(([v, c]) => `${c} ${v * 100}%`).join(", ");
  container.replaceChildren();
  line(container, "div", "Utilization (flow ÷ capacity)");
  const bar = document.createElement("div");
  bar.className = "scale";
  bar.style.background = `linear-gradient(90deg, ${stops})`;
  container.append(bar);
  const ticks = document.createElement("div");
  ticks.className = "ticks";
  for (const t of ["0", "50", "70", "90", "≥100 %"]) line(ticks, "span", t);
  container.append(ticks);
  container.hidden = false;
}

// Colour facility points by utilization; rows: [{facility_id, utilization}].
export function showUtilization(map, rows) {
  for (const f of FACILITY_LAYERS) {
    map.removeFeatureState({ source: f.id });
    for (const feature of map.querySourceFeatures(f.id)) {
      map.setFeatureState({ source: f.id, id: feature.id }, { shown: true });
    }
  }
  for (const row of rows) {
    for (const f of FACILITY_LAYERS) {
      map.setFeatureState({ source: f.id, id: row.facility_id }, { shown: true, flows: true, utilization: row.utilization });
    }
  }
}

// The facility of a bottleneck row: its layer feature, or null when it is not a point layer.
export function facilityFeature(map, facilityId) {
  for (const f of FACILITY_LAYERS) {
    const hit = map.querySourceFeatures(f.id).find((x) => x.id === facilityId || x.properties.facility_id === facilityId);
    if (hit) return { ...hit, source: f.id, id: hit.id ?? facilityId };
  }
  return null;
}

export function drawRoutes(map, features, { fit = true } = {}) {
  map.getSource("routes").setData({ type: "FeatureCollection", features });
  if (!features.length || !fit) return;
  const bounds = new maplibregl.LngLatBounds();
  for (const f of features) for (const c of f.geometry.coordinates.flat(f.geometry.type === "MultiLineString" ? 1 : 0)) bounds.extend(c);
  map.fitBounds(bounds, { padding: 30, duration: 0, maxZoom: 6 });
}
