// The public statistics page: no sign-in. CitizenService/GetPublicStatistics every 10 s
// while the tab is visible, CitizenService/ListJurisdictions once for the Urdu names.

import { call, counts, num } from "./api.js";
import { barChart, percentMeter } from "./charts.js";
import { $, el, clear, bi, urdu, formatNumber, formatTime, announce, errorText } from "./ui.js";

const REFRESH_MS = 10000;
const STAT_FIELDS = ["citizensRegistered", "complaintsReceived", "complaintsResolved", "feedbackGiven", "satisfiedCitizens"];
const DISTRICT_FIELDS = ["total", "new", "pending", "resolved", "closed", "systemic"];

let urduNames = new Map();
let timer = 0;
let inFlight = false;
let refreshes = 0;

async function loadJurisdictions() {
  try {
    const r = await call("portal.v1.CitizenService/ListJurisdictions", { tier: "TIER_DISTRICT" }, { auth: false });
    urduNames = new Map((r.jurisdictions || []).map((j) => [j.code, j.nameUrdu || ""]));
  } catch {
    // Urdu district names are a nicety; the English ones come with the statistics.
  }
}

function setStat(name, value, text) {
  const node = document.querySelector(`[data-stat="${name}"]`);
  if (!node) return;
  node.dataset.value = String(value);
  node.textContent = text;
}

function render(stats) {
  for (const f of STAT_FIELDS) setStat(f, num(stats[f]), formatNumber(num(stats[f])));

  const received = num(stats.complaintsReceived);
  const resolved = num(stats.complaintsResolved);
  const feedback = num(stats.feedbackGiven);
  const satisfied = num(stats.satisfiedCitizens);
  const resolutionPercent = received ? (100 * resolved) / received : 0;
  const satisfiedPercent = feedback ? (100 * satisfied) / feedback : 0;
  const rate = $("#chart-resolution-rate");
  rate.dataset.value = resolutionPercent.toFixed(2);
  percentMeter(rate, resolutionPercent, { title: "Resolution rate", key: "resolved", note: `${formatNumber(resolved)} / ${formatNumber(received)}` });
  const sat = $("#chart-satisfaction");
  sat.dataset.value = satisfiedPercent.toFixed(2);
  percentMeter(sat, satisfiedPercent, { title: "Satisfaction", key: "satisfied", note: `${formatNumber(satisfied)} / ${formatNumber(feedback)}` });

  const computed = $("#computed-at");
  computed.dataset.value = stats.computedAt || "";
  computed.setAttribute("datetime", stats.computedAt || "");
  computed.textContent = formatTime(stats.computedAt);

  const districts = stats.byDistrict || [];
  renderTable(districts);
  barChart(
    $("#chart-districts"),
    districts.map((d) => {
      const c = counts(d.counts);
      return {
        key: d.districtCode,
        label: d.districtName || d.districtCode,
        segments: [
          { key: "new", label: "New", value: c.new },
          { key: "pending", label: "In progress", value: c.pending },
          { key: "resolved", label: "Resolved", value: c.resolved },
          { key: "closed", label: "Closed", value: c.closed },
          { key: "systemic", label: "Systemic", value: c.systemic },
        ],
      };
    }),
    {
      title: "Complaints by district",
      emptyText: "No complaints yet",
      width: 960,
      labelWidth: 200,
      legend: [
        { key: "new", node: bi("New", "نئی") },
        { key: "pending", node: bi("In progress", "زیر کارروائی") },
        { key: "resolved", node: bi("Resolved", "حل شدہ") },
        { key: "closed", node: bi("Closed", "بند") },
        { key: "systemic", node: bi("Systemic", "نظامی") },
      ],
    },
  );
}

function renderTable(districts) {
  const body = $("#district-rows");
  const existing = new Map([...body.querySelectorAll("tr[data-district]")].map((tr) => [tr.dataset.district, tr]));
  const seen = new Set();
  districts.forEach((d, index) => {
    const code = d.districtCode || "";
    seen.add(code);
    let tr = existing.get(code);
    if (!tr) {
      tr = el("tr", { "data-district": code });
      const th = el("th", { scope: "row" });
      tr.appendChild(th);
      for (const f of [...DISTRICT_FIELDS, "overdue"]) tr.appendChild(el("td", { class: "num", "data-field": f }));
    }
    const th = tr.querySelector("th");
    clear(th);
    th.appendChild(el("span", { class: "en" }, d.districtName || code));
    const ur = urduNames.get(code);
    if (ur) {
      th.appendChild(document.createTextNode(" "));
      th.appendChild(urdu(ur));
    }
    const c = counts(d.counts);
    const values = { ...c, overdue: num(d.overdue) };
    for (const td of tr.querySelectorAll("td[data-field]")) {
      const v = values[td.dataset.field] ?? 0;
      td.dataset.value = String(v);
      td.textContent = formatNumber(v);
    }
    tr.classList.toggle("has-overdue", values.overdue > 0);
    // Keep the server's order.
    if (body.children[index] !== tr) body.insertBefore(tr, body.children[index] || null);
  });
  for (const [code, tr] of existing) if (!seen.has(code)) tr.remove();
  if (districts.length === 0 && !body.querySelector("tr.empty")) {
    body.appendChild(el("tr", { class: "empty" }, el("td", { colspan: "8" }, "No districts yet")));
  } else if (districts.length) {
    body.querySelector("tr.empty")?.remove();
  }
}

async function refresh() {
  if (inFlight) return;
  inFlight = true;
  const status = $("#public-status");
  try {
    const stats = await call("portal.v1.CitizenService/GetPublicStatistics", {}, { auth: false });
    render(stats);
    refreshes += 1;
    document.body.dataset.refreshes = String(refreshes);
    document.body.dataset.state = "ready";
    announce(status, "", "info");
  } catch (e) {
    document.body.dataset.state = "error";
    announce(status, `Could not load the figures: ${errorText(e)}. Retrying…`, "error");
  } finally {
    inFlight = false;
    schedule();
  }
}

function schedule() {
  clearTimeout(timer);
  if (document.visibilityState === "hidden") return;
  timer = setTimeout(refresh, REFRESH_MS);
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") clearTimeout(timer);
  else refresh();
});

async function start() {
  document.body.dataset.state = "loading";
  await loadJurisdictions();
  await refresh();
}

start();
