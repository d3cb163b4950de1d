// The figures of the officer dashboard (OfficerService/GetDashboard for the current scope):
// the overview cards, the charts by status, category and district, the satisfaction and
// reopen meters and the officers' table. (The weekly chart is dashboard-trend.js.)

import { call, counts, num } from "./api.js";
import { barChart, percentMeter } from "./charts.js";
import { $, el, clear, bi, announce, errorText, formatNumber, formatTime, tierName, COUNT_FIELDS } from "./ui.js";
import { OFFICER, state } from "./dashboard-state.js";

export async function refreshDashboard() {
  const generation = state.generation;
  let d;
  try {
    d = await call(OFFICER + "GetDashboard", state.scope ? { scopeCode: state.scope } : {});
  } catch (e) {
    if (generation === state.generation && e.code !== "unauthenticated") {
      announce($("#app-status"), `Figures unavailable: ${errorText(e)}`, "error");
    }
    return;
  }
  if (generation !== state.generation) return;
  announce($("#app-status"), "", "info");
  renderDashboard(d);
}

function setStat(name, value, text) {
  const node = document.querySelector(`#summary [data-stat="${name}"]`);
  if (!node) return;
  node.dataset.value = String(value);
  node.textContent = text;
}

function statusSegments(c) {
  return COUNT_FIELDS.map(([key, en]) => ({ key, label: en, value: c[key] }));
}

function legendEntries() {
  return COUNT_FIELDS.map(([key, en, ur]) => ({ key, node: bi(en, ur) }));
}

function renderDashboard(d) {
  const c = counts(d.complaints);
  for (const key of ["total", "new", "pending", "resolved"]) setStat(key, c[key], formatNumber(c[key]));
  for (const key of ["overdue", "escalatedToDivision", "escalatedToProvince", "citizensRegistered", "feedbackGiven"]) {
    setStat(key, num(d[key]), formatNumber(num(d[key])));
  }
  const hours = Number(d.medianResolutionHours) || 0;
  setStat("medianResolutionHours", hours, hours ? hours.toFixed(1) : "—");
  const computed = $("#dashboard-computed-at");
  computed.dataset.value = d.computedAt || "";
  computed.setAttribute("datetime", d.computedAt || "");
  computed.textContent = formatTime(d.computedAt);
  document.body.dataset.dashboardScope = d.scopeCode || "";

  barChart($("#chart-status"), COUNT_FIELDS.map(([key, en]) => ({ key, label: en, segments: [{ key, label: en, value: c[key] }] })), {
    title: "Complaints by status",
    labelWidth: 120,
    emptyText: "No complaints yet",
  });

  const byCategory = (d.byCategory || [])
    .map((x) => ({ key: x.categoryCode, label: x.categoryName || x.categoryCode, c: counts(x.counts) }))
    .sort((a, b) => b.c.total - a.c.total)
    .slice(0, 15);
  barChart($("#chart-category"), byCategory.map((x) => ({ key: x.key, label: x.label, segments: statusSegments(x.c) })), {
    title: "Complaints by category",
    legend: legendEntries(),
    emptyText: "No complaints yet",
  });

  const byDistrict = (d.byDistrict || []).map((x) => ({ key: x.districtCode, label: x.districtName || x.districtCode, c: counts(x.counts) }));
  barChart($("#chart-district"), byDistrict.map((x) => ({ key: x.key, label: x.label, segments: statusSegments(x.c) })), {
    title: "Complaints by district",
    legend: legendEntries(),
    emptyText: "No complaints yet",
  });

  const satisfied = Number(d.satisfiedPercent) || 0;
  const reopen = Number(d.reopenPercent) || 0;
  $("#chart-satisfaction").dataset.value = String(satisfied);
  percentMeter($("#chart-satisfaction"), satisfied, { title: "Satisfied citizens", key: "satisfied", note: `${formatNumber(num(d.feedbackGiven))} feedback` });
  $("#chart-reopen").dataset.value = String(reopen);
  percentMeter($("#chart-reopen"), reopen, { title: "Reopen rate", key: "reopened", note: "of resolved complaints" });

  renderOfficers(d.byOfficer || [], tierName(d.scopeTier));
}

// GetDashboard gives per-officer figures for a district scope only.
function renderOfficers(officers, tier) {
  const body = clear($("#officer-rows"));
  if (officers.length === 0) {
    const text = tier === "TIER_DISTRICT" ? "No officer figures yet"
      : "Officer figures are kept per district: choose a district under Scope";
    body.appendChild(el("tr", { class: "empty" }, el("td", { colspan: "4" }, text)));
    return;
  }
  for (const o of officers) {
    if (o.staffId && o.name) state.officerNames.set(o.staffId, o.name);
    const hours = Number(o.medianResolutionHours) || 0;
    body.appendChild(el("tr", { "data-staff-id": o.staffId || "" },
      el("th", { scope: "row" }, o.name || o.staffId || "—"),
      el("td", { class: "num", "data-field": "assigned" }, formatNumber(num(o.assigned))),
      el("td", { class: "num", "data-field": "resolved" }, formatNumber(num(o.resolved))),
      el("td", { class: "num", "data-field": "medianResolutionHours" }, hours ? hours.toFixed(1) : "—"),
    ));
  }
}
