// One case as its participant sees it: where it stands, deadlines, tasks, documents, data,
// the diagram and the history.
import { fieldsNode, nameMunicipalities } from "./case_data.js";
import { showDiagram } from "./diagram.js";
import {
  announce, api, el, flash, formatDate, formatDateTime, processNames, showFlash, t,
} from "./page.js";

const root = document.getElementById("case");
const instanceId = root.dataset.instanceId;
nameMunicipalities(JSON.parse(root.dataset.municipalities || "{}"));
const HISTORY_TYPES = new Set(["instance_started", "task_completed", "message_received", "timer_fired",
  "instance_completed", "instance_cancelled", "case_cancel_requested", "instance_suspended",
  "instance_resumed"]);

// What the case waits for: its open tasks, else a deadline timer ahead (the interest or
// application deadline), as «Mine saker» says it.
function waiting(item) {
  if (item.waiting_for.length) return item.waiting_for.join(", ");
  if (item.state === "running" && item.next_due_at) return t("case_waits_for_deadline");
  return t("case_nothing_waits");
}

function panel(id, title, ...content) {
  return el("section", { class: "panel", "aria-labelledby": id }, el("h2", { id }, title), ...content);
}

function taskItem(task) {
  const who = task.assignee_name || task.municipality_name || "";
  const due = task.due_at ? ` · ${t("due")}: ${formatDate(task.due_at)}` : "";
  const name = task.may_open ? el("a", { href: `/tasks/${task.id}` }, task.name) : el("span", {}, task.name);
  const held = task.suspended ? [" ", el("span", { class: "badge badge--hold" }, t("task_on_hold"))] : [];
  return el("li", {}, name, ...held, el("span", { class: "muted" }, `${who ? ` ${t("case_with", { who })}` : ""}${due}`));
}

function documentsPanel(documents) {
  const body = documents.length
    ? el("ul", { class: "documents" }, documents.map((d) => el("li", {},
      el("a", { href: d.url, target: "_blank", rel: "noopener", "data-kind": d.kind }, d.title))))
    : el("p", { class: "muted" }, t("case_documents_none"));
  return panel("documents-title", t("case_documents"), body);
}

async function historyPanel() {
  const list = el("ol", { class: "history" });
  const result = await api(`/api/v1/process-instances/${instanceId}/history`);
  const events = result.ok ? result.data.events.filter((e) => HISTORY_TYPES.has(e.type)) : [];
  list.replaceChildren(...events.map((e) => el("li", {},
    el("time", { datetime: e.at }, formatDateTime(e.at)),
    el("span", { class: "history__what" }, t(`event_${e.type}`), e.element_name ? `: ${e.element_name}` : ""),
    e.data?.reason ? el("span", { class: "history__why" }, `${t(e.type === "case_cancel_requested" ? "case_cancel_reason" : "case_reason")}: ${e.data.reason}`) : null,
    (e.actor_name || e.actor) ? el("span", { class: "history__who" }, `${t("by")} ${e.actor_name || e.actor}`) : null)));
  return panel("history-title", t("history"), events.length ? list : el("p", { class: "muted" }, t("history_empty")));
}

function diagramPanel(item) {
  const canvas = el("div", { class: "diagram", id: "diagram" });
  const section = el("section", { class: "panel panel--wide", "aria-labelledby": "diagram-title" },
    el("h2", { id: "diagram-title" }, t("diagram")), el("p", { class: "muted" }, t("diagram_current")), canvas);
  const tools = el("div", { class: "actions diagram-tools", role: "group", "aria-label": t("diagram_zoom") });
  section.insertBefore(tools, canvas);
  showDiagram(canvas, { key: item.key, version: item.version, marked: item.open_elements })
    .then((viewer) => {
      const view = viewer.get("canvas");
      const zoom = (factor) => view.zoom(view.zoom() * factor, "auto");
      tools.append(
        el("button", { type: "button", class: "button", onclick: () => zoom(1.25) }, t("diagram_zoom_in")),
        el("button", { type: "button", class: "button", onclick: () => zoom(0.8) }, t("diagram_zoom_out")),
        el("button", { type: "button", class: "button", onclick: () => view.zoom("fit-viewport", "auto") },
          t("diagram_zoom_fit")),
        el("span", { class: "hint" }, t("diagram_drag")));
    })
    .catch(() => canvas.replaceWith(el("p", { class: "muted" }, t("diagram_failed"))));
  return section;
}

// A life-cycle command with a reason: cancel (starter, process owner, admin), suspend and
// resume (process owner, admin). The reason goes in the case's history.
function reasonPanel(kind, { danger = false } = {}) {
  const id = `${kind}-reason`;
  const errorEl = el("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const reason = el("textarea", { id, name: "reason", rows: 3, maxlength: 2000, "aria-required": "true" });
  const button = el("button", { type: "submit", class: `button ${danger ? "button--danger" : "button--secondary"}` },
    t(`case_${kind}_button`));
  const form = el("form", { class: "stack", novalidate: true },
    el("div", { class: "field" }, el("label", { for: id }, t(`case_${kind}_reason`),
      el("span", { class: "required-tag" }, ` (${t("required")})`)), errorEl, reason), button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api(`/api/v1/cases/${instanceId}/${kind}`, { method: "POST", body: { reason: reason.value } });
    if (result.ok) {
      flash(t(`case_${kind}_ok`));
      window.location.reload();
      return;
    }
    const messages = result.data?.error?.details?.reason;
    if (messages) {
      errorEl.textContent = messages.join(" ");
      errorEl.hidden = false;
      reason.setAttribute("aria-invalid", "true");
      reason.setAttribute("aria-describedby", errorEl.id);
      reason.focus();
    } else announce(result.data?.error?.message || t("error_generic"), "error");
  });
  return panel(`${kind}-title`, t(`case_${kind}_title`), el("p", { class: "hint" }, t(`case_${kind}_intro`)), form);
}

function lifecyclePanels(item) {
  return [
    item.may_suspend ? reasonPanel("suspend") : null,
    item.may_resume ? reasonPanel("resume") : null,
    item.may_cancel ? reasonPanel("cancel", { danger: true }) : null,
  ];
}

async function render(item, names) {
  const title = `${names.get(item.key) || item.key}${item.business_key ? ` · ${item.business_key}` : ""}`;
  document.title = `${title} – ${t("app_name")}`;
  const row = (label, value) => [el("dt", {}, label), el("dd", {}, value)];
  const facts = el("dl", { class: "details" },
    // The case's state (running, completed ...); the routine's own status is under its data.
    row(t("case_state"), t(`case_state_${item.state}`)),
    row(t("case_waiting_for"), waiting(item)),
    row(t("case_next_due"), item.next_due_at ? formatDateTime(item.next_due_at) : t("none")),
    row(t("case_started"), formatDate(item.created_at)),
    item.cancel_reason ? row(t("case_cancel_reason"), item.cancel_reason) : null,
    item.suspend_reason ? row(t("case_suspend_reason"), item.suspend_reason) : null);
  const data = fieldsNode(item.data, item.key, item.applicants);
  root.replaceChildren(
    el("div", { class: "page-head" }, el("h1", { tabindex: "-1" }, title)),
    el("div", { class: "task-layout" },
      el("div", { class: "task-main" },
        panel("facts-title", t("case_title"), facts),
        panel("open-title", t("case_open_tasks"), item.open_tasks.length
          ? el("ul", { class: "case-tasks" }, item.open_tasks.map(taskItem))
          : el("p", { class: "muted" }, t("case_open_none"))),
        documentsPanel(item.documents),
        data ? panel("data-title", t("case_data"), data) : null,
        ...lifecyclePanels(item)),
      el("div", { class: "task-aside" },
        panel("mine-title", t("case_my_tasks"), item.my_tasks.length
          ? el("ul", { class: "case-tasks" }, item.my_tasks.map((task) => el("li", {},
            el("a", { href: `/tasks/${task.id}` }, task.name), " ",
            el("span", { class: "muted" }, formatDate(task.completed_at)))))
          : el("p", { class: "muted" }, t("case_my_none"))),
        await historyPanel())),
    diagramPanel(item));
}

showFlash();
const names = await processNames();
const result = await api(`/api/v1/cases/${instanceId}`);
if (result.ok) await render(result.data, names);
else {
  root.replaceChildren(el("h1", {}, t("case_title")),
    el("p", { class: "alert alert--error" }, result.status === 404 ? t("error_not_found") : t("load_failed")));
}
