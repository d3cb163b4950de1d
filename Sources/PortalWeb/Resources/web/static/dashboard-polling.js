// Polling of the officer dashboard: the figures, the queue and the open complaint every 5 s,
// the weekly chart every 60 s, while the tab is visible; nothing while it is hidden, and at
// once when it shows again.

import { state } from "./dashboard-state.js";
import { refreshDashboard } from "./dashboard-figures.js";
import { refreshTrend } from "./dashboard-trend.js";
import { refreshQueue } from "./dashboard-queue.js";
import { refreshDetail } from "./dashboard-detail.js";

const POLL_MS = 5000;

export function stopPolling() {
  clearTimeout(state.pollTimer);
  state.pollTimer = 0;
}

function schedulePoll() {
  stopPolling();
  if (document.visibilityState === "hidden" || !state.me) return;
  state.pollTimer = setTimeout(poll, POLL_MS);
}

export async function poll() {
  if (state.polling || !state.me) return;
  state.polling = true;
  const generation = state.generation;
  try {
    // refreshTrend reloads the weeks only when they are a minute old.
    const jobs = [refreshDashboard(), refreshQueue(), refreshTrend()];
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
