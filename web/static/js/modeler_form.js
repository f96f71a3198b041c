// The form editor: a form's JSON Schema and UI schema as text, previewed live by the inbox's own
// renderer (form.js), JSON errors shown at the field, schema problems from the server's validate,
// and deploy together with the process the form was opened from (a new version of it): with the
// modeler's unsaved diagram draft of that same version if the owner keeps the box ticked.
import { renderForm } from "./form.js";
import { announce, api, el, flash, formatTime, t } from "./page.js";
import { adoptEarlierDraft, definitionPath, draftNames, earlierDraftNames, problemItem, upload } from "./modeler_api.js";

const root = document.getElementById("form-editor");
const { key, name, uiName } = root.dataset;
const version = Number(root.dataset.version);
const draftKey = draftNames.form(key, name);
const bpmnDraftKey = draftNames.bpmn(key); // the BPMN modeler's draft of this process
adoptEarlierDraft(draftKey, earlierDraftNames.form(key, name));
adoptEarlierDraft(bpmnDraftKey, earlierDraftNames.bpmn(key));
const status = document.getElementById("draft-status");
const list = document.getElementById("problem-list");
const summary = document.getElementById("problem-summary");
const preview = document.getElementById("preview");
const stale = document.getElementById("preview-stale");
const sources = {
  schema: { text: document.getElementById("schema-text"), error: document.getElementById("schema-error") },
  ui: { text: document.getElementById("ui-text"), error: document.getElementById("ui-error") },
};
const bpmnNotice = document.getElementById("bpmn-draft");
const useBpmnDraft = document.getElementById("bpmn-draft-use");
const otherNotice = document.getElementById("bpmn-draft-other");
const state = { bpmnName: null, bpmn: null, uiDeployed: false, bpmnDraft: null };

/** Fetch a file as text: from the version's deployment, else the newest deployed copy. */
async function fileText(fileName) {
  const paths = [
    `${definitionPath(key)}/versions/${version}/files/${encodeURIComponent(fileName)}`,
    `/api/v1/process-library/forms/${encodeURIComponent(fileName)}`,
  ];
  for (const path of paths) {
    const response = await fetch(path, { credentials: "same-origin" });
    if (response.ok) return response.text();
  }
  return null;
}

/** Parse one source; show a JSON error (with line and column) at its field; return the value. */
function parse(source) {
  const { text, error } = sources[source];
  let value;
  let message = null;
  try {
    value = JSON.parse(text.value);
    if (value === null || typeof value !== "object" || Array.isArray(value)) message = t("form_not_object");
  } catch (failure) {
    message = jsonError(text.value, failure.message);
  }
  error.hidden = message === null;
  error.textContent = message || "";
  text.setAttribute("aria-invalid", message === null ? "false" : "true");
  text.closest(".field").classList.toggle("field--error", message !== null);
  return message === null ? value : undefined;
}

function jsonError(text, message) {
  const position = /position (\d+)/.exec(message);
  const detail = message.replace(/\s*(in JSON )?at position \d+.*$/, "");
  if (!position) return t("form_json_error", { message: detail });
  const before = text.slice(0, Number(position[1])).split("\n");
  return t("form_json_error_at", { line: before.length, column: before.at(-1).length + 1, message: detail });
}

/** Render the preview exactly as the inbox would; keep the last good one while the JSON is broken. */
function refresh() {
  const schema = parse("schema");
  const ui = parse("ui");
  const broken = schema === undefined || ui === undefined;
  if (!broken) {
    try {
      preview.replaceChildren(renderForm(schema, ui, {}).node);
    } catch (failure) {
      preview.replaceChildren(el("p", { class: "alert" }, t("form_render_failed", { message: failure.message })));
    }
  }
  stale.hidden = !broken;
  preview.closest(".form-preview").dataset.stale = String(broken);
  return !broken;
}

function readBpmnDraft() {
  try {
    const draft = JSON.parse(localStorage.getItem(bpmnDraftKey) || "null");
    return draft && typeof draft.xml === "string" ? draft : null;
  } catch {
    return null;
  }
}

/** Show the modeler's draft of this process: offered when it is of this version, else named. */
function showBpmnDraft() {
  const draft = readBpmnDraft();
  const same = draft !== null && draft.baseVersion === version;
  state.bpmnDraft = same ? draft : null;
  bpmnNotice.hidden = !same;
  if (same) {
    document.getElementById("bpmn-draft-text").textContent = draft.savedAt
      ? t("form_bpmn_draft", { time: formatTime(new Date(draft.savedAt)) })
      : t("form_bpmn_draft_undated");
  }
  const other = draft !== null && !same && Number.isInteger(draft.baseVersion);
  otherNotice.hidden = !other;
  if (other) {
    otherNotice.replaceChildren(
      t("form_bpmn_draft_other", { n: draft.baseVersion, version }), " ",
      el("a", { href: `/modeler/${encodeURIComponent(key)}/${draft.baseVersion}` }, t("form_bpmn_draft_other_open")),
    );
  }
}

/** The BPMN that goes with the form: the draft if it is offered and ticked, else the deployed one. */
function bpmnDraftUsed() {
  return state.bpmnDraft !== null && useBpmnDraft.checked ? state.bpmnDraft : null;
}

let saveTimer = null;
function changed() {
  refresh();
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    localStorage.setItem(draftKey, JSON.stringify({
      baseVersion: version, schema: sources.schema.text.value, ui: sources.ui.text.value,
    }));
    status.textContent = t("mod_draft_saved", { time: formatTime(new Date()) });
  }, 300);
}

function files() {
  const out = { [name]: sources.schema.text.value, [state.bpmnName]: bpmnDraftUsed()?.xml ?? state.bpmn };
  const ui = sources.ui.text.value.trim();
  if (state.uiDeployed || (ui && ui !== "{}")) out[uiName] = sources.ui.text.value;
  return out;
}

function report(problems, heading, kind) {
  summary.textContent = heading;
  summary.className = `problem-summary problem-summary--${kind}`;
  list.replaceChildren(...problems.map((p) => problemItem(p, null)));
}

async function validate() {
  if (!refresh()) {
    report([], t("form_fix_json"), "error");
    announce(t("form_fix_json"), "error");
    return false;
  }
  const result = await upload("/api/v1/process-definitions/validate", files());
  if (result.status === 422 && result.data?.error?.details) {
    const problems = result.data.error.details;
    const heading = t("mod_invalid", { n: problems.filter((p) => p.severity === "error").length });
    report(problems, heading, "error");
    announce(heading, "error");
    return false;
  }
  if (!result.ok) {
    announce(result.data?.error?.message || t("error_generic"), "error");
    return false;
  }
  report(result.data.warnings, t("mod_valid"), "ok");
  announce(t("mod_valid"), "success");
  return true;
}

async function deploy(button) {
  button.disabled = true;
  useBpmnDraft.disabled = true; // validate and deploy send the same files
  showBpmnDraft(); // the newest draft, should the modeler have saved one since
  const withDraft = bpmnDraftUsed();
  try {
    if (!(await validate())) {
      announce(t("mod_deploy_refused"), "error");
      return;
    }
    const result = await upload("/api/v1/process-definitions", files());
    if (!result.ok) {
      const problems = result.data?.error?.details;
      if (Array.isArray(problems)) report(problems, t("mod_deploy_refused"), "error");
      announce(result.data?.error?.message || t("mod_deploy_refused"), "error");
      return;
    }
    const created = result.data.created.find((d) => d.key === key);
    if (!created) {
      announce(t("mod_no_changes"));
      return;
    }
    localStorage.removeItem(draftKey);
    // The diagram draft is deployed now; one saved meanwhile (another tab) is newer: keep that.
    if (withDraft && readBpmnDraft()?.xml === withDraft.xml) localStorage.removeItem(bpmnDraftKey);
    const text = withDraft ? "form_deployed_with_draft" : "form_deployed";
    flash(t(text, { name, process: created.name || key, n: created.version }));
    window.location.assign(`/library#version-${created.key}-${created.version}`);
  } finally {
    button.disabled = false;
    useBpmnDraft.disabled = false;
  }
}

async function open() {
  const versions = await api("/api/v1/process-definitions?all=true");
  const definition = versions.ok && versions.data.find((d) => d.key === key && d.version === version);
  if (!definition) throw new Error(t("mod_not_found"));
  state.bpmnName = definition.file_name;
  const [bpmn, schema, ui] = await Promise.all([fileText(definition.file_name), fileText(name), fileText(uiName)]);
  if (bpmn === null || schema === null) throw new Error(t("mod_not_found"));
  state.bpmn = bpmn;
  state.uiDeployed = ui !== null;
  const draft = JSON.parse(localStorage.getItem(draftKey) || "null");
  const restored = draft && draft.baseVersion === version;
  sources.schema.text.value = restored ? draft.schema : schema;
  sources.ui.text.value = restored ? draft.ui : (ui ?? "{}");
  status.textContent = restored ? t("mod_draft_restored") : t("mod_draft_new");
  showBpmnDraft();
  window.addEventListener("storage", (event) => {
    if (event.key === bpmnDraftKey || event.key === null) showBpmnDraft();
  });
  for (const source of Object.values(sources)) source.text.addEventListener("input", changed);
  document.getElementById("validate").addEventListener("click", validate);
  const deployButton = document.getElementById("deploy");
  deployButton.addEventListener("click", () => deploy(deployButton));
  document.getElementById("discard").addEventListener("click", () => {
    if (!window.confirm(t("mod_discard_confirm"))) return;
    localStorage.removeItem(draftKey);
    window.location.reload();
  });
  refresh();
  root.dataset.ready = "true";
}

open().catch((error) => {
  announce(error.message || t("error_generic"), "error");
  root.dataset.ready = "failed";
});
