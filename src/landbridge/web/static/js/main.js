// Entry point: tabs (in the URL, arrow keys move between them), map, layers, and the three panels.
import { api } from "./api.js";
import { addNetworkLayers, createMap, renderLegend } from "./map.js";
import { setupPlanner } from "./planner.js";
import { setupBottlenecks } from "./bottlenecks.js";
import { setupScenarios } from "./scenarios.js";
import { readQuery, updateQuery } from "./url.js";

const PHONE_QUERY = "(max-width: 760px)";

function setupTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  const show = (tab) => {
    for (const t of tabs) {
      const selected = t === tab;
      t.setAttribute("aria-selected", String(selected));
      t.tabIndex = selected ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !selected;
    }
    const name = tab.id.replace("tab-", "");
    updateQuery({ tab: name === "plan" ? null : name });
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => show(tab));
    tab.addEventListener("keydown", (e) => {
      const target = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (target === undefined) return;
      e.preventDefault();
      const next = tabs[(target + tabs.length) % tabs.length];
      next.focus();
      show(next);
    });
  });
  const wanted = document.getElementById(`tab-${readQuery().tab}`);
  if (wanted) show(wanted);
}

// On a phone the legend starts folded so it does not cover the map.
if (window.matchMedia(PHONE_QUERY).matches) document.getElementById("legend-box").open = false;

const map = createMap("map");
// exposed for the end-to-end tests and for curious users in the console
window.landbridge = { map, ready: false, progress: [] };
setupTabs();
map.on("load", () => {
  addNetworkLayers(map);
  renderLegend(document.getElementById("legend"), map);
  setupPlanner(map);
  setupBottlenecks(map);
  setupScenarios();
  window.landbridge.ready = true;
});
api.get("/api/info").then((info) => {
  window.landbridge.info = info;
}).catch(() => {});
