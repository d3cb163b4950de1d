// The complaint queue of the officer dashboard: the tabs (ordered by role), the category
// filter, and the list (OfficerService/ListComplaints, merged and sorted), updated in place
// so that unchanged rows and the keyboard focus survive a refresh.

import { call, num } from "./api.js";
import { $, el, clear, bi, errorText, formatNumber, ageDays, statusBadge, statusName, tierName, TIER } from "./ui.js";
import { OFFICER, PAGE_STEP, PAGE_MAX, UNRESOLVED, state } from "./dashboard-state.js";
import { plainName } from "./dashboard-reference.js";

const FIRST_ESCALATION_DAYS = 15;
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

export function buildTabs() {
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

export function onTabKey(event) {
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

export async function refreshQueue() {
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
    // A click on the code opens the complaint (one listener on #queue-rows, in dashboard.js).
    const button = el("button", { type: "button", class: "link-button code", "data-open": c.code, "aria-label": `Open complaint ${c.code}` }, c.code);
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
