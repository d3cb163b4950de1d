// The officer dashboard's shared state and the constants its modules agree on: the RPC
// service prefixes, the roles that handle complaints, and what the page currently shows.

export const OFFICER = "portal.v1.OfficerService/";
export const CITIZEN = "portal.v1.CitizenService/";

// The queue grows by PAGE_STEP rows per "Show more", up to PAGE_MAX.
export const PAGE_STEP = 50;
export const PAGE_MAX = 500;

// Statuses of a complaint still waiting for its resolution.
export const UNRESOLVED = new Set(["COMPLAINT_STATUS_NEW", "COMPLAINT_STATUS_ASSIGNED", "COMPLAINT_STATUS_INFO_REQUESTED", "COMPLAINT_STATUS_REOPENED"]);

// Roles that may assign complaints (the department officer may only resolve).
export const HANDLERS = new Set(["ROLE_DEPUTY_COMMISSIONER", "ROLE_COMMISSIONER", "ROLE_CHIEF_SECRETARY"]);

export const state = {
  me: null,
  role: "",
  // The jurisdiction the figures and the queue are narrowed to; "" for the caller's own.
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
  // The weekly chart: its scope, when it was loaded, and a counter that outdates older loads.
  trend: { scope: null, loadedAt: 0, run: 0 },
  pollTimer: 0,
  polling: false,
  // Bumped at every sign-in and sign-out: answers to calls of an older generation are dropped.
  generation: 0,
  // An assign or resolve is under way: polling leaves the detail panel alone.
  busy: false,
};
