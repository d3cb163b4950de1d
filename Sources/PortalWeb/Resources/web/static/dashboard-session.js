// Signing in and out of the officer dashboard: the Login form, Logout, an expired session,
// and GetMe, which decides the role, the tabs and the scope shown after sign-in.

import { call, session, onUnauthenticated } from "./api.js";
import { $, el, clear, announce, errorText, roleLabel, roleName } from "./ui.js";
import { OFFICER, PAGE_STEP, state } from "./dashboard-state.js";
import { loadReferenceData, buildScopeSelect } from "./dashboard-reference.js";
import { buildTabs } from "./dashboard-queue.js";
import { poll, stopPolling } from "./dashboard-polling.js";
import { resetTrend } from "./dashboard-trend.js";

function showView(view) {
  document.body.dataset.view = view;
  $("#login-view").hidden = view !== "login";
  $("#app-view").hidden = view !== "app";
  $("#user-box").hidden = view !== "app";
}

export function showLogin(message = "") {
  stopPolling();
  state.generation += 1;
  state.me = null;
  state.openCode = "";
  state.openComplaint = null;
  resetTrend();
  showView("login");
  announce($("#login-error"), message, "error");
  $("#login-password").value = "";
  $("#login-username").focus();
}

export async function onLoginSubmit(event) {
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

export async function logout() {
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
export async function enter() {
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
  resetTrend();
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
