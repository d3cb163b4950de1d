// The Connect-protocol unary call over JSON, as the gateway serves it:
//   POST /portal.v1.<Service>/<Method>, Content-Type: application/json,
//   body = the request message in proto3 canonical JSON.
// Every failure becomes a thrown RpcError with a Connect code ("permission_denied", ...)
// and the server's message, so pages can show { code, message } as they came.

const TOKEN_KEY = "portal.staff.token";
const DEFAULT_TIMEOUT_MS = 15000;

// HTTP status → Connect code, for error bodies that are not Connect JSON (a proxy's page).
const STATUS_CODES = {
  400: "invalid_argument",
  401: "unauthenticated",
  403: "permission_denied",
  404: "not_found",
  408: "deadline_exceeded",
  409: "aborted",
  412: "failed_precondition",
  413: "resource_exhausted",
  429: "resource_exhausted",
  499: "canceled",
  501: "unimplemented",
  502: "unavailable",
  503: "unavailable",
  504: "deadline_exceeded",
};

export class RpcError extends Error {
  constructor(code, message, httpStatus = 0) {
    super(message || code);
    this.name = "RpcError";
    this.code = code;
    this.httpStatus = httpStatus;
  }

  toJSON() {
    return { code: this.code, message: this.message };
  }
}

// The staff session token, kept for this tab only (sessionStorage, not a cookie: it travels
// in the Authorization header, so cross-site requests never carry it).
export const session = {
  get token() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || "";
    } catch {
      return "";
    }
  },
  set token(value) {
    try {
      if (value) sessionStorage.setItem(TOKEN_KEY, value);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // Storage disabled: the session lasts until the page is left.
    }
  },
  clear() {
    this.token = "";
  },
};

// Listeners told when a call comes back unauthenticated (expired or revoked session).
const unauthenticatedListeners = new Set();
export function onUnauthenticated(listener) {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

async function errorFrom(response) {
  let code = STATUS_CODES[response.status] || (response.status >= 500 ? "internal" : "unknown");
  let message = `HTTP ${response.status}`;
  try {
    const text = await response.text();
    if (text) {
      try {
        const body = JSON.parse(text);
        if (body && typeof body.code === "string" && body.code) code = body.code;
        if (body && typeof body.message === "string" && body.message) message = body.message;
      } catch {
        // Not JSON: keep the mapping from the HTTP status.
      }
    }
  } catch {
    // Body unreadable: keep the mapping from the HTTP status.
  }
  return new RpcError(code, message, response.status);
}

/**
 * Calls one unary RPC.
 * @param {string} method "portal.v1.OfficerService/GetMe"
 * @param {object} request the request message as proto3 JSON ({} for an empty message)
 * @param {{auth?: boolean, timeoutMs?: number, signal?: AbortSignal}} options
 * @returns {Promise<object>} the response message as proto3 JSON (defaults omitted)
 */
export async function call(method, request = {}, options = {}) {
  const { auth = true, timeoutMs = DEFAULT_TIMEOUT_MS, signal } = options;
  const headers = {
    "Content-Type": "application/json",
    Accept: "application/json",
    "Connect-Protocol-Version": "1",
    "Connect-Timeout-Ms": String(timeoutMs),
  };
  const token = session.token;
  if (auth && token) headers.Authorization = `Bearer ${token}`;

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const abort = () => controller.abort();
  if (signal) {
    if (signal.aborted) controller.abort();
    else signal.addEventListener("abort", abort, { once: true });
  }

  let response;
  try {
    response = await fetch(`/${method}`, {
      method: "POST",
      headers,
      body: JSON.stringify(request ?? {}),
      credentials: "omit",
      cache: "no-store",
      signal: controller.signal,
    });
  } catch (e) {
    if (signal && signal.aborted) throw new RpcError("canceled", "The request was cancelled.");
    if (controller.signal.aborted) throw new RpcError("deadline_exceeded", "The server did not answer in time.");
    throw new RpcError("unavailable", "Cannot reach the server. Check the connection and try again.");
  } finally {
    clearTimeout(timer);
    if (signal) signal.removeEventListener("abort", abort);
  }

  if (!response.ok) {
    const error = await errorFrom(response);
    if (error.code === "unauthenticated" && auth) {
      for (const listener of unauthenticatedListeners) {
        try {
          listener(error);
        } catch {
          // A listener's failure must not hide the call's error.
        }
      }
    }
    throw error;
  }
  const text = await response.text();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new RpcError("internal", "The server sent a response that is not JSON.", response.status);
  }
}

// proto3 JSON helpers: 64-bit integers arrive as strings, defaults are omitted.
export function num(value) {
  if (value === undefined || value === null || value === "") return 0;
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

export function counts(statusCounts) {
  const c = statusCounts || {};
  return {
    new: num(c.new),
    pending: num(c.pending),
    resolved: num(c.resolved),
    closed: num(c.closed),
    systemic: num(c.systemic),
    total: num(c.total),
  };
}
