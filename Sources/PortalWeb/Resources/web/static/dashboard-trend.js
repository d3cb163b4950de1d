// The "last 8 weeks" chart of the officer dashboard: for the current scope, one
// OfficerService/GetDashboard per week with period_start/period_end, plotting the complaints
// filed that week (complaints.total), those of them resolved or closed, and those still open
// (new or in progress). Weeks are seven whole days in Pakistan Standard Time (UTC+5, no
// daylight saving), the last one ending tonight at midnight. Reloaded every 60 s by the
// polling (so not while the tab is hidden), and at once when the scope changes.

import { call, counts } from "./api.js";
import { lineChart } from "./charts.js";
import { $, clear, el, errorText } from "./ui.js";
import { OFFICER, state } from "./dashboard-state.js";

const WEEKS = 8;
const REFRESH_MS = 60000;
const DAY_MS = 86400000;
const PKT_OFFSET_MS = 5 * 3600000;

const dayFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "Asia/Karachi" });

// The last `weeks` seven-day periods as [start, end) in epoch ms, oldest first; each bound is
// a midnight in Pakistan, the last end the midnight after `now`'s day.
export function weeklyPeriods(now = Date.now(), weeks = WEEKS) {
  const pkt = new Date(now + PKT_OFFSET_MS);
  const tonight = Date.UTC(pkt.getUTCFullYear(), pkt.getUTCMonth(), pkt.getUTCDate() + 1) - PKT_OFFSET_MS;
  const periods = [];
  for (let i = weeks - 1; i >= 0; i--) {
    const end = tonight - i * 7 * DAY_MS;
    periods.push({ start: end - 7 * DAY_MS, end });
  }
  return periods;
}

// A google.protobuf.Timestamp in proto3 JSON: RFC 3339 in UTC, e.g. "2026-11-16T19:00:00Z".
export function timestamp(ms) {
  return new Date(ms).toISOString().replace(/\.000Z$/, "Z");
}

// What the chart shows now; a new sign-in or scope starts afresh.
export function resetTrend() {
  state.trend = { scope: null, loadedAt: 0, run: state.trend ? state.trend.run + 1 : 0 };
  const box = $("#chart-trend");
  if (box) {
    clear(box);
    box.dataset.state = "";
  }
}

// Reloads the weeks when they are older than a minute or of another scope (or `force`).
export async function refreshTrend(force = false) {
  const trend = state.trend;
  const scope = state.scope;
  if (!force && trend.scope === scope && Date.now() - trend.loadedAt < REFRESH_MS) return;
  const run = ++trend.run;
  const generation = state.generation;
  // Counts as loaded at once, so that the 5 s polling does not start it again meanwhile.
  trend.scope = scope;
  trend.loadedAt = Date.now();
  const box = $("#chart-trend");
  if (box.dataset.state !== "ready") box.dataset.state = "loading";
  const periods = weeklyPeriods();
  let answers;
  try {
    answers = await Promise.all(periods.map((p) => call(OFFICER + "GetDashboard", {
      ...(scope ? { scopeCode: scope } : {}),
      periodStart: timestamp(p.start),
      periodEnd: timestamp(p.end),
    })));
  } catch (e) {
    if (run !== trend.run || generation !== state.generation || e.code === "unauthenticated") return;
    box.dataset.state = "error";
    clear(box).appendChild(el("p", { class: "chart-empty" }, `Weekly figures unavailable: ${errorText(e)}`));
    return;
  }
  if (run !== trend.run || generation !== state.generation) return;
  renderTrend(box, scope, periods.map((p, i) => weekOf(p, answers[i])));
}

function weekOf(period, d) {
  // The server says which days it counted; the request's own bounds are the same whole days.
  const start = d.periodStart ? Date.parse(d.periodStart) : period.start;
  const end = d.periodEnd ? Date.parse(d.periodEnd) : period.end;
  const c = counts(d.complaints);
  return { start, end, received: c.total, resolved: c.resolved + c.closed, open: c.new + c.pending };
}

function renderTrend(box, scope, weeks) {
  const name = (w) => `${dayFormat.format(new Date(w.start))} – ${dayFormat.format(new Date(w.end - DAY_MS))}`;
  const points = (field) => weeks.map((w) => ({ t: new Date(w.start), v: w[field], name: name(w) }));
  lineChart(box, [
    { key: "total", label: "Received", points: points("received") },
    { key: "resolved", label: "Resolved or closed", points: points("resolved") },
    { key: "pending", label: "Still open", points: points("open") },
  ], {
    title: "Complaints filed per week, last 8 weeks",
    dots: "all",
    xTicks: weeks.map((w) => ({ t: new Date(w.start), label: dayFormat.format(new Date(w.start)) })),
  });
  box.dataset.state = "ready";
  box.dataset.scope = scope;
  box.dataset.weeks = JSON.stringify(weeks.map((w) => ({
    start: timestamp(w.start), end: timestamp(w.end), received: w.received, resolved: w.resolved, open: w.open,
  })));
}
