// The timeline of one complaint in the detail panel, and officers' names as the dashboard
// has learnt them (ListOfficers, the officers' table).

import { num } from "./api.js";
import { $, el, clear, timeElement, statusBadge, tierLabel, roleLabel } from "./ui.js";
import { state } from "./dashboard-state.js";
import { jurisdictionLabel } from "./dashboard-reference.js";

export function officerName(id) {
  return state.officerNames.get(id) || `#${id}`;
}

export function renderTimeline(events) {
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
