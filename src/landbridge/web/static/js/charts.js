// Small dependency-free SVG charts: stacked horizontal bars and paired horizontal bars. Both draw
// in a fixed viewBox that scales to the panel's width, with labels on their own line so nothing
// overlaps at phone widths.
const SVG = "http://www.w3.org/2000/svg";

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// the same rounding as the tables (toFixed rounds binary fractions the other way at .x5)
const one = (v) => Number(v).toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];
const PART_COLORS = ["#4c78a8", "#f58518", "#54a24b", "#b279a2", "#72b7b2", "#eeca3b", "#9d755d"];

// rows: [{label, total, parts: {category: value}}]. A bar's length is ``total`` (the table's p50);
// it is split in proportion to the parts (the median of each activity), whose own sum differs
// from the median of the total. The tooltip gives each part's median.
export function stackedBars(container, rows, { unit = "d" } = {}) {
  container.replaceChildren();
  const categories = [...new Set(rows.flatMap((r) => Object.keys(r.parts)))]
    .filter((c) => rows.some((r) => (r.parts[c] || 0) > 0));
  const colors = Object.fromEntries(categories.map((c, i) => [c, PART_COLORS[i % PART_COLORS.length]]));
  const longest = Math.max(1e-9, ...rows.map((r) => r.total));
  const width = 380, labelH = 11, barH = 12, gap = 7, rowH = labelH + barH + gap, valueW = 34;
  const legendRows = Math.ceil(categories.length / 3);
  const height = rows.length * rowH + legendRows * 14 + 6;
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "Time by activity per option" });
  rows.forEach((row, i) => {
    const y = i * rowH;
    svg.append(el("text", { x: 0, y: y + labelH - 2 }, row.label));
    const partsSum = Object.values(row.parts).reduce((a, b) => a + b, 0) || 1;
    const barW = (row.total / longest) * (width - valueW);
    let x = 0;
    for (const c of categories) {
      const v = row.parts[c] || 0;
      const w = (v / partsSum) * barW;
      if (w > 0) {
        const rect = el("rect", { x, y: y + labelH, width: w, height: barH, fill: colors[c] });
        rect.append(el("title", {}, `${row.label}: ${c.replaceAll("_", " ")}, median ${one(v)} ${unit}`));
        svg.append(rect);
      }
      x += w;
    }
    svg.append(el("text", { x: x + 3, y: y + labelH + barH - 2, class: "total" }, one(row.total)));
  });
  categories.forEach((c, i) => {
    const x = (i % 3) * 127, y = rows.length * rowH + 2 + Math.floor(i / 3) * 14;
    svg.append(el("rect", { x, y, width: 10, height: 10, fill: colors[c] }));
    svg.append(el("text", { x: x + 14, y: y + 9 }, c.replaceAll("_", " ")));
  });
  container.append(svg);
}

// rows: [{label, a, b}] (null when a side has no value); one label line, then bar A and bar B.
export function pairedBars(container, rows, { labelA, labelB, unit = "d", colors = PALETTE } = {}) {
  container.replaceChildren();
  const max = Math.max(1e-9, ...rows.flatMap((r) => [r.a ?? 0, r.b ?? 0]));
  const width = 380, labelH = 13, barH = 9, gap = 8, valueW = 40, rowH = labelH + 2 * barH + 1 + gap;
  const height = rows.length * rowH + 18;
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${labelA} against ${labelB}` });
  rows.forEach((row, i) => {
    const y = i * rowH;
    svg.append(el("text", { x: 0, y: y + labelH - 3 }, row.label));
    [[row.a, labelA, 0], [row.b, labelB, 1]].forEach(([v, name, k]) => {
      const by = y + labelH + k * (barH + 1);
      if (v === null || v === undefined) {
        svg.append(el("text", { x: 0, y: by + barH - 1, class: "none" }, "no route"));
        return;
      }
      const w = (v / max) * (width - valueW);
      const rect = el("rect", { x: 0, y: by, width: w, height: barH, fill: colors[k] });
      rect.append(el("title", {}, `${row.label}: ${name} ${one(v)} ${unit}`));
      svg.append(rect, el("text", { x: w + 3, y: by + barH - 1, class: "value" }, one(v)));
    });
  });
  const ly = rows.length * rowH + 4;
  [[labelA, 0, 0], [labelB, 1, width / 2]].forEach(([name, k, x]) => {
    svg.append(el("rect", { x, y: ly, width: 10, height: 10, fill: colors[k] }));
    svg.append(el("text", { x: x + 14, y: ly + 9 }, name.length > 30 ? `${name.slice(0, 29)}…` : name));
  });
  container.append(svg);
}
