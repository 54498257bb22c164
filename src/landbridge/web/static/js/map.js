// The MapLibre map: offline style (Natural Earth countries from the API), network layers, routes.
/* global maplibregl */

export const GAUGE_COLORS = { 1435: "#2b6cb0", 1520: "#c05621" };
const OTHER_GAUGE = "#718096";
const UTIL_COLORS = ["interpolate", ["linear"], ["coalesce", ["feature-state", "utilization"], -1],
  -1, "#ffffff", 0, "#2f855a", 0.7, "#ecc94b", 0.9, "#dd6b20", 1.0, "#c53030"];

const FACILITY_LAYERS = [
  { id: "crossings", label: "Border crossings", color: "#e53e3e", radius: 3 },
  { id: "ports", label: "Ports", color: "#0f766e", radius: 4.5 },
  { id: "yards", label: "Gauge-change yards", color: "#6b46c1", radius: 5.5 },
];

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
  for (const f of FACILITY_LAYERS) {
    map.addSource(f.id, { type: "geojson", data: `/api/layers/${f.id}`, promoteId: "facility_id" });
    map.addLayer({
      id: f.id, type: "circle", source: f.id,
      paint: {
        // grow with zoom; at continental zoom the hundreds of EU crossings stay small
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 3, f.radius, 7, f.radius * 1.8],
        "circle-color": ["case", ["boolean", ["feature-state", "flows"], false], UTIL_COLORS, f.color],
        "circle-stroke-color": "#1a202c", "circle-stroke-width": 0.8,
      },
    });
    map.on("click", f.id, (e) => popup(map, e));
    map.on("mouseenter", f.id, () => { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", f.id, () => { map.getCanvas().style.cursor = ""; });
  }
  map.on("click", "sea-lines", (e) => popup(map, e));
}

function popup(map, e) {
  const p = e.features[0].properties;
  const rows = [["Kind", p.kind], ["Countries", p.countries], ["Dwell p50 h", p.dwell_p50_h],
    ["Capacity trains/day", p.capacity_trains_per_day], ["Utilization", p.utilization]]
    .filter(([, v]) => v !== undefined && v !== null && v !== "null" && v !== "");
  const state = map.getFeatureState({ source: e.features[0].source, id: p.facility_id });
  if (state.utilization !== undefined) rows.push(["Utilization", `${(state.utilization * 100).toFixed(0)} %`]);
  const box = document.createElement("div");
  const title = document.createElement("strong");
  title.textContent = p.name;
  box.append(title);
  for (const [k, v] of rows) {
    const line = document.createElement("div");
    line.textContent = `${k}: ${v}`;
    box.append(line);
  }
  new maplibregl.Popup().setLngLat(e.lngLat).setDOMContent(box).addTo(map);
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

// Color facility points by utilization; rows: [{facility_id, utilization}].
export function showUtilization(map, rows) {
  for (const f of FACILITY_LAYERS) map.removeFeatureState({ source: f.id });
  for (const row of rows) {
    for (const f of FACILITY_LAYERS) {
      map.setFeatureState({ source: f.id, id: row.facility_id }, { flows: true, utilization: row.utilization });
    }
  }
}

export function drawRoutes(map, features) {
  map.getSource("routes").setData({ type: "FeatureCollection", features });
  if (!features.length) return;
  const bounds = new maplibregl.LngLatBounds();
  for (const f of features) for (const c of f.geometry.coordinates.flat(f.geometry.type === "MultiLineString" ? 1 : 0)) bounds.extend(c);
  map.fitBounds(bounds, { padding: 40, duration: 0, maxZoom: 6 });
}
