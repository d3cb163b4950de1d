// The officer dashboard's entry point: wires the page's controls to the modules that do the
// work, then shows the sign-in form or, with a session token from this tab, the dashboard.
//
//   dashboard-state.js      shared state and constants
//   dashboard-session.js    sign-in, sign-out, GetMe
//   dashboard-reference.js  categories, jurisdictions, the scope picker
//   dashboard-polling.js    refresh every 5 s (the weeks every 60 s) while the tab is visible
//   dashboard-figures.js    overview cards, charts, officers' table (GetDashboard)
//   dashboard-trend.js      the last 8 weeks (GetDashboard per week)
//   dashboard-queue.js      tabs, filters and the complaint list (ListComplaints)
//   dashboard-detail.js     one complaint, Assign and Resolve (GetComplaint)
//   dashboard-timeline.js   a complaint's timeline

import { session } from "./api.js";
import { $ } from "./ui.js";
import { PAGE_STEP, PAGE_MAX, state } from "./dashboard-state.js";
import { enter, logout, onLoginSubmit, showLogin } from "./dashboard-session.js";
import { refreshDashboard } from "./dashboard-figures.js";
import { refreshTrend } from "./dashboard-trend.js";
import { onTabKey, refreshQueue } from "./dashboard-queue.js";
import { closeDetail, onAssign, onResolve, openComplaint } from "./dashboard-detail.js";

function start() {
  $("#login-form").addEventListener("submit", onLoginSubmit);
  $("#logout-button").addEventListener("click", logout);
  $("#queue-tabs").addEventListener("keydown", onTabKey);
  $("#queue-rows").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-open]");
    if (button) openComplaint(button.dataset.open);
  });
  $("#category-select").addEventListener("change", (e) => {
    state.category = e.target.value;
    state.pageSize = PAGE_STEP;
    refreshQueue();
  });
  $("#scope-select").addEventListener("change", (e) => {
    state.scope = e.target.value;
    state.pageSize = PAGE_STEP;
    refreshQueue();
    refreshDashboard();
    refreshTrend(true);
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
