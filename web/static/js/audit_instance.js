// One instance for auditors: the chain check, exports, a step-through player that replays the
// log event by event on the diagram (path taken, current tokens, this step), the data at that
// moment with the step's delta and rules version, and the whole timeline.
import { api, el, formatDateTime, t } from "./page.js";

const root = document.getElementById("audit-instance");
const instanceId = root.dataset.instanceId;
const player = { seq: 1, total: 0, events: [], viewer: null, version: null, marked: [], overlays: [] };
let stepPanel;
let timelineList;
let position;
let diagramBox;

function viewerReady() {
  if (window.BpmnJS) return Promise.resolve(window.BpmnJS);
  return new Promise((resolve, reject) => {
    const script = document.querySelector('script[src*="/vendor/bpmn-js/"]');
    if (!script) reject(new Error("bpmn-js is not on the page"));
    script.addEventListener("load", () => resolve(window.BpmnJS));
    script.addEventListener("error", () => reject(new Error("bpmn-js did not load")));
  });
}

const show = (value) => (value === null || value === undefined ? "–"
  : typeof value === "object" ? JSON.stringify(value, null, 1) : String(value));
const eventLabel = (type) => { const text = t(`event_${type}`); return text === `event_${type}` ? type : text; };

function header(body) {
  const { instance, verification } = body;
  const broken = verification.first_broken;
  const badge = verification.ok
    ? el("p", { class: "chain chain--ok", id: "chain-status" }, "✓ ", t("aud_chain_ok"))
    : el("p", { class: "chain chain--broken", id: "chain-status", role: "alert" }, "✗ ",
      t("aud_chain_broken", { seq: broken.seq, reason: broken.reason }));
  const exportLink = (format, label) => el("a", {
    class: "button button--quiet", download: "",
    href: `/api/v1/audit/instances/${instanceId}/export?format=${format}`,
  }, label);
  return el("div", { class: "audit-head" },
    el("h1", { tabindex: "-1" }, t("aud_instance_title", { key: instance.key, business_key: instance.business_key || "" })),
    el("p", { class: "subtitle" }, `${instance.key} v${instance.version} · ${t(`aud_state_${instance.state}`)} · `,
      formatDateTime(instance.created_at), instance.ended_at ? ` – ${formatDateTime(instance.ended_at)}` : ""),
    badge,
    instance.anonymised ? el("p", { class: "note" }, t("aud_anonymised_note")) : null,
    el("p", { class: "actions", "aria-label": t("aud_export") }, el("span", {}, `${t("aud_export")}:`),
      exportLink("json", t("aud_export_instance_json")), exportLink("csv", t("aud_export_instance_csv")),
      exportLink("pdf", t("aud_export_instance_pdf"))));
}

function controls() {
  const button = (id, label, text, target) => el("button", {
    type: "button", class: "button button--quiet", id, "aria-label": label,
    onclick: () => go(target()),
  }, text);
  position = el("span", { id: "position", class: "player__position", "aria-live": "polite" });
  return el("div", { class: "player__controls" },
    button("first", t("aud_first"), `« ${t("aud_first")}`, () => 1),
    button("prev", t("aud_prev"), `◀ ${t("aud_prev")}`, () => player.seq - 1),
    position,
    button("next", t("aud_next"), `${t("aud_next")} ▶`, () => player.seq + 1),
    button("last", t("aud_last"), `${t("aud_last")} »`, () => player.total));
}

function legend() {
  const item = (cls, text) => el("li", {}, el("span", { class: `swatch swatch--${cls}`, "aria-hidden": "true" }), text);
  return el("ul", { class: "legend" }, item("done", t("aud_legend_done")), item("token", t("aud_legend_token")),
    item("step", t("aud_legend_step")));
}

function timeline(events) {
  timelineList = el("ol", { class: "audit-timeline", id: "timeline" }, events.map((event) => el("li", {},
    el("button", { type: "button", class: "timeline__item", dataset: { seq: event.seq }, onclick: () => go(event.seq) },
      el("span", { class: "timeline__seq" }, String(event.seq)),
      el("span", { class: "timeline__what" }, eventLabel(event.type),
        event.element_name || event.element_id ? ` – ${event.element_name || event.element_id}` : ""),
      el("span", { class: "timeline__who" }, `${event.actor} · ${formatDateTime(event.at)}`)))));
  return el("section", { class: "panel", "aria-labelledby": "timeline-title" },
    el("h2", { id: "timeline-title" }, t("aud_timeline")), timelineList);
}

function deltaTable(delta) {
  if (!delta || !Object.keys(delta).length) return el("p", { class: "muted" }, t("aud_no_delta"));
  return el("table", { class: "table table--compact", id: "delta" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("aud_field")),
      el("th", { scope: "col" }, t("aud_before")), el("th", { scope: "col" }, t("aud_after")))),
    el("tbody", {}, Object.entries(delta).map(([field, change]) => el("tr", {},
      el("th", { scope: "row" }, field),
      el("td", {}, el("code", {}, show(change.before))),
      el("td", {}, el("code", {}, show(change.after)))))));
}

// One term and one value per key: flatMap, since el() flattens one level only (nested pairs
// came out as "[object HTMLElement]").
function dataList(data, id) {
  const entries = Object.entries(data || {});
  if (!entries.length) return el("p", { class: "muted", id }, t("aud_no_data"));
  return el("dl", { class: "data-list", id }, entries.flatMap(([key, value]) => [
    el("dt", {}, key), el("dd", {}, el("pre", { class: "data-value" }, show(value)))]));
}

function stepView(state, event) {
  const row = (label, value, id) => [el("dt", {}, label), el("dd", id ? { id } : {}, value)];
  const element = event.element_name ? `${event.element_name} (${event.element_id})` : event.element_id || "–";
  const submitted = event.type === "task_completed" || event.type === "instance_started"
    || event.type === "message_received";
  return [
    el("h3", { id: "step-title" }, `${event.seq}. ${eventLabel(event.type)}`),
    el("dl", { class: "details", id: "step-details" },
      row(t("aud_when"), formatDateTime(event.at)),
      row(t("aud_actor"), event.actor, "step-actor"),
      row(t("aud_element"), element, "step-element"),
      event.task_id ? row(t("aud_task_id"), el("code", {}, event.task_id)) : null,
      row(t("aud_rules_version"), event.definition_version ? `${event.definition_key} v${event.definition_version}` : "–",
        "step-version")),
    el("h4", {}, t("aud_delta")), deltaTable(event.delta),
    submitted && event.data ? el("details", { open: true, id: "submitted" }, el("summary", {}, t("aud_submitted")),
      dataList(event.data, "submitted-data")) : null,
    state ? el("h4", {}, t("aud_open_tasks")) : null,
    state ? (state.open_tasks.length
      ? el("ul", { id: "open-tasks" }, state.open_tasks.map((task) => el("li", {}, task.name || task.element_id,
        task.assignee ? ` (${t("aud_assignee", { user: task.assignee })})` : "")))
      : el("p", { class: "muted" }, t("aud_no_open_tasks"))) : null,
    state ? el("details", { id: "data-now", open: true }, el("summary", {}, t("aud_data_now")),
      dataList(state.data, "data-now-list")) : null,
  ];
}

async function loadDiagram(key, version) {
  if (player.viewer && player.version === `${key}:${version}`) return player.viewer;
  const xml = await api(`/api/v1/process-definitions/${encodeURIComponent(key)}/versions/${version}/xml`);
  if (!xml.ok) throw new Error(`diagram ${xml.status}`);
  const BpmnJS = await viewerReady();
  diagramBox.replaceChildren();
  player.viewer = new BpmnJS({ container: diagramBox });
  await player.viewer.importXML(xml.data);
  player.viewer.get("canvas").zoom("fit-viewport");
  player.fitted = player.viewer.get("canvas").zoom();
  player.version = `${key}:${version}`;
  player.marked = [];
  player.overlays = [];
  const svg = diagramBox.querySelector("svg");
  if (svg) {
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-labelledby", "diagram-title");
  }
  return player.viewer;
}

function mark(viewer, state, event) {
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  const overlays = viewer.get("overlays");
  for (const [id, cls] of player.marked) canvas.removeMarker(id, cls);
  for (const overlay of player.overlays) overlays.remove(overlay);
  player.marked = [];
  player.overlays = [];
  const add = (id, cls) => {
    if (!id || !registry.get(id)) return false;
    canvas.addMarker(id, cls);
    player.marked.push([id, cls]);
    return true;
  };
  const done = new Set(state ? state.path : []);
  const tokens = new Set(state ? state.tokens : []);
  for (const id of done) add(id, "audit-done");
  for (const flow of registry.filter((e) => e.type === "bpmn:SequenceFlow")) {
    const source = flow.businessObject.sourceRef?.id;
    const target = flow.businessObject.targetRef?.id;
    if (done.has(source) && (done.has(target) || tokens.has(target))) add(flow.id, "audit-done");
  }
  for (const id of tokens) {
    if (add(id, "audit-token")) {
      player.overlays.push(overlays.add(id, { position: { top: -10, right: 10 }, html: '<span class="token-dot">●</span>' }));
    }
  }
  const focus = registry.get(event.element_id || "") || registry.get([...tokens][0] || "");
  if (focus) {
    // Wide collaborations shrink to nothing when fitted: zoom in and bring the step into view.
    if (canvas.zoom() < 0.6) canvas.zoom(Math.max(player.fitted || 0, 0.75));
    canvas.scrollToElement(focus, { top: 120, bottom: 120, left: 200, right: 200 });
  }
  if (add(event.element_id, "audit-step")) {
    const badge = document.createElement("span");
    badge.className = "step-badge";
    badge.textContent = `${event.seq}: ${event.actor}`;
    player.overlays.push(overlays.add(event.element_id, { position: { bottom: -6, left: 0 }, html: badge }));
  }
}

// Scroll the timeline's own box only: scrollIntoView would move the page, and with it the
// controls and the diagram, off screen at every step.
function keepInList(item) {
  const box = timelineList.getBoundingClientRect();
  const rect = item.getBoundingClientRect();
  const top = rect.top - box.top + timelineList.scrollTop;
  const bottom = top + rect.height;
  if (top < timelineList.scrollTop) timelineList.scrollTop = top;
  else if (bottom > timelineList.scrollTop + timelineList.clientHeight) {
    timelineList.scrollTop = bottom - timelineList.clientHeight;
  }
}

async function go(seq) {
  if (seq < 1 || seq > player.total) return;
  player.seq = seq;
  history.replaceState(null, "", `#seq=${seq}`);
  const event = player.events[seq - 1];
  position.textContent = t("aud_position", { seq, total: player.total });
  document.getElementById("first").disabled = seq === 1;
  document.getElementById("prev").disabled = seq === 1;
  document.getElementById("next").disabled = seq === player.total;
  document.getElementById("last").disabled = seq === player.total;
  for (const item of timelineList.querySelectorAll("button")) {
    if (Number(item.dataset.seq) === seq) {
      item.setAttribute("aria-current", "step");
      keepInList(item);
    } else item.removeAttribute("aria-current");
  }
  let state = null;
  let problem = null;
  if (!player.anonymised) {
    const result = await api(`/api/v1/process-instances/${instanceId}/history/${seq}/state`);
    if (player.seq !== seq) return;  // the user moved on while this loaded
    if (result.ok) state = result.data;
    else problem = result.data?.error?.message || String(result.status);
  }
  stepPanel.replaceChildren(...stepView(state, event).filter(Boolean),
    problem ? el("p", { class: "alert" }, t("aud_replay_failed", { message: problem })) : "");
  try {
    const viewer = await loadDiagram(event.definition_key || player.key, event.definition_version || player.version0);
    mark(viewer, state, event);
  } catch {
    diagramBox.replaceChildren(el("p", { class: "alert" }, t("diagram_failed")));
  }
}

async function main() {
  const result = await api(`/api/v1/audit/instances/${instanceId}`);
  if (!result.ok) {
    root.replaceChildren(el("p", { class: "alert", role: "alert" }, result.data?.error?.message || t("error_generic")));
    return;
  }
  const body = result.data;
  player.events = body.events;
  player.total = body.events.length;
  player.key = body.instance.key;
  player.version0 = body.instance.version;
  player.anonymised = body.instance.anonymised;
  diagramBox = el("div", { class: "diagram diagram--audit", id: "audit-diagram" });
  stepPanel = el("div", { id: "step", class: "player__step", "aria-live": "polite" });
  root.replaceChildren(
    header(body),
    el("section", { class: "panel player", "aria-labelledby": "player-title" },
      el("h2", { id: "player-title" }, t("aud_player")),
      controls(),
      el("div", { class: "player__body" },
        el("div", { class: "player__diagram" }, el("h3", { id: "diagram-title" }, t("aud_diagram")), legend(), diagramBox),
        el("div", { class: "player__side" }, el("h3", { class: "visually-hidden" }, t("aud_step")), stepPanel))),
    timeline(body.events));
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, select, textarea")) return;
    if (event.key === "ArrowRight") go(player.seq + 1);
    if (event.key === "ArrowLeft") go(player.seq - 1);
  });
  const wanted = Number(new URLSearchParams(location.hash.slice(1)).get("seq")) || 1;
  await go(Math.min(Math.max(wanted, 1), player.total));
}

main();
