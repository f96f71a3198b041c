// The start page: the runnable processes, each with a start button that goes to the first task.
import { announce, api, el, flash, showFlash, t } from "./page.js";

const container = document.getElementById("processes");

async function start(definition, businessKeyInput, button) {
  button.disabled = true;
  const businessKey = businessKeyInput.value.trim() || null;
  const result = await api(`/api/v1/process-definitions/${encodeURIComponent(definition.key)}/start`, {
    method: "POST", body: { data: {}, business_key: businessKey },
  });
  button.disabled = false;
  if (!result.ok) {
    announce(result.data?.error?.message || t("error_generic"), "error");
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
  const inputId = `business-key-${index}`;
  const titleId = `process-${index}`;
  const keyInput = el("input", { id: inputId, type: "text", name: "business_key", maxlength: 200,
    autocomplete: "off" });
  const button = el("button", { type: "submit", class: "button button--primary",
    "aria-describedby": titleId }, t("start_button"));
  const form = el("form", { class: "stack", novalidate: true },
    el("div", { class: "field" }, el("label", { for: inputId }, t("start_business_key")), keyInput),
    button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    start(definition, keyInput, button);
  });
  return el("article", { class: "card", "aria-labelledby": titleId },
    el("h2", { id: titleId }, definition.name || definition.key),
    el("p", { class: "muted" }, `${definition.key} · ${t("version", { n: definition.version })}`),
    form);
}

showFlash();
const result = await api("/api/v1/process-definitions");
if (!result.ok) {
  container.replaceChildren(el("p", { class: "alert alert--error" }, t("load_failed")));
} else {
  const runnable = result.data.filter((d) => d.runnable);
  container.replaceChildren(...(runnable.length
    ? runnable.map(card)
    : [el("p", { class: "empty" }, t("start_none"))]));
}
