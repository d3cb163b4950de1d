// One complaint in the officer dashboard's side panel (OfficerService/GetComplaint): its
// fields, the officers of its district for the Assign form, and the Assign and Resolve actions.

import { call, num } from "./api.js";
import { $, el, clear, announce, errorText, timeElement, ageDays, statusBadge, statusName, tierLabel, roleName, STATUS } from "./ui.js";
import { OFFICER, HANDLERS, UNRESOLVED, state } from "./dashboard-state.js";
import { jurisdictionLabel, categoryLabel } from "./dashboard-reference.js";
import { renderTimeline, officerName } from "./dashboard-timeline.js";
import { refreshQueue } from "./dashboard-queue.js";
import { refreshDashboard } from "./dashboard-figures.js";
import { refreshTrend } from "./dashboard-trend.js";

const ACTIONABLE = new Set([...UNRESOLVED, "COMPLAINT_STATUS_SYSTEMIC"]);

export async function openComplaint(code) {
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

export function closeDetail() {
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

export async function refreshDetail(reloadOfficers) {
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
    refreshTrend(true);
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

export async function onAssign(event) {
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

export async function onResolve(event) {
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
