// Small SVG charts built with DOM calls only (no innerHTML, no style attributes: colours come
// from classes in portal.css, sizes from SVG attributes, so the page's CSP holds).

const SVG_NS = "http://www.w3.org/2000/svg";

function svgEl(name, attrs = {}, text) {
  const el = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  }
  if (text !== undefined) el.textContent = String(text);
  return el;
}

const numberFormat = new Intl.NumberFormat("en-PK");
const fmt = (n) => numberFormat.format(n);

function clear(container) {
  while (container.firstChild) container.removeChild(container.firstChild);
}

function emptyNote(container, text = "No data yet") {
  const p = document.createElement("p");
  p.className = "chart-empty";
  p.textContent = text;
  container.appendChild(p);
}

function niceMax(max) {
  if (max <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(max)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

function truncate(text, n) {
  const s = String(text ?? "");
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/**
 * Horizontal bars, one per item; each item may be split into coloured segments.
 * items: [{ key, label, segments: [{ key, value }] }] or [{ key, label, value }]
 * options: { title, legend: [{ key, label }], labelWidth, unit }
 */
export function barChart(container, items, options = {}) {
  clear(container);
  const rows = items.map((it) => ({
    key: it.key,
    label: it.label,
    segments: it.segments || [{ key: it.seriesKey || "value", value: it.value || 0 }],
  }));
  const totals = rows.map((r) => r.segments.reduce((a, s) => a + (s.value || 0), 0));
  if (rows.length === 0 || totals.every((t) => t === 0)) {
    emptyNote(container, options.emptyText);
    return;
  }
  const width = options.width || 640;
  const labelWidth = options.labelWidth || 190;
  const valueWidth = 64;
  const rowHeight = 24;
  const gap = 6;
  const top = 4;
  const height = top + rows.length * (rowHeight + gap);
  const plotWidth = width - labelWidth - valueWidth;
  const max = niceMax(Math.max(...totals));

  const summary = rows.map((r, i) => `${r.label}: ${fmt(totals[i])}`).join("; ");
  const svg = svgEl("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "chart chart-bars",
    role: "img",
    "aria-label": `${options.title || "Chart"}. ${summary}`,
    preserveAspectRatio: "xMinYMin meet",
    width,
    height,
  });
  svg.appendChild(svgEl("title", {}, options.title || "Chart"));

  rows.forEach((row, i) => {
    const y = top + i * (rowHeight + gap);
    const g = svgEl("g", { class: "bar-row", "data-key": row.key });
    const label = svgEl("text", { x: labelWidth - 8, y: y + rowHeight / 2, class: "chart-label", "text-anchor": "end", "dominant-baseline": "middle" }, truncate(row.label, Math.floor(labelWidth / 8)));
    label.appendChild(svgEl("title", {}, row.label));
    g.appendChild(label);
    g.appendChild(svgEl("rect", { x: labelWidth, y, width: plotWidth, height: rowHeight, class: "bar-track", rx: 3 }));
    let x = labelWidth;
    for (const seg of row.segments) {
      const w = ((seg.value || 0) / max) * plotWidth;
      if (w <= 0) continue;
      const rect = svgEl("rect", { x: x.toFixed(2), y, width: Math.max(w, 1).toFixed(2), height: rowHeight, class: `bar seg-${seg.key}`, "data-value": seg.value });
      rect.appendChild(svgEl("title", {}, `${row.label} — ${seg.label || seg.key}: ${fmt(seg.value)}`));
      g.appendChild(rect);
      x += w;
    }
    g.appendChild(svgEl("text", { x: width - valueWidth + 6, y: y + rowHeight / 2, class: "chart-value", "dominant-baseline": "middle" }, fmt(totals[i]) + (options.unit || "")));
    svg.appendChild(g);
  });
  container.appendChild(svg);
  if (options.legend) container.appendChild(legend(options.legend));
}

/**
 * Ticks for an axis of counts: distinct whole numbers from 0 in steps of 1, 2 or 5 × 10ⁿ,
 * at most `most` steps, the last at or above `max` (so 1 gives 0, 1 and 7 gives 0, 2, 4, 6, 8).
 */
export function countTicks(max, most = 5) {
  const top = Math.max(1, Math.ceil(Number(max) || 0));
  let step = 1;
  for (let p = 1; ; p *= 10) {
    const s = [1, 2, 5].map((m) => m * p).find((x) => Math.ceil(top / x) <= most);
    if (s) {
      step = s;
      break;
    }
  }
  const ticks = [];
  for (let v = 0; v <= Math.ceil(top / step) * step; v += step) ticks.push(v);
  return ticks;
}

/**
 * A line chart of counts over time, the y axis from 0 with whole-number ticks.
 * series: [{ key, label, points: [{ t: Date, v: number, name?: string }] }]
 * options: { title, emptyText, xTicks: [{ t, label }] (default: the first and last times),
 *            dots: "all" for a dot at every point (default: the last point only) }
 */
export function lineChart(container, series, options = {}) {
  clear(container);
  const all = series.flatMap((s) => s.points);
  if (Math.max(0, ...series.map((s) => s.points.length)) < 2) {
    emptyNote(container, options.emptyText || "Collecting data…");
    return;
  }
  const width = 640;
  const height = 220;
  const left = 56;
  const right = 28;
  const top = 12;
  const bottom = 28;
  const tMin = Math.min(...all.map((p) => +p.t));
  const tMax = Math.max(...all.map((p) => +p.t));
  const ticks = countTicks(Math.max(...all.map((p) => p.v)));
  const vMax = ticks[ticks.length - 1];
  const xs = (t) => left + ((+t - tMin) / Math.max(1, tMax - tMin)) * (width - left - right);
  const ys = (v) => top + (1 - v / vMax) * (height - top - bottom);

  const svg = svgEl("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "chart chart-line",
    width,
    height,
    role: "img",
    "aria-label": `${options.title || "Trend"}: ${series.map((s) => `${s.label} ${fmt(s.points.length ? s.points[s.points.length - 1].v : 0)}`).join(", ")}`,
  });
  svg.appendChild(svgEl("title", {}, options.title || "Trend"));

  for (const v of ticks) {
    const y = ys(v);
    svg.appendChild(svgEl("line", { x1: left, x2: width - right, y1: y, y2: y, class: "grid" }));
    svg.appendChild(svgEl("text", { x: left - 6, y, class: "chart-axis y-tick", "text-anchor": "end", "dominant-baseline": "middle" }, fmt(v)));
  }
  if (options.xTicks) {
    for (const tick of options.xTicks) {
      svg.appendChild(svgEl("text", { x: xs(tick.t), y: height - 8, class: "chart-axis x-tick", "text-anchor": "middle" }, tick.label));
    }
  } else {
    const timeFormat = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: "Asia/Karachi" });
    for (const t of [tMin, tMax]) {
      svg.appendChild(svgEl("text", { x: xs(t), y: height - 8, class: "chart-axis x-tick", "text-anchor": t === tMin ? "start" : "end" }, timeFormat.format(new Date(t))));
    }
  }

  for (const s of series) {
    if (s.points.length === 0) continue;
    const d = s.points.map((p, i) => `${i ? "L" : "M"}${xs(p.t).toFixed(1)},${ys(p.v).toFixed(1)}`).join(" ");
    svg.appendChild(svgEl("path", { d, class: `line seg-${s.key}`, fill: "none", "data-series": s.key, "data-values": s.points.map((p) => p.v).join(",") }));
    const dotted = options.dots === "all" ? s.points : [s.points[s.points.length - 1]];
    for (const p of dotted) {
      const dot = svgEl("circle", { cx: xs(p.t), cy: ys(p.v), r: 3.5, class: `dot seg-${s.key}` });
      dot.appendChild(svgEl("title", {}, `${s.label}${p.name ? `, ${p.name}` : ""}: ${fmt(p.v)}`));
      svg.appendChild(dot);
    }
  }
  container.appendChild(svg);
  container.appendChild(legend(series.map((s) => ({ key: s.key, label: s.label }))));
}

/**
 * A 0..100 percentage as a labelled horizontal meter.
 */
export function percentMeter(container, value, options = {}) {
  clear(container);
  const v = Math.max(0, Math.min(100, Number(value) || 0));
  const width = 320;
  const height = 44;
  const svg = svgEl("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "chart chart-meter",
    width,
    height,
    role: "img",
    "aria-label": `${options.title || "Share"}: ${v.toFixed(1)}%`,
  });
  svg.appendChild(svgEl("title", {}, `${options.title || "Share"}: ${v.toFixed(1)}%`));
  svg.appendChild(svgEl("rect", { x: 0, y: 4, width, height: 18, rx: 9, class: "bar-track" }));
  if (v > 0) svg.appendChild(svgEl("rect", { x: 0, y: 4, width: Math.max(4, (v / 100) * width).toFixed(1), height: 18, rx: 9, class: `bar seg-${options.key || "value"}` }));
  svg.appendChild(svgEl("text", { x: 0, y: 38, class: "chart-value" }, `${v.toFixed(1)}%`));
  if (options.note) svg.appendChild(svgEl("text", { x: width, y: 38, class: "chart-axis", "text-anchor": "end" }, options.note));
  container.appendChild(svg);
}

function legend(entries) {
  const ul = document.createElement("ul");
  ul.className = "chart-legend";
  for (const e of entries) {
    const li = document.createElement("li");
    const swatch = document.createElementNS(SVG_NS, "svg");
    swatch.setAttribute("viewBox", "0 0 10 10");
    swatch.setAttribute("width", "12");
    swatch.setAttribute("height", "12");
    swatch.setAttribute("aria-hidden", "true");
    swatch.appendChild(svgEl("rect", { x: 0, y: 0, width: 10, height: 10, rx: 2, class: `bar seg-${e.key}` }));
    li.appendChild(swatch);
    if (e.node) li.appendChild(e.node);
    else li.appendChild(document.createTextNode(` ${e.label}`));
    ul.appendChild(li);
  }
  return ul;
}
