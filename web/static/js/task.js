// The task page: details, claim/unclaim, instructions, the form and its completion,
// the process diagram with the task marked, and the instance's history.
import { fieldsNode } from "./case_data.js";
import { showDiagram } from "./diagram.js";
import { followFixes, renderForm } from "./form.js";
import { markdownToHtml } from "./markdown.js";
import {
  announce, api, dueText, el, errorSummary, flash, lang, formatDate, formatDateTime, processNames, showFlash, t,
  username,
} from "./page.js";

const root = document.getElementById("task");
const taskId = root.dataset.taskId;
const HISTORY_TYPES = new Set(["instance_started", "task_ready", "task_claimed", "task_unclaimed",
  "task_completed", "task_cancelled", "message_received", "timer_fired", "instance_completed",
  "instance_cancelled", "instance_suspended", "instance_resumed"]);
let names = new Map();

function problem(status) {
  if (status === 403) return t("error_forbidden");
  if (status === 404) return t("error_not_found");
  if (status === 409) return t("error_conflict");
  return t("error_generic");
}

function details(task) {
  const row = (label, value) => [el("dt", {}, label), el("dd", {}, value)];
  const due = task.due_at
    ? [el("time", { datetime: task.due_at }, formatDate(task.due_at)),
      task.is_overdue ? el("span", { class: "badge badge--overdue" }, t("overdue")) : null,
      dueText(task) ? el("span", { class: "due__left", id: "due-left" }, dueText(task)) : null]
    : t("none");
  return el("section", { class: "panel", "aria-labelledby": "details-title" },
    el("h2", { id: "details-title" }, t("details")),
    el("dl", { class: "details" },
      row(t("process"), names.get(task.process_key) || task.process_key),
      row(t("business_key"), task.business_key || t("none")),
      row(t("municipality"), task.municipality_name || task.municipality_id || t("none")),
      row(t("created"), el("time", { datetime: task.created_at }, formatDate(task.created_at))),
      row(t("due"), due),
      row(t("assignee"), task.assignee || t("unassigned"))));
}

function claimBar(task) {
  let text;
  let button = null;
  if (task.state !== "open") text = t("task_done");
  else if (task.suspended) text = t("task_on_hold_claim"); // nobody claims or works on it now
  else if (task.assignee === username) {
    text = t("claimed_by_you");
    button = el("button", { type: "button", class: "button button--secondary", id: "unclaim",
      onclick: () => act("unclaim", t("unclaimed_ok")) }, t("unclaim"));
  } else if (task.assignee) text = t("claimed_by", { user: task.assignee });
  else {
    text = t("not_claimed");
    if (task.may_work) {
      button = el("button", { type: "button", class: "button button--primary", id: "claim",
        onclick: () => act("claim", t("claimed_ok")) }, t("claim"));
    }
  }
  return el("div", { class: "claim-bar" }, el("p", {}, text), button);
}

async function act(action, message) {
  const result = await api(`/api/v1/tasks/${taskId}/${action}`, { method: "POST", body: {} });
  if (!result.ok) {
    announce(problem(result.status), "error");
    return;
  }
  await render(result.data);
  announce(message, "success");
  document.getElementById(action === "claim" ? "unclaim" : "claim")?.focus();
}

function formSection(task) {
  const section = el("section", { class: "panel", "aria-labelledby": "form-title" });
  const schema = task.form?.schema;
  const readOnly = !task.may_work;
  const english = lang === "en";
  const title = (english && schema?.["x-title-en"]) || schema?.title || t("form");
  const description = (english && schema?.["x-description-en"]) || schema?.description;
  section.append(el("h2", { id: "form-title" }, title));
  if (description) section.append(el("p", { class: "lead" }, description));
  if (task.suspended) section.append(holdNote(task));
  else if (readOnly && task.state === "open") section.append(el("p", { class: "note" }, t("task_read_only")));
  const summarySlot = el("div");
  const form = schema ? renderForm(schema, task.form.ui_schema, task.data, { readOnly }) : null;
  const submit = readOnly ? null : el("button", { type: "submit", class: "button button--primary" }, t("complete"));
  const draft = readOnly || !form ? null : el("button", { type: "button", class: "button", id: "save-draft",
    onclick: () => saveDraft(draft, form) }, t("save_draft"));
  const formEl = el("form", { novalidate: true, class: "stack", id: "task-form" },
    summarySlot, form ? form.node : el("p", {}, t("no_form")),
    submit ? el("div", { class: "actions" }, submit, draft) : null);
  formEl.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (readOnly) return;
    const unreadable = form ? form.problems() : {};
    if (Object.keys(unreadable).length) {
      const items = form.showErrors(unreadable);
      const summary = errorSummary(items);
      followFixes(summary, items, form.node);
      summarySlot.replaceChildren(summary);
      summary.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = t("completing");
    const result = await api(`/api/v1/tasks/${taskId}/complete`, {
      method: "POST", body: { data: form ? form.value() : {} },
    });
    submit.disabled = false;
    submit.textContent = t("complete");
    if (result.ok) {
      flash(t("completed_ok", { name: task.name }));
      window.location.assign("/");
      return;
    }
    const error = result.data?.error;
    if (result.status === 422 && ["validation_failed", "rule_refused"].includes(error?.code)) {
      const items = form ? form.showErrors(error.details) : [{ text: error.message, target: null }];
      const summary = errorSummary(items);
      if (form) followFixes(summary, items, form.node);
      summarySlot.replaceChildren(summary);
      summary.focus();
    } else {
      summarySlot.replaceChildren();
      const own = error?.message && (result.status === 422 || error.code === "instance_suspended");
      announce(own ? error.message : problem(result.status), "error");
    }
  });
  section.append(formEl);
  return section;
}

/** The case is on hold: the form waits, read-only, and says why and until when. */
function holdNote(task) {
  return el("div", { class: "note note--hold", id: "on-hold", role: "status" },
    el("p", {}, el("strong", {}, t("task_on_hold")), " ", t("task_on_hold_text")),
    task.suspend_reason ? el("p", {}, `${t("case_suspend_reason")}: ${task.suspend_reason}`) : null);
}

async function saveDraft(button, form) {
  button.disabled = true;
  button.textContent = t("saving_draft");
  const result = await api(`/api/v1/tasks/${taskId}/draft`, { method: "POST", body: { data: form.value() } });
  button.disabled = false;
  button.textContent = t("save_draft");
  announce(result.ok ? t("draft_saved") : problem(result.status), result.ok ? "success" : "error");
}

function delegateSection(task) {
  if (!task.may_work) return null;
  const choice = el("select", { id: "delegate-to", name: "delegate_to" }, el("option", { value: "" }, t("choose")));
  const button = el("button", { type: "submit", class: "button" }, t("delegate_button"));
  const formEl = el("form", { class: "delegate", id: "delegate-form", novalidate: true },
    el("div", { class: "field" }, el("label", { for: "delegate-to" }, t("delegate_to")), choice), button);
  const section = el("section", { class: "panel", "aria-labelledby": "delegate-title" },
    el("h2", { id: "delegate-title" }, t("delegate_title")), el("p", { class: "hint" }, t("delegate_intro")), formEl);
  api(`/api/v1/tasks/${taskId}/delegates`).then((result) => {
    const people = result.ok ? result.data : [];
    if (!people.length) {
      formEl.replaceWith(el("p", { class: "muted" }, t("delegate_none")));
      return;
    }
    choice.append(...people.map((p) => el("option", { value: p.username }, `${p.full_name} (${p.username})`)));
  });
  formEl.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!choice.value) {
      announce(t("delegate_choose"), "error");
      choice.focus();
      return;
    }
    const name = choice.selectedOptions[0].textContent;
    const result = await api(`/api/v1/tasks/${taskId}/delegate`, { method: "POST", body: { username: choice.value } });
    if (!result.ok) {
      announce(result.status === 422 ? t("delegate_refused") : problem(result.status), "error");
      return;
    }
    flash(t("delegated_ok", { name }));
    window.location.assign("/");
  });
  return section;
}

function contextSection(task) {
  const fields = fieldsNode(task.context || {}, task.process_key, task.applicants);
  if (!fields) return null;
  return el("section", { class: "panel panel--context", "aria-labelledby": "context-title" },
    el("h2", { id: "context-title" }, t("context_title")), fields);
}

function caseSection(task) {
  const list = el("ul", { class: "documents" });
  const section = el("section", { class: "panel", "aria-labelledby": "case-title" },
    el("h2", { id: "case-title" }, t("case_link")),
    el("p", {}, el("a", { href: `/cases/${task.instance_id}`, id: "case-link" },
      task.business_key ? `${t("case_open")} ${task.business_key}` : t("case_open"))),
    list);
  api(`/api/v1/cases/${task.instance_id}`).then((result) => {
    const documents = result.ok ? result.data.documents : [];
    if (!documents.length) {
      list.remove();
      return;
    }
    list.replaceChildren(...documents.map((d) => el("li", {},
      el("a", { href: d.url, target: "_blank", rel: "noopener", "data-kind": d.kind }, d.title))));
  });
  return section;
}

function instructions(task) {
  if (!task.instructions || task.state !== "open") return null;  // done: nothing left to do
  const body = el("div", { class: "prose" });
  body.innerHTML = markdownToHtml(task.instructions, 3);
  return el("section", { class: "panel panel--instructions", "aria-labelledby": "instructions-title" },
    el("h2", { id: "instructions-title" }, t("instructions")), body);
}

async function historySection(task) {
  const list = el("ol", { class: "history" });
  const section = el("section", { class: "panel", "aria-labelledby": "history-title" },
    el("h2", { id: "history-title" }, t("history")), list);
  api(`/api/v1/process-instances/${task.instance_id}/history`).then((result) => {
    if (!result.ok) {
      list.replaceWith(el("p", { class: "muted" }, problem(result.status)));
      return;
    }
    const events = result.data.events.filter((e) => HISTORY_TYPES.has(e.type));
    if (!events.length) list.replaceWith(el("p", { class: "muted" }, t("history_empty")));
    list.replaceChildren(...events.map((e) => el("li", {},
      el("time", { datetime: e.at }, formatDateTime(e.at)),
      el("span", { class: "history__what" }, t(`event_${e.type}`),
        e.element_name ? `: ${e.element_name}` : ""),
      (e.actor_name || e.actor) ? el("span", { class: "history__who" }, `${t("by")} ${e.actor_name || e.actor}`) : null)));
  });
  return section;
}

function diagramSection(task) {
  const canvas = el("div", { class: "diagram", id: "diagram" });
  const section = el("section", { class: "panel panel--wide", "aria-labelledby": "diagram-title" },
    el("h2", { id: "diagram-title" }, t("diagram")),
    el("p", { class: "muted" }, t("diagram_current")), canvas);
  showDiagram(canvas, task).catch(() => {
    canvas.replaceWith(el("p", { class: "muted" }, t("diagram_failed")));
  });
  return section;
}

let shownInstance = null;
let diagram = null;

async function render(task) {
  document.title = `${task.name} – ${t("app_name")}`;
  const heading = el("div", { class: "page-head" },
    el("h1", { tabindex: "-1", id: "task-title" }, task.name),
    el("p", { class: "subtitle" }, names.get(task.process_key) || task.process_key,
      task.business_key ? ` · ${task.business_key}` : ""));
  if (shownInstance !== task.instance_id) {
    shownInstance = task.instance_id;
    diagram = diagramSection(task);
  }
  const aside = el("div", { class: "task-aside" }, details(task), caseSection(task),
    delegateSection(task), await historySection(task));
  root.replaceChildren(heading, claimBar(task),
    el("div", { class: "task-layout" },
      el("div", { class: "task-main" }, instructions(task), contextSection(task), formSection(task)), aside),
    diagram);
}

showFlash();
names = await processNames();
const result = await api(`/api/v1/tasks/${taskId}`);
if (result.ok) await render(result.data);
else root.replaceChildren(el("h1", {}, t("task_title")), el("p", { class: "alert alert--error" }, problem(result.status)));
