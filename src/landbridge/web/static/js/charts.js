// Small dependency-free SVG charts: stacked horizontal bars and grouped vertical bars.
const SVG = "http://www.w3.org/2000/svg";

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

export const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];

// rows: [{label, color, parts: {category: value}}]; categories coloured in a shared order.
export function stackedBars(container, rows, { unit = "d" } = {}) {
  container.replaceChildren();
  const categories = [...new Set(rows.flatMap((r) => Object.keys(r.parts)))];
  const colors = Object.fromEntries(categories.map((c, i) => [c, PALETTE[(i + 3) % PALETTE.length]]));
  const total = Math.max(1e-9, ...rows.map((r) => Object.values(r.parts).reduce((a, b) => a + b, 0)));
  const width = 380, labelW = 90, barH = 16, gap = 6, legendH = 14 * Math.ceil(categories.length / 3) + 6;
  const height = rows.length * (barH + gap) + legendH + 4;
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "Time breakdown per option" });
  rows.forEach((row, i) => {
    const y = i * (barH + gap);
    svg.append(el("text", { x: 0, y: y + barH - 4 }, row.label));
    let x = labelW;
    for (const c of categories) {
      const v = row.parts[c] || 0;
      const w = (v / total) * (width - labelW - 36);
      if (w > 0) {
        const rect = el("rect", { x, y, width: w, height: barH, fill: colors[c] });
        rect.append(el("title", {}, `${row.label}: ${c} ${v.toFixed(1)} ${unit}`));
        svg.append(rect);
      }
      x += w;
    }
    const sum = Object.values(row.parts).reduce((a, b) => a + b, 0);
    svg.append(el("text", { x: x + 3, y: y + barH - 4 }, sum.toFixed(1)));
  });
  categories.forEach((c, i) => {
    const x = (i % 3) * 125, y = rows.length * (barH + gap) + 6 + Math.floor(i / 3) * 14;
    svg.append(el("rect", { x, y, width: 10, height: 10, fill: colors[c] }));
    svg.append(el("text", { x: x + 14, y: y + 9 }, c.replaceAll("_", " ")));
  });
  container.append(svg);
}

// series: [{label, color, values: {metric: number}}]; one group of bars per metric, each scaled to its max.
export function groupedBars(container, series, metrics) {
  container.replaceChildren();
  const width = 380, groupW = width / metrics.length, barArea = 90, height = barArea + 34;
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "Scenario comparison" });
  metrics.forEach((m, gi) => {
    const max = Math.max(1e-9, ...series.map((s) => Math.abs(s.values[m.key] ?? 0)));
    const bw = (groupW - 16) / series.length;
    series.forEach((s, si) => {
      const v = s.values[m.key];
      if (v === undefined || v === null) return;
      const h = (Math.abs(v) / max) * barArea;
      const rect = el("rect", { x: gi * groupW + 8 + si * bw, y: barArea - h, width: bw - 2, height: h, fill: s.color });
      rect.append(el("title", {}, `${s.label}: ${m.label} ${Number(v).toLocaleString()}`));
      svg.append(rect);
    });
    svg.append(el("text", { x: gi * groupW + 8, y: barArea + 14 }, m.label));
  });
  series.forEach((s, si) => {
    svg.append(el("rect", { x: si * 130, y: barArea + 22, width: 10, height: 10, fill: s.color }));
    svg.append(el("text", { x: si * 130 + 14, y: barArea + 31 }, s.label));
  });
  container.append(svg);
}
