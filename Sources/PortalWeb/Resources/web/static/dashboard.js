// The officer dashboard: sign-in, the complaint queue of the caller's jurisdiction, one
// complaint with its actions, and the figures of GetDashboard. Polls every 5 s while the
// tab is visible.

import { call, session, onUnauthenticated, counts, num } from "./api.js";
import { barChart, lineChart, percentMeter } from "./charts.js";
import {
  $, el, clear, bi, announce, errorText, formatNumber, formatTime, timeElement, ageDays,
  statusBadge, statusName, tierLabel, tierName, roleLabel, roleName, COUNT_FIELDS, STATUS, TIER,
} from "./ui.js";

const OFFICER = "portal.v1.OfficerService/";
const CITIZEN = "portal.v1.CitizenService/";
const POLL_MS = 5000;
const PAGE_STEP = 50;
const PAGE_MAX = 500;
const TREND_POINTS = 180;
const FIRST_ESCALATION_DAYS = 15;
const UNRESOLVED = new Set(["COMPLAINT_STATUS_NEW", "COMPLAINT_STATUS_ASSIGNED", "COMPLAINT_STATUS_INFO_REQUESTED", "COMPLAINT_STATUS_REOPENED"]);
const ACTIONABLE = new Set([...UNRESOLVED, "COMPLAINT_STATUS_SYSTEMIC"]);
const HANDLERS = new Set(["ROLE_DEPUTY_COMMISSIONER", "ROLE_COMMISSIONER", "ROLE_CHIEF_SECRETARY"]);
const OWN_TIER = {
  ROLE_DEPUTY_COMMISSIONER: "TIER_DISTRICT",
  ROLE_COMMISSIONER: "TIER_DIVISION",
  ROLE_CHIEF_SECRETARY: "TIER_PROVINCE",
};
const TIER_RANK = { TIER_DISTRICT: 1, TIER_DIVISION: 2, TIER_PROVINCE: 3 };

// Queue tabs. Each lists one or more ListComplaintsRequest filters whose results are merged.
const TABS = {
  escalated: {
    label: ["Escalated", "منتقل شدہ"],
    requests: [{ tier: "TIER_DIVISION" }, { tier: "TIER_PROVINCE" }],
  },
  new: {
    label: ["New", "نئی"],
    requests: [{ statuses: ["COMPLAINT_STATUS_NEW", "COMPLAINT_STATUS_REOPENED"] }],
  },
  assigned: {
    label: ["Assigned", "تفویض شدہ"],
    requests: [{ statuses: ["COMPLAINT_STATUS_ASSIGNED", "COMPLAINT_STATUS_INFO_REQUESTED"] }],
  },
  overdue: {
    label: ["Overdue", "تاخیر شدہ"],
    requests: [{ overdueOnly: true }],
  },
  resolved: {
    label: ["Resolved", "حل شدہ"],
    requests: [{ statuses: ["COMPLAINT_STATUS_RESOLVED", "COMPLAINT_STATUS_CLOSED"] }],
  },
  all: {
    label: ["All", "تمام"],
    requests: [{}],
  },
};
const TAB_ORDER = {
  ROLE_DEPUTY_COMMISSIONER: ["new", "assigned", "overdue", "escalated", "resolved", "all"],
  ROLE_COMMISSIONER: ["escalated", "overdue", "new", "assigned", "resolved", "all"],
  ROLE_CHIEF_SECRETARY: ["escalated", "overdue", "new", "assigned", "resolved", "all"],
  ROLE_DEPARTMENT_OFFICER: ["assigned", "new", "resolved", "all"],
};

const state = {
  me: null,
  role: "",
  scope: "",
  tab: "",
  category: "",
  pageSize: PAGE_STEP,
  queue: [],
  openCode: "",
  openComplaint: null,
  categories: new Map(),
  jurisdictions: new Map(),
  officersByDistrict: new Map(),
  officerNames: new Map(),
  trend: [],
  pollTimer: 0,
  polling: false,
  generation: 0,
  busy: false,
};

// ---------------------------------------------------------------------------------------
// Views

function showView(view) {
  document.body.dataset.view = view;
  $("#login-view").hidden = view !== "login";
  $("#app-view").hidden = view !== "app";
  $("#user-box").hidden = view !== "app";
}

function showLogin(message = "") {
  stopPolling();
  state.generation += 1;
  state.me = null;
  state.openCode = "";
  state.openComplaint = null;
  state.trend = [];
  showView("login");
  announce($("#login-error"), message, "error");
  $("#login-password").value = "";
  $("#login-username").focus();
}

// ---------------------------------------------------------------------------------------
// Sign-in and sign-out

async function onLoginSubmit(event) {
  event.preventDefault();
  const username = $("#login-username").value.trim();
  const password = $("#login-password").value;
  const error = $("#login-error");
  if (!username || !password) {
    announce(error, ["Enter your username and password.", "صارف نام اور پاس ورڈ درج کریں۔"], "error");
    (username ? $("#login-password") : $("#login-username")).focus();
    return;
  }
  const button = $("#login-submit");
  button.disabled = true;
  error.hidden = true;
  try {
    const s = await call(OFFICER + "Login", { username, password }, { auth: false });
    if (!s.token) throw { code: "internal", message: "The server returned no session token" };
    session.token = s.token;
    $("#login-password").value = "";
    await enter();
  } catch (e) {
    announce(error, e.code === "unauthenticated" ? `Wrong username or password. (${e.message})` : errorText(e), "error");
    $("#login-password").focus();
  } finally {
    button.disabled = false;
  }
}

async function logout() {
  const button = $("#logout-button");
  button.disabled = true;
  try {
    await call(OFFICER + "Logout", {});
  } catch {
    // The session is forgotten here either way.
  } finally {
    button.disabled = false;
    session.clear();
    showLogin(["You have signed out.", "آپ لاگ آؤٹ ہو گئے ہیں۔"]);
  }
}

onUnauthenticated(() => {
  if (document.body.dataset.view !== "login") {
    session.clear();
    showLogin(["Your session has ended. Please sign in again.", "آپ کا سیشن ختم ہو گیا ہے، دوبارہ لاگ اِن کریں۔"]);
  }
});

// After a token is in hand: who am I, then the dashboard.
async function enter() {
  const generation = ++state.generation;
  let me;
  try {
    me = await call(OFFICER + "GetMe", {});
  } catch (e) {
    if (e.code !== "unauthenticated") showLogin(errorText(e));
    return;
  }
  if (generation !== state.generation) return;
  state.me = me;
  state.role = roleName(me.role);
  state.scope = "";
  state.category = "";
  state.pageSize = PAGE_STEP;
  state.trend = [];
  renderWhoami();
  buildTabs();
  showView("app");
  $("#detail").hidden = true;
  $("#main").focus();
  await loadReferenceData();
  if (generation !== state.generation) return;
  buildScopeSelect();
  await poll();
}

function renderWhoami() {
  const me = state.me;
  const box = clear($("#whoami"));
  box.dataset.role = state.role;
  box.dataset.jurisdiction = me.jurisdictionCode || "";
  box.dataset.staffId = me.id || "";
  box.appendChild(el("strong", {}, me.name || me.username || ""));
  box.appendChild(document.createTextNode(" — "));
  box.appendChild(roleLabel(me.role));
  if (me.jurisdictionCode) {
    box.appendChild(document.createTextNode(", "));
    box.appendChild(el("span", { class: "jurisdiction" }, me.jurisdictionCode));
  }
}

// Categories and jurisdictions (CitizenService, no sign-in needed) for names in Urdu too.
async function loadReferenceData() {
  const [cats, jurs] = await Promise.allSettled([
    call(CITIZEN + "ListCategories", {}, { auth: false }),
    call(CITIZEN + "ListJurisdictions", {}, { auth: false }),
  ]);
  if (cats.status === "fulfilled") {
    state.categories = new Map((cats.value.categories || []).map((c) => [c.code, c]));
    const select = $("#category-select");
    while (select.options.length > 1) select.remove(1);
    for (const c of [...state.categories.values()].sort((a, b) => (a.name || "").localeCompare(b.name || ""))) {
      select.appendChild(el("option", { value: c.code }, c.nameUrdu ? `${c.name} · ${c.nameUrdu}` : c.name || c.code));
    }
  }
  if (jurs.status === "fulfilled") {
    state.jurisdictions = new Map((jurs.value.jurisdictions || []).map((j) => [j.code, j]));
  }
}

function jurisdictionLabel(code) {
  const j = state.jurisdictions.get(code);
  if (!j) return document.createTextNode(code || "—");
  return bi(j.name || code, j.nameUrdu);
}

function plainName(map, code) {
  const x = map.get(code);
  return (x && x.name) || code || "—";
}

function categoryLabel(code) {
  const c = state.categories.get(code);
  if (!c) return document.createTextNode(code || "—");
  return bi(c.name || code, c.nameUrdu);
}

// Commissioners and the Chief Secretary may narrow the view to a division or district.
function buildScopeSelect() {
  const field = $("#scope-field");
  const select = clear($("#scope-select"));
  const own = state.me.jurisdictionCode || "";
  const wide = state.role === "ROLE_COMMISSIONER" || state.role === "ROLE_CHIEF_SECRETARY";
  field.hidden = !wide || state.jurisdictions.size === 0;
  const ownName = state.jurisdictions.get(own);
  $("#scope-name").textContent = ownName ? ` — ${ownName.name}` : own ? ` — ${own}` : "";
  if (field.hidden) return;
  select.appendChild(el("option", { value: "" }, `All of ${ownName ? ownName.name : own} · تمام`));
  const children = (parent) => [...state.jurisdictions.values()].filter((j) => j.parentCode === parent).sort((a, b) => (a.name || "").localeCompare(b.name || ""));
  const add = (j, indent) => select.appendChild(el("option", { value: j.code }, `${indent}${j.name}${j.nameUrdu ? ` · ${j.nameUrdu}` : ""}`));
  for (const j of children(own)) {
    add(j, "");
    for (const d of children(j.code)) add(d, "\u00a0\u00a0\u00a0");
  }
}

// ---------------------------------------------------------------------------------------
// Queue tabs

function buildTabs() {
  const order = TAB_ORDER[state.role] || ["all"];
  const list = clear($("#queue-tabs"));
  for (const key of order) {
    const [en, ur] = TABS[key].label;
    const button = el("button", {
      type: "button",
      role: "tab",
      id: `tab-${key}`,
      class: "tab",
      "data-tab": key,
      "aria-controls": "queue-panel",
      "aria-selected": "false",
      tabindex: "-1",
    }, bi(en, ur));
    button.addEventListener("click", () => selectTab(key, true));
    list.appendChild(button);
  }
  selectTab(order[0], false);
}

function selectTab(key, refresh) {
  state.tab = key;
  state.pageSize = PAGE_STEP;
  for (const b of $("#queue-tabs").querySelectorAll("[role=tab]")) {
    const on = b.dataset.tab === key;
    b.setAttribute("aria-selected", on ? "true" : "false");
    b.tabIndex = on ? 0 : -1;
  }
  $("#queue-panel").setAttribute("aria-labelledby", `tab-${key}`);
  document.body.dataset.tab = key;
  if (refresh) {
    clear($("#queue-rows"));
    $("#queue-panel").dataset.state = "loading";
    refreshQueue();
  }
}

function onTabKey(event) {
  const tabs = [...$("#queue-tabs").querySelectorAll("[role=tab]")];
  const i = tabs.indexOf(document.activeElement);
  if (i < 0) return;
  let next = -1;
  if (event.key === "ArrowRight") next = (i + 1) % tabs.length;
  else if (event.key === "ArrowLeft") next = (i - 1 + tabs.length) % tabs.length;
  else if (event.key === "Home") next = 0;
  else if (event.key === "End") next = tabs.length - 1;
  if (next < 0) return;
  event.preventDefault();
  tabs[next].focus();
  selectTab(tabs[next].dataset.tab, true);
}

// ---------------------------------------------------------------------------------------
// Polling

function stopPolling() {
  clearTimeout(state.pollTimer);
  state.pollTimer = 0;
}

function schedulePoll() {
  stopPolling();
  if (document.visibilityState === "hidden" || !state.me) return;
  state.pollTimer = setTimeout(poll, POLL_MS);
}

async function poll() {
  if (state.polling || !state.me) return;
  state.polling = true;
  const generation = state.generation;
  try {
    const jobs = [refreshDashboard(), refreshQueue()];
    if (state.openCode && !state.busy) jobs.push(refreshDetail(false));
    await Promise.allSettled(jobs);
  } finally {
    state.polling = false;
    if (generation === state.generation) schedulePoll();
  }
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") stopPolling();
  else if (state.me) poll();
});

// ---------------------------------------------------------------------------------------
// Dashboard figures and charts

async function refreshDashboard() {
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

  // The Dashboard message has no time series: sample it at every poll instead.
  const t = d.computedAt ? new Date(d.computedAt) : new Date();
  const last = state.trend[state.trend.length - 1];
  if (!last || +last.t !== +t) {
    state.trend.push({ t, total: c.total, done: c.resolved + c.closed, open: c.new + c.pending, overdue: num(d.overdue) });
    if (state.trend.length > TREND_POINTS) state.trend.shift();
  }
  lineChart($("#chart-trend"), [
    { key: "total", label: "Received", points: state.trend.map((p) => ({ t: p.t, v: p.total })) },
    { key: "resolved", label: "Resolved or closed", points: state.trend.map((p) => ({ t: p.t, v: p.done })) },
    { key: "pending", label: "Open", points: state.trend.map((p) => ({ t: p.t, v: p.open })) },
    { key: "overdue", label: "Overdue", points: state.trend.map((p) => ({ t: p.t, v: p.overdue })) },
  ], { title: "Live trend", emptyText: "Collecting data… (a point every 5 seconds)" });

  renderOfficers(d.byOfficer || []);
}

function renderOfficers(officers) {
  const body = clear($("#officer-rows"));
  if (officers.length === 0) {
    body.appendChild(el("tr", { class: "empty" }, el("td", { colspan: "4" }, "No officer figures yet")));
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

// ---------------------------------------------------------------------------------------
// The queue

function compareComplaints(ownTier) {
  return (a, b) => {
    if (ownTier) {
      const ao = tierName(a.tier) === ownTier ? 1 : 0;
      const bo = tierName(b.tier) === ownTier ? 1 : 0;
      if (ao !== bo) return bo - ao;
      const ar = TIER_RANK[tierName(a.tier)] || 0;
      const br = TIER_RANK[tierName(b.tier)] || 0;
      if (ar !== br) return br - ar;
    }
    return num(b.id) - num(a.id);
  };
}

async function refreshQueue() {
  const generation = state.generation;
  const tab = state.tab;
  const def = TABS[tab];
  if (!def) return;
  const base = {};
  if (state.scope) base.scopeCode = state.scope;
  if (state.category) base.categoryCode = state.category;
  const pageSize = state.pageSize;
  let responses;
  try {
    responses = await Promise.all(def.requests.map((r) => call(OFFICER + "ListComplaints", { ...base, ...r, page: { pageSize } })));
  } catch (e) {
    if (generation !== state.generation || tab !== state.tab) return;
    const panel = $("#queue-panel");
    panel.dataset.state = "error";
    if (e.code !== "unauthenticated") {
      const error = $("#queue-error");
      error.textContent = errorText(e);
      error.hidden = false;
    }
    return;
  }
  if (generation !== state.generation || tab !== state.tab || pageSize !== state.pageSize) return;
  $("#queue-error").hidden = true;
  const seen = new Set();
  const list = [];
  for (const r of responses) {
    for (const c of r.complaints || []) {
      if (seen.has(c.code)) continue;
      seen.add(c.code);
      list.push(c);
    }
  }
  const escalatedFirst = state.role !== "ROLE_DEPUTY_COMMISSIONER" ? OWN_TIER[state.role] : undefined;
  list.sort(compareComplaints(tab === "escalated" || tab === "overdue" ? escalatedFirst : undefined));
  state.queue = list;
  const total = responses.reduce((a, r) => a + num(r.page && r.page.totalCount), 0);
  const more = responses.some((r) => r.page && r.page.nextPageToken) && pageSize < PAGE_MAX;
  renderQueue(list, total, more);
}

function renderQueue(list, total, more) {
  const body = $("#queue-rows");
  const existing = new Map([...body.querySelectorAll("tr[data-code]")].map((tr) => [tr.dataset.code, tr]));
  const focusedCode = document.activeElement && document.activeElement.closest && document.activeElement.closest("tr[data-code]")?.dataset.code;
  const now = Date.now();
  const rows = list.map((c) => {
    const status = statusName(c.status);
    const age = ageDays(c.clockStartedAt || c.filedAt, now);
    const overdue = UNRESOLVED.has(status) && age >= FIRST_ESCALATION_DAYS;
    const key = [status, tierName(c.tier), c.updatedAt || "", overdue ? 1 : 0, age, state.openCode === c.code ? 1 : 0].join("|");
    let tr = existing.get(c.code);
    if (tr && tr.dataset.key === key) return tr;
    const button = el("button", { type: "button", class: "link-button code", "data-open": c.code, "aria-label": `Open complaint ${c.code}` }, c.code);
    button.addEventListener("click", () => openComplaint(c.code));
    const daysCell = el("td", { class: "num" }, String(age));
    if (overdue) daysCell.appendChild(el("span", { class: "flag" }, " ", bi("overdue", "تاخیر")));
    const fresh = el("tr", {
      "data-code": c.code,
      "data-status": status,
      "data-tier": tierName(c.tier),
      class: [overdue ? "overdue" : "", state.openCode === c.code ? "selected" : ""].filter(Boolean).join(" "),
    },
      el("th", { scope: "row" }, button),
      el("td", {}, statusBadge(c.status)),
      // English only in the list, to keep it dense; the detail panel shows both languages.
      el("td", {}, plainName(state.categories, c.categoryCode)),
      el("td", {}, plainName(state.jurisdictions, c.districtCode)),
      el("td", {}, (TIER[tierName(c.tier)] || ["—"])[0]),
      daysCell,
      el("td", { class: "snippet", dir: "auto" }, (c.description || "").slice(0, 90) + ((c.description || "").length > 90 ? "…" : "")),
    );
    fresh.dataset.key = key;
    return fresh;
  });
  // Put the rows in order, keeping the ones that did not change (and the keyboard focus);
  // rows no longer listed end up after them and are dropped.
  rows.forEach((tr, i) => {
    if (body.children[i] !== tr) {
      body.insertBefore(tr, body.children[i] || null);
    }
  });
  while (body.children.length > rows.length) body.lastElementChild.remove();
  if (focusedCode) {
    const again = body.querySelector(`tr[data-code="${CSS.escape(focusedCode)}"] button`);
    if (again && document.activeElement !== again && !document.activeElement.closest("#queue-rows")) again.focus();
  }

  $("#queue-empty").hidden = list.length > 0;
  $("#load-more").hidden = !more;
  const count = $("#queue-count");
  count.dataset.total = String(total);
  count.textContent = `${formatNumber(list.length)} of ${formatNumber(total)} shown`;
  const panel = $("#queue-panel");
  panel.dataset.state = "ready";
  panel.dataset.refreshes = String(num(panel.dataset.refreshes) + 1);
}

// ---------------------------------------------------------------------------------------
// One complaint

async function openComplaint(code) {
  state.openCode = code;
  state.openComplaint = null;
  const detail = $("#detail");
  detail.hidden = false;
  detail.dataset.code = code;
  detail.dataset.state = "loading";
  $("#detail-code").textContent = code;
  detail.dataset.status = "";
  $("#detail-status").dataset.status = "";
  for (const id of ["detail-status", "detail-category", "detail-district", "detail-tier", "detail-filed", "detail-citizen", "detail-address", "detail-assigned", "detail-attachments", "detail-description", "detail-timeline"]) {
    clear(document.getElementById(id));
  }
  $("#assign-form").hidden = true;
  $("#resolve-form").hidden = true;
  announce($("#assign-error"), "", "error");
  announce($("#resolve-error"), "", "error");
  $("#assign-remark").value = "";
  $("#resolve-remarks").value = "";
  announce($("#detail-message"), "", "info");
  announce($("#detail-error"), "", "error");
  for (const tr of $("#queue-rows").querySelectorAll("tr[data-code]")) tr.classList.toggle("selected", tr.dataset.code === code);
  await refreshDetail(true);
  $("#detail-heading").focus();
}

function closeDetail() {
  const code = state.openCode;
  state.openCode = "";
  state.openComplaint = null;
  $("#detail").hidden = true;
  $("#detail").dataset.code = "";
  const row = code && $("#queue-rows").querySelector(`tr[data-code="${CSS.escape(code)}"]`);
  if (row) {
    row.classList.remove("selected");
    row.querySelector("button")?.focus();
  }
}

async function refreshDetail(reloadOfficers) {
  const code = state.openCode;
  if (!code) return;
  const generation = state.generation;
  let view;
  try {
    view = await call(OFFICER + "GetComplaint", { code });
  } catch (e) {
    if (generation !== state.generation || code !== state.openCode) return;
    $("#detail").dataset.state = "error";
    if (e.code !== "unauthenticated") announce($("#detail-error"), errorText(e), "error");
    return;
  }
  if (generation !== state.generation || code !== state.openCode) return;
  const c = view.complaint || {};
  state.openComplaint = c;
  if (reloadOfficers || !state.officersByDistrict.has(c.districtCode)) await loadOfficers(c.districtCode);
  if (generation !== state.generation || code !== state.openCode) return;
  renderDetail(view);
}

async function loadOfficers(districtCode) {
  if (!HANDLERS.has(state.role) || !districtCode) return;
  try {
    const r = await call(OFFICER + "ListOfficers", { districtCode });
    const officers = (r.officers || []).filter((o) => roleName(o.role) === "ROLE_DEPARTMENT_OFFICER" && o.active === true);
    state.officersByDistrict.set(districtCode, officers);
    for (const o of r.officers || []) if (o.id) state.officerNames.set(o.id, o.name || o.username || o.id);
  } catch (e) {
    if (e.code !== "unauthenticated") announce($("#detail-error"), `Officers unavailable: ${errorText(e)}`, "error");
  }
}

function officerName(id) {
  return state.officerNames.get(id) || `#${id}`;
}

function renderDetail(view) {
  const c = view.complaint || {};
  const status = statusName(c.status);
  const detail = $("#detail");
  detail.dataset.state = "ready";
  detail.dataset.status = status;
  $("#detail-code").textContent = c.code || state.openCode;

  const statusCell = clear($("#detail-status"));
  statusCell.dataset.status = status;
  statusCell.appendChild(statusBadge(c.status));
  if (num(c.reopenCount) > 0) statusCell.appendChild(el("span", { class: "muted" }, ` reopened ${num(c.reopenCount)}×`));
  clear($("#detail-category")).appendChild(categoryLabel(c.categoryCode));
  clear($("#detail-district")).appendChild(jurisdictionLabel(c.districtCode));
  clear($("#detail-tier")).appendChild(tierLabel(c.tier));
  const filed = clear($("#detail-filed"));
  filed.appendChild(timeElement(c.filedAt));
  filed.appendChild(document.createTextNode(` (${ageDays(c.clockStartedAt || c.filedAt)} days on the clock)`));
  const citizen = clear($("#detail-citizen"));
  citizen.appendChild(document.createTextNode(view.citizenName || "—"));
  if (view.citizenMobile) {
    citizen.appendChild(document.createTextNode(" "));
    citizen.appendChild(el("a", { href: `tel:${view.citizenMobile}` }, view.citizenMobile));
  }
  const address = clear($("#detail-address"));
  address.appendChild(document.createTextNode(c.address || "—"));
  if (c.location) {
    const lat = Number(c.location.latitude) || 0;
    const lon = Number(c.location.longitude) || 0;
    address.appendChild(el("span", { class: "muted" }, ` (${lat.toFixed(5)}, ${lon.toFixed(5)})`));
  }
  const assigned = clear($("#detail-assigned"));
  assigned.dataset.officerIds = (c.assignedOfficerIds || []).join(",");
  assigned.textContent = (c.assignedOfficerIds || []).map(officerName).join(", ") || "—";
  const attachments = clear($("#detail-attachments"));
  attachments.textContent = (c.attachments || []).map((a) => `${(a.kind || "").replace("ATTACHMENT_KIND_", "").toLowerCase()} (${Math.ceil(num(a.sizeBytes) / 1024)} KB)`).join(", ") || "—";
  $("#detail-description").textContent = c.description || "";

  renderTimeline(c.timeline || []);

  const actionable = ACTIONABLE.has(status);
  const canAssign = actionable && HANDLERS.has(state.role);
  $("#assign-form").hidden = !canAssign;
  $("#resolve-form").hidden = !actionable;
  if (canAssign) fillOfficerSelect(c);
}

function fillOfficerSelect(c) {
  const select = $("#assign-officer");
  const officers = state.officersByDistrict.get(c.districtCode) || [];
  const wanted = select.value;
  const signature = officers.map((o) => o.id).join(",");
  if (select.dataset.signature !== `${c.districtCode}:${signature}`) {
    clear(select);
    select.appendChild(el("option", { value: "" }, officers.length ? "Choose an officer · افسر منتخب کریں" : "No active officers in this district"));
    for (const o of officers) {
      const parts = [o.name || o.username, o.designation, o.departmentCode].filter(Boolean);
      select.appendChild(el("option", { value: o.id, "data-username": o.username || "", "data-name": o.name || "" }, `${parts.join(" — ")} (${o.username})`));
    }
    select.dataset.signature = `${c.districtCode}:${signature}`;
    if (wanted && officers.some((o) => o.id === wanted)) select.value = wanted;
  }
}

function renderTimeline(events) {
  const list = clear($("#detail-timeline"));
  if (events.length === 0) {
    list.appendChild(el("li", { class: "muted" }, "No events"));
    return;
  }
  for (const e of events) {
    const li = el("li", {});
    li.appendChild(timeElement(e.at));
    const who = el("span", { class: "actor" }, " ", e.actorName || "", e.actorName ? " (" : "", roleLabel(e.actorRole), e.actorName ? ")" : "");
    li.appendChild(who);
    li.appendChild(document.createTextNode(": "));
    const what = el("span", { class: "change" });
    if (e.status !== undefined) {
      what.appendChild(document.createTextNode("status → "));
      what.appendChild(statusBadge(e.status));
    } else if (e.remark !== undefined) {
      what.appendChild(el("q", { dir: "auto" }, e.remark));
    } else if (e.assigned !== undefined) {
      what.appendChild(document.createTextNode(`assigned to ${((e.assigned && e.assigned.officerIds) || []).map(officerName).join(", ") || "—"}`));
    } else if (e.escalatedTo !== undefined) {
      what.appendChild(document.createTextNode("escalated to "));
      what.appendChild(tierLabel(e.escalatedTo));
    } else if (e.transferredTo !== undefined) {
      what.appendChild(document.createTextNode("transferred to "));
      what.appendChild(jurisdictionLabel(e.transferredTo));
    } else if (e.feedback !== undefined) {
      const f = e.feedback || {};
      what.appendChild(document.createTextNode(`feedback: ${f.satisfied ? "satisfied" : "not satisfied"}, time ${num(f.timeRating)}/5, quality ${num(f.qualityRating)}/5`));
      if (f.comment) {
        what.appendChild(document.createTextNode(" "));
        what.appendChild(el("q", { dir: "auto" }, f.comment));
      }
    } else {
      what.appendChild(document.createTextNode("—"));
    }
    li.appendChild(what);
    list.appendChild(li);
  }
}

async function runAction(form, button, method, request, doneText) {
  const formError = form.querySelector(".form-error");
  announce($("#detail-message"), "", "info");
  announce($("#detail-error"), "", "error");
  announce(formError, "", "error");
  delete $("#detail").dataset.lastAction;
  delete $("#detail").dataset.lastError;
  state.busy = true;
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  try {
    const updated = await call(OFFICER + method, request);
    announce($("#detail-message"), `${doneText} ${updated.code || request.code}: ${(STATUS[statusName(updated.status)] || ["?"])[0]}.`, "ok");
    $("#detail").dataset.lastAction = method;
    await refreshDetail(false);
    $("#detail-message").scrollIntoView({ block: "nearest" });
    refreshQueue();
    refreshDashboard();
    return true;
  } catch (e) {
    if (e.code !== "unauthenticated") {
      announce(formError, errorText(e), "error");
      formError.scrollIntoView({ block: "nearest" });
    }
    $("#detail").dataset.lastError = e.code || "unknown";
    return false;
  } finally {
    state.busy = false;
    button.disabled = false;
    form.removeAttribute("aria-busy");
  }
}

async function onAssign(event) {
  event.preventDefault();
  const officerId = $("#assign-officer").value;
  if (!officerId) {
    announce($("#assign-error"), ["Choose an officer first.", "پہلے افسر منتخب کریں۔"], "error");
    $("#assign-officer").focus();
    return;
  }
  const request = { code: state.openCode, officerIds: [officerId] };
  const remark = $("#assign-remark").value.trim();
  if (remark) request.remark = remark;
  if (await runAction($("#assign-form"), $("#assign-submit"), "AssignComplaint", request, "Assigned")) $("#assign-remark").value = "";
}

async function onResolve(event) {
  event.preventDefault();
  const remarks = $("#resolve-remarks").value.trim();
  if (!remarks) {
    announce($("#resolve-error"), ["Describe the resolution first.", "حل کی تفصیل لکھیں۔"], "error");
    $("#resolve-remarks").focus();
    return;
  }
  if (await runAction($("#resolve-form"), $("#resolve-submit"), "ResolveComplaint", { code: state.openCode, remarks }, "Resolved")) {
    $("#resolve-remarks").value = "";
  }
}

// ---------------------------------------------------------------------------------------
// Start

function start() {
  $("#login-form").addEventListener("submit", onLoginSubmit);
  $("#logout-button").addEventListener("click", logout);
  $("#queue-tabs").addEventListener("keydown", onTabKey);
  $("#category-select").addEventListener("change", (e) => {
    state.category = e.target.value;
    state.pageSize = PAGE_STEP;
    refreshQueue();
  });
  $("#scope-select").addEventListener("change", (e) => {
    state.scope = e.target.value;
    state.pageSize = PAGE_STEP;
    state.trend = [];
    refreshQueue();
    refreshDashboard();
  });
  $("#load-more").addEventListener("click", () => {
    state.pageSize = Math.min(PAGE_MAX, state.pageSize + PAGE_STEP);
    refreshQueue();
  });
  $("#open-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const code = $("#open-code").value.trim().toUpperCase();
    if (code) openComplaint(code);
  });
  $("#detail-close").addEventListener("click", closeDetail);
  $("#assign-form").addEventListener("submit", onAssign);
  $("#resolve-form").addEventListener("submit", onResolve);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && state.openCode && !$("#detail").hidden) closeDetail();
  });

  if (session.token) enter();
  else showLogin();
}

start();
