// Reference data of the officer dashboard: categories and jurisdictions (CitizenService, no
// sign-in needed) for names in English and Urdu, and the scope picker of the Commissioner and
// the Chief Secretary.

import { call } from "./api.js";
import { $, el, clear, bi } from "./ui.js";
import { CITIZEN, state } from "./dashboard-state.js";

export async function loadReferenceData() {
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

export function jurisdictionLabel(code) {
  const j = state.jurisdictions.get(code);
  if (!j) return document.createTextNode(code || "—");
  return bi(j.name || code, j.nameUrdu);
}

export function plainName(map, code) {
  const x = map.get(code);
  return (x && x.name) || code || "—";
}

export function categoryLabel(code) {
  const c = state.categories.get(code);
  if (!c) return document.createTextNode(code || "—");
  return bi(c.name || code, c.nameUrdu);
}

// Commissioners and the Chief Secretary may narrow the view to a division or district.
export function buildScopeSelect() {
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
