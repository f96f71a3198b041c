// The start page: the processes the user may start (the API says `startable`), each with its
// start form if the process declares one, and a start button that goes to the first task.
import { followFixes, renderForm } from "./form.js";
import { announce, api, el, errorSummary, flash, lang, showFlash, t } from "./page.js";

const container = document.getElementById("processes");
const english = lang === "en";

function clearSummaries() {
  for (const slot of container.querySelectorAll(".summary-slot")) slot.replaceChildren();
}

function keyField(index) {
  const id = `business-key-${index}`;
  const input = el("input", { id, type: "text", name: "business_key", maxlength: 200, autocomplete: "off" });
  const error = el("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const wrapper = el("div", { class: "field" }, el("label", { for: id }, t("start_business_key")), error, input);
  return {
    node: wrapper,
    input,
    value: () => input.value.trim() || null,
    clear() {
      error.hidden = true;
      error.textContent = "";
      wrapper.classList.remove("field--error");
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    },
    show(messages) {
      error.textContent = messages.join(" ");
      error.hidden = false;
      wrapper.classList.add("field--error");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", error.id);
      return { text: `${t("start_business_key")}: ${error.textContent}`, target: input };
    },
  };
}

function showRefusal(parts, error) {
  const details = { ...(error.details || {}) };
  const items = [];
  parts.key.clear();
  if (details.business_key) {
    items.push(parts.key.show(details.business_key));
    delete details.business_key;
  }
  if (parts.form) items.push(...parts.form.showErrors(details));
  else if (Object.keys(details).length) items.push({ text: error.message, target: null });
  const summary = errorSummary(items);
  if (parts.form) followFixes(summary, items, parts.form.node);
  parts.summary.replaceChildren(summary);
  summary.focus();
}

async function start(definition, parts, button) {
  clearSummaries();
  parts.form?.clearErrors();
  parts.key.clear();
  const unreadable = parts.form ? parts.form.problems() : {};
  if (Object.keys(unreadable).length) {
    showRefusal(parts, { details: unreadable });
    return;
  }
  button.disabled = true;
  const result = await api(`/api/v1/process-definitions/${encodeURIComponent(definition.key)}/start`, {
    method: "POST", body: { data: parts.form ? parts.form.value() : {}, business_key: parts.key.value() },
  });
  button.disabled = false;
  const error = result.data?.error;
  if (!result.ok) {
    const fields = error?.code === "validation_failed";
    if (fields && error.details) showRefusal(parts, error);
    else announce(error?.message || t("error_generic"), "error");
    return;
  }
  const name = definition.name || definition.key;
  const first = result.data.open_tasks[0];
  if (first) {
    flash(t("started_ok", { name }));
    window.location.assign(`/tasks/${first.id}`);
  } else {
    flash(t("started_no_task"));
    window.location.assign("/?tab=started");
  }
}

function card(definition, index) {
  const titleId = `process-${index}`;
  const schema = definition.start_form?.schema;
  const summary = (english && definition.description_en) || definition.description;
  const description = schema && ((english && schema["x-description-en"]) || schema.description);
  const form = schema
    ? renderForm(schema, definition.start_form.ui_schema, {}, { idPrefix: `start-${index}-` })
    : null;
  const parts = { key: keyField(index), form, summary: el("div", { class: "summary-slot" }) };
  const button = el("button", { type: "submit", class: "button button--primary",
    "aria-describedby": titleId }, t("start_button"));
  const formEl = el("form", { class: "stack", novalidate: true },
    // A process whose start takes no case number (`businessKeyAsked="false"`: an employee's
    // leave application) shows no «Saksnummer» field.
    parts.summary, definition.asks_business_key === false ? null : parts.key.node,
    form ? form.node : null, button);
  formEl.addEventListener("submit", (event) => {
    event.preventDefault();
    start(definition, parts, button);
  });
  return el("article", { class: "card", "aria-labelledby": titleId },
    el("h2", { id: titleId }, definition.name || definition.key),
    summary ? el("p", { class: "lead process-summary" }, summary) : null,
    // The version, not the process's technical key: people know a process by its name.
    el("p", { class: "muted" }, t("start_version", { n: definition.version })),
    description ? el("p", {}, description) : null,
    formEl);
}

showFlash();
const result = await api("/api/v1/process-definitions");
if (!result.ok) {
  container.replaceChildren(el("p", { class: "alert alert--error" }, t("load_failed")));
} else {
  const startable = result.data.filter((d) => d.startable);
  container.replaceChildren(...(startable.length
    ? startable.map(card)
    : [el("p", { class: "empty" }, t("start_none"))]));
}
