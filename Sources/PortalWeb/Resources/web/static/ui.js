// DOM helpers and bilingual (English · Urdu) labels shared by both pages. Every piece of
// data reaches the page through textContent or attribute setters, never as markup.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = String(v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function urdu(text) {
  return el("span", { lang: "ur", dir: "rtl", class: "ur" }, text);
}

// "English · اردو" as a fragment of two spans.
export function bi(en, ur) {
  const frag = document.createDocumentFragment();
  frag.appendChild(el("span", { class: "en" }, en));
  if (ur) {
    frag.appendChild(el("span", { class: "sep", "aria-hidden": "true" }, " · "));
    frag.appendChild(urdu(ur));
  }
  return frag;
}

export const STATUS = {
  COMPLAINT_STATUS_UNSPECIFIED: ["Unknown", "نامعلوم", "unknown"],
  COMPLAINT_STATUS_NEW: ["New", "نئی", "new"],
  COMPLAINT_STATUS_ASSIGNED: ["Assigned", "تفویض شدہ", "assigned"],
  COMPLAINT_STATUS_INFO_REQUESTED: ["Information requested", "معلومات طلب", "info"],
  COMPLAINT_STATUS_RESOLVED: ["Resolved", "حل شدہ", "resolved"],
  COMPLAINT_STATUS_CLOSED: ["Closed", "بند", "closed"],
  COMPLAINT_STATUS_REOPENED: ["Reopened", "دوبارہ کھولی گئی", "reopened"],
  COMPLAINT_STATUS_SYSTEMIC: ["Systemic issue", "نظامی مسئلہ", "systemic"],
};

export const TIER = {
  TIER_UNSPECIFIED: ["—", ""],
  TIER_DISTRICT: ["District", "ضلع"],
  TIER_DIVISION: ["Division", "ڈویژن"],
  TIER_PROVINCE: ["Province", "صوبہ"],
};

export const ROLE = {
  ROLE_UNSPECIFIED: ["Unknown role", ""],
  ROLE_CITIZEN: ["Citizen", "شہری"],
  ROLE_DEPARTMENT_OFFICER: ["Department officer", "محکمہ افسر"],
  ROLE_DEPUTY_COMMISSIONER: ["Deputy Commissioner", "ڈپٹی کمشنر"],
  ROLE_COMMISSIONER: ["Commissioner", "کمشنر"],
  ROLE_CHIEF_SECRETARY: ["Chief Secretary", "چیف سیکرٹری"],
  ROLE_ADMIN: ["Administrator", "منتظم"],
};

// StatusCounts fields with their labels and chart colour keys.
export const COUNT_FIELDS = [
  ["new", "New", "نئی"],
  ["pending", "In progress", "زیر کارروائی"],
  ["resolved", "Resolved", "حل شدہ"],
  ["closed", "Closed", "بند"],
  ["systemic", "Systemic", "نظامی"],
];

// Enum values arrive by name; tolerate numbers too (a gateway option some servers offer).
const STATUS_BY_NUMBER = Object.keys(STATUS);
const TIER_BY_NUMBER = Object.keys(TIER);
const ROLE_BY_NUMBER = Object.keys(ROLE);
function enumName(value, byNumber) {
  if (typeof value === "number") return byNumber[value] || byNumber[0];
  return value || byNumber[0];
}
export const statusName = (v) => enumName(v, STATUS_BY_NUMBER);
export const tierName = (v) => enumName(v, TIER_BY_NUMBER);
export const roleName = (v) => enumName(v, ROLE_BY_NUMBER);

export function statusBadge(value) {
  const name = statusName(value);
  const [en, ur, key] = STATUS[name] || [name, "", "unknown"];
  return el("span", { class: `badge status-${key}`, "data-status": name }, bi(en, ur));
}

export function tierLabel(value) {
  const [en, ur] = TIER[tierName(value)] || ["—", ""];
  return bi(en, ur);
}

export function roleLabel(value) {
  const [en, ur] = ROLE[roleName(value)] || [String(value), ""];
  return bi(en, ur);
}

const numberFormat = new Intl.NumberFormat("en-PK");
export function formatNumber(n) {
  return numberFormat.format(Number(n) || 0);
}

// Timestamps are RFC 3339 strings in proto3 JSON; shown in Pakistan Standard Time.
const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  year: "numeric",
  month: "short",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "Asia/Karachi",
});
export function formatTime(ts) {
  if (!ts) return "—";
  const d = new Date(ts);
  return Number.isNaN(+d) ? String(ts) : `${dateTimeFormat.format(d)} PKT`;
}

export function timeElement(ts) {
  return el("time", { datetime: ts || undefined }, formatTime(ts));
}

export function ageDays(ts, now = Date.now()) {
  if (!ts) return 0;
  const d = new Date(ts);
  return Number.isNaN(+d) ? 0 : Math.floor((now - d) / 86400000);
}

// Announce a short message to screen readers and show it in a status line.
// `text` is a string, or [english, urdu] to show both with the Urdu marked up as such.
export function announce(node, text, kind = "info") {
  if (Array.isArray(text)) {
    clear(node);
    node.appendChild(bi(text[0], text[1]));
  } else {
    node.textContent = text;
  }
  node.dataset.kind = kind;
  node.hidden = !text || (Array.isArray(text) && !text[0]);
}

export function errorText(error) {
  if (!error) return "";
  const code = error.code || "unknown";
  return `${error.message || "Request failed"} (${code})`;
}
