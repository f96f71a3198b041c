// The form editor: a form's JSON Schema and UI schema as text, previewed live by the inbox's own
// renderer (form.js), JSON errors shown at the field, schema problems from the server's validate.
// An edit is not deployed on its own: it is saved in the process's draft (the modeler's, in
// localStorage), beside the diagram and the other forms changed since that version, and the
// modeler deploys them together as one new version (one diff, one version per set of changes).
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
const otherNotice = document.getElementById("bpmn-draft-other");
// bpmn: the deployed diagram of this version; draft: the process's draft if it is of this version.
const state = { bpmnName: null, bpmn: null, uiDeployed: false, draft: null, otherVersion: null };

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

/** Read the process's draft: kept when it is of this version; one of another version blocks
 * saving (a draft holds the changes to one version), and says where to go instead. */
function showBpmnDraft() {
  const draft = readBpmnDraft();
  const same = draft !== null && draft.baseVersion === version;
  state.draft = same ? draft : null;
  state.otherVersion = draft !== null && !same && Number.isInteger(draft.baseVersion) ? draft.baseVersion : null;
  otherNotice.hidden = state.otherVersion === null;
  if (state.otherVersion !== null) {
    const n = state.otherVersion;
    otherNotice.replaceChildren(
      t("form_draft_other", { n, version }), " ",
      el("a", { href: `/modeler/${encodeURIComponent(key)}/${n}/forms/${encodeURIComponent(name)}` },
        t("form_draft_other_open", { n })));
  }
  document.getElementById("deploy").disabled = state.otherVersion !== null;
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

/** This form's files as edited: the UI schema only if it was deployed or now says something. */
function formFiles() {
  const out = { [name]: sources.schema.text.value };
  const ui = sources.ui.text.value.trim();
  if (state.uiDeployed || (ui && ui !== "{}")) out[uiName] = sources.ui.text.value;
  return out;
}

/** What the draft would deploy: its diagram and forms (or this version's), with this form. */
function files() {
  return { [state.bpmnName]: state.draft?.xml ?? state.bpmn, ...(state.draft?.forms || {}), ...formFiles() };
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

/** Save the form in the process's draft (made from this version if there is none yet). */
async function saveToDraft(button) {
  button.disabled = true;
  try {
    showBpmnDraft(); // the newest draft, should the modeler have saved one since
    if (state.otherVersion !== null) return;
    if (!(await validate())) {
      announce(t("form_save_refused"), "error");
      return;
    }
    const draft = readBpmnDraft()?.baseVersion === version ? readBpmnDraft() : null;
    const forms = { ...(draft?.forms || {}), ...formFiles() };
    localStorage.setItem(bpmnDraftKey, JSON.stringify({
      baseVersion: version, xml: draft?.xml ?? state.bpmn, fileName: state.bpmnName, forms,
      savedAt: Date.now(),
    }));
    localStorage.removeItem(draftKey); // the form's own draft (an earlier way) is in there now
    const changed = Object.keys(forms).filter((file) => !file.endsWith(".uischema.json")).length;
    flash(t("form_saved_to_draft", { name, process: state.processName, count: changed }));
    window.location.assign(`/library#version-${key}-${version}`);
  } finally {
    button.disabled = state.otherVersion !== null;
  }
}

async function open() {
  const versions = await api("/api/v1/process-definitions?all=true");
  const definition = versions.ok && versions.data.find((d) => d.key === key && d.version === version);
  if (!definition) throw new Error(t("mod_not_found"));
  state.bpmnName = definition.file_name;
  state.processName = definition.name || key;
  const [bpmn, schema, ui] = await Promise.all([fileText(definition.file_name), fileText(name), fileText(uiName)]);
  if (bpmn === null || schema === null) throw new Error(t("mod_not_found"));
  state.bpmn = bpmn;
  state.uiDeployed = ui !== null;
  showBpmnDraft();
  // Unsaved typing first (this form's own draft), then what the process's draft holds of it.
  const typed = JSON.parse(localStorage.getItem(draftKey) || "null");
  const own = typed && typed.baseVersion === version ? typed : null;
  const kept = state.draft?.forms?.[name] !== undefined ? state.draft.forms : null;
  sources.schema.text.value = own ? own.schema : (kept ? kept[name] : schema);
  sources.ui.text.value = own ? own.ui : (kept?.[uiName] ?? ui ?? "{}");
  status.textContent = own || kept ? t("mod_draft_restored") : t("mod_draft_new");
  window.addEventListener("storage", (event) => {
    if (event.key === bpmnDraftKey || event.key === null) showBpmnDraft();
  });
  for (const source of Object.values(sources)) source.text.addEventListener("input", changed);
  document.getElementById("validate").addEventListener("click", validate);
  const deployButton = document.getElementById("deploy");
  deployButton.addEventListener("click", () => saveToDraft(deployButton));
  document.getElementById("discard").addEventListener("click", () => {
    if (!window.confirm(t("mod_discard_confirm"))) return;
    localStorage.removeItem(draftKey);
    const draft = readBpmnDraft(); // take this form (only) out of the process's draft
    if (draft?.baseVersion === version && draft.forms) {
      delete draft.forms[name];
      delete draft.forms[uiName];
      localStorage.setItem(bpmnDraftKey, JSON.stringify(draft));
    }
    window.location.reload();
  });
  refresh();
  root.dataset.ready = "true";
}

open().catch((error) => {
  announce(error.message || t("error_generic"), "error");
  root.dataset.ready = "failed";
});
