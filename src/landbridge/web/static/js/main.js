// Entry point: tabs, map, layers, and the three panels.
import { api } from "./api.js";
import { addNetworkLayers, createMap, renderLegend } from "./map.js";
import { setupPlanner } from "./planner.js";
import { setupBottlenecks } from "./bottlenecks.js";
import { setupScenarios } from "./scenarios.js";

function setupTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  const show = (tab) => {
    for (const t of tabs) {
      const selected = t === tab;
      t.setAttribute("aria-selected", String(selected));
      t.tabIndex = selected ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !selected;
    }
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => show(tab));
    tab.addEventListener("keydown", (e) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (step) {
        const next = tabs[(i + step + tabs.length) % tabs.length];
        next.focus();
        show(next);
      }
    });
  });
}

const map = createMap("map");
// exposed for the end-to-end tests and for curious users in the console
window.landbridge = { map, ready: false };
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
