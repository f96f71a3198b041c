// The BPMN modeler: a version opened as a draft (kept in localStorage), the properties panel,
// validation with problems pinned on the diagram, and deploy as the next version.
import { announce, api, el, flash, formatTime, t } from "./page.js";
import {
  adoptEarlierDraft, bpmnReady, definitionPath, draftNames, earlierDraftNames, labelSvg, problemItems, upload,
} from "./modeler_api.js";
import { blankDiagram } from "./modeler_blank.js";
import { keepNamedReferences, spiffworkflow } from "./modeler_moddle.js";
import { mapLanes } from "./modeler_lanes.js";
import { Panel, ROLES } from "./modeler_panel.js";

const root = document.getElementById("modeler");
const key = root.dataset.key;
const version = Number(root.dataset.version) || null;
const fresh = root.dataset.mode === "new"; // a new process from a blank diagram
const draftKey = key ? draftNames.bpmn(key) : (fresh ? draftNames.fresh : draftNames.import);
if (key) adoptEarlierDraft(draftKey, earlierDraftNames.bpmn(key));
const status = document.getElementById("draft-status");
const list = document.getElementById("problem-list");
const summary = document.getElementById("problem-summary");
// forms: the new or changed form files and decision tables (DMN) this draft carries, deployed
// with the diagram as one version.
// newest: the process's newest version, when this draft starts from an older one.
const state = { fileName: null, modeler: null, pinned: [], forms: {}, newest: null };

/** Say so when the draft starts from an older version, and offer the newest. */
function showOlderVersion() {
  if (!key || !state.newest || state.newest <= version) return;
  const note = el("div", { class: "note version-note", id: "older-version", role: "note" },
    el("p", {}, t("mod_older_version", { n: version, newest: state.newest })),
    el("a", { class: "button", href: `/modeler/${encodeURIComponent(key)}/${state.newest}` },
      t("mod_open_newest", { n: state.newest })));
  root.querySelector(".modeler-toolbar").after(note);
}

async function source() {
  const draft = JSON.parse(localStorage.getItem(draftKey) || "null");
  state.forms = draft?.forms || {};
  if (fresh) {
    if (draft) return { xml: draft.xml, fileName: draft.fileName, restored: true };
    return { xml: blankDiagram(), fileName: "ny_prosess.bpmn", restored: false };
  }
  if (!key) {
    if (!draft) throw new Error(t("mod_nothing_to_import"));
    return { xml: draft.xml, fileName: draft.fileName, restored: true };
  }
  const versions = await api("/api/v1/process-definitions?all=true");
  const definition = versions.ok && versions.data.find((d) => d.key === key && d.version === version);
  if (!definition) throw new Error(t("mod_not_found"));
  state.newest = Math.max(...versions.data.filter((d) => d.key === key).map((d) => d.version));
  if (draft && draft.baseVersion === version) {
    return { xml: draft.xml, fileName: definition.file_name, restored: true };
  }
  const xml = await api(`${definitionPath(key)}/versions/${version}/xml`);
  if (!xml.ok) throw new Error(t("diagram_failed"));
  return { xml: xml.data, fileName: definition.file_name, restored: false };
}

async function context() {
  const [forms, library] = await Promise.all([
    api("/api/v1/process-library/forms"), api("/api/v1/process-library"),
  ]);
  return {
    forms: forms.ok ? forms.data : [],
    processes: library.ok ? library.data.map((p) => p.key) : [],
    key,
    version,
  };
}

/** Import XML into the modeler; return the import warnings that could not be repaired. */
async function importDiagram(xml) {
  const imported = await state.modeler.importXML(xml);
  return keepNamedReferences(state.modeler.get("moddle"), imported.warnings);
}

/** bpmn-js's own texts (palette, context pad, replace menu) through the page's catalogue. */
function translate(template, replacements = {}) {
  const key = `bpmnjs:${template}`;
  const found = t(key, replacements);
  return found === key ? template.replace(/{([^}]+)}/g, (all, name) => replacements[name] ?? all) : found;
}

/** Fit the diagram into the canvas right of the palette, so the palette covers no header. */
function fitBesidePalette() {
  const canvas = state.modeler.get("canvas");
  canvas.zoom("fit-viewport");
  const box = document.getElementById("canvas").getBoundingClientRect();
  const palette = document.querySelector("#canvas .djs-palette")?.getBoundingClientRect();
  const width = palette ? palette.right - box.left + 16 : 0;
  if (width <= 0 || width >= box.width) return;
  canvas.zoom(canvas.zoom() * (box.width - width) / box.width, { x: 0, y: 0 });
  canvas.scroll({ dx: width, dy: 0 });
}

async function currentXml() {
  const { xml } = await state.modeler.saveXML({ format: true });
  return xml;
}

let saveTimer = null;
function saveDraft() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(async () => {
    const xml = await currentXml();
    if (state.deployed) return; // deployed meanwhile: no draft is left to keep
    localStorage.setItem(draftKey, JSON.stringify({
      baseVersion: version, xml, fileName: state.fileName, forms: state.forms, savedAt: Date.now(),
    }));
    status.textContent = t("mod_draft_saved", { time: formatTime(new Date()) });
  }, 300);
}

/** Bring an element into view at a readable zoom; select it unless only looking. */
function showElement(elementId, { select = true } = {}) {
  const element = state.modeler.get("elementRegistry").get(elementId);
  if (!element) return;
  const canvas = state.modeler.get("canvas");
  const box = element.waypoints
    ? { x: Math.min(...element.waypoints.map((p) => p.x)), y: Math.min(...element.waypoints.map((p) => p.y)) }
    : { x: element.x + element.width / 2, y: element.y + element.height / 2 };
  if (canvas.zoom() < 1) canvas.zoom(1, box);
  canvas.scrollToElement(element, { top: 160, bottom: 160, left: 160, right: 160 });
  if (select) {
    state.modeler.get("selection").select(element);
    document.getElementById("panel-title")?.focus();
  }
}

function clearPins() {
  const overlays = state.modeler.get("overlays");
  const canvas = state.modeler.get("canvas");
  overlays.remove({ type: "problem" });
  for (const id of state.pinned) {
    canvas.removeMarker(id, "has-error");
    canvas.removeMarker(id, "has-warning");
  }
  state.pinned = [];
}

function pin(problems) {
  const registry = state.modeler.get("elementRegistry");
  const overlays = state.modeler.get("overlays");
  const canvas = state.modeler.get("canvas");
  const worst = new Map();
  for (const p of problems) {
    if (!p.element_id || !registry.get(p.element_id)) continue;
    const entry = worst.get(p.element_id) || [];
    entry.push(p);
    worst.set(p.element_id, entry);
  }
  for (const [id, found] of worst) {
    const error = found.some((p) => p.severity === "error");
    const text = found.map((p) => p.message).join("\n");
    overlays.add(id, "problem", {
      position: { top: -12, right: 12 },
      html: el("button", { type: "button", class: `problem-pin problem-pin--${error ? "error" : "warning"}`,
        title: text, "aria-label": `${error ? t("mod_error") : t("mod_warning")}: ${text}`,
        dataset: { elementId: id }, onclick: () => showElement(id) }, error ? "!" : "i"),
    });
    canvas.addMarker(id, error ? "has-error" : "has-warning");
    state.pinned.push(id);
  }
}

function report(problems, heading, kind) {
  clearPins();
  pin(problems);
  summary.textContent = heading;
  summary.className = `problem-summary problem-summary--${kind}`;
  list.replaceChildren(...problemItems(problems, showElement));
}

/** The key of the diagram's (first executable) process: a new process is named after it. */
function processKey() {
  const root = state.modeler.get("canvas").getRootElement().businessObject;
  const processes = root.$type === "bpmn:Process" ? [root] : (root.participants || []).map((p) => p.processRef);
  const process = processes.find((p) => p && p.isExecutable !== false) || processes.find(Boolean);
  return process?.id || key;
}

/** The files a validate or deploy sends: the diagram and the forms made or changed with it. */
async function files() {
  if (fresh) state.fileName = `${processKey()}.bpmn`;
  return { [state.fileName]: await currentXml(), ...state.forms };
}

/** The deploy's problems of one file the draft would carry (a new decision table), the rest as is. */
async function validateFile(name, content) {
  const result = await upload("/api/v1/process-definitions/validate", { ...(await files()), [name]: content });
  const problems = result.data?.error?.details || result.data?.warnings || [];
  if (!result.ok && !Array.isArray(result.data?.error?.details)) {
    return [{ severity: "error", message: result.data?.error?.message || t("error_generic") }];
  }
  return problems.filter((p) => p.file === name);
}

async function validate() {
  const result = await upload("/api/v1/process-definitions/validate", await files());
  if (result.status === 422 && result.data?.error?.details) {
    const problems = result.data.error.details;
    const errors = problems.filter((p) => p.severity === "error").length;
    report(problems, t("mod_invalid", { n: errors }), "error");
    announce(t("mod_invalid", { n: errors }), "error");
    const first = problems.find((p) => p.severity === "error" && p.element_id);
    if (first) showElement(first.element_id, { select: false });
    return false;
  }
  if (!result.ok) {
    announce(result.data?.error?.message || t("error_generic"), "error");
    return false;
  }
  const normalised = result.data.normalised || [];
  if (result.data.files?.[state.fileName]) {
    await importDiagram(result.data.files[state.fileName]);
    saveDraft();
  }
  // A process that deploys but cannot run says why before it is deployed.
  const idle = (result.data.processes || []).filter((p) => !p.runnable);
  const why = idle.flatMap((p) => (p.is_executable
    ? (p.problems.length ? p.problems : [{ message: t("mod_cannot_run") }])
      .map((problem) => ({ ...problem, severity: "error", element_id: problem.element_id || null,
        message: t("mod_cannot_run_because", { name: p.name || p.key, message: problem.message }) }))
    : [{ severity: "warning", element_id: null, message: t("mod_model_only", { name: p.name || p.key }) }]));
  const notes = [...why, ...normalised, ...result.data.warnings];
  let heading = normalised.length ? t("mod_valid_normalised", { n: normalised.length }) : t("mod_valid");
  if (idle.length) heading = t("mod_valid_not_runnable", { n: idle.length });
  report(notes, heading, idle.length ? "warning" : "ok");
  announce(heading, idle.length ? "error" : "success");
  return true;
}

async function deploy(button) {
  if (key && state.newest > version
    && !window.confirm(t("mod_older_version_confirm", { n: version, newest: state.newest }))) return;
  button.disabled = true;
  try {
    if (!(await validate())) {
      announce(t("mod_deploy_refused"), "error");
      return;
    }
    const result = await upload("/api/v1/process-definitions", await files());
    if (!result.ok) {
      const problems = result.data?.error?.details;
      if (Array.isArray(problems)) report(problems, t("mod_deploy_refused"), "error");
      announce(result.data?.error?.message || t("mod_deploy_refused"), "error");
      return;
    }
    const created = result.data.created.find((d) => d.key === processKey()) || result.data.created[0];
    if (!created) {
      announce(t("mod_no_changes"));
      return;
    }
    state.deployed = true; // a draft save still pending (validate's normalised diagram) is dropped
    clearTimeout(saveTimer);
    localStorage.removeItem(draftKey);
    flash(t("mod_deployed", { name: created.name || created.key, n: created.version }));
    window.location.assign(`/library#version-${created.key}-${created.version}`);
  } finally {
    button.disabled = false;
  }
}

function download() {
  currentXml().then((xml) => {
    const link = el("a", { href: URL.createObjectURL(new Blob([xml], { type: "application/xml" })), download: state.fileName });
    link.click();
    URL.revokeObjectURL(link.href);
  });
}

function discard() {
  if (!window.confirm(t("mod_discard_confirm"))) return;
  localStorage.removeItem(draftKey);
  window.location.reload();
}

async function open() {
  const [loaded, ctx, BpmnJS] = await Promise.all([source(), context(), bpmnReady()]);
  state.fileName = loaded.fileName;
  const canvas = document.getElementById("canvas");
  state.modeler = new BpmnJS({
    container: canvas, moddleExtensions: { spiffworkflow }, additionalModules: [{ translate: ["value", translate] }],
  });
  window.saksflytModeler = state.modeler; // for the browser tests
  const warnings = await importDiagram(loaded.xml);
  fitBesidePalette();
  labelSvg(canvas, "modeler-title");
  ctx.draftForms = state.forms;
  ctx.saveForm = (form) => {
    state.forms[form.name] = form.schema;
    state.forms[form.uiName] = form.ui;
    saveDraft();
  };
  ctx.saveFile = (name, content) => {
    state.forms[name] = content;
    saveDraft();
  };
  ctx.removeFile = (name) => {
    delete state.forms[name];
    saveDraft();
  };
  ctx.validateFile = validateFile;
  new Panel(state.modeler, document.getElementById("panel"), ctx).show(null);
  state.modeler.on("commandStack.changed", saveDraft);
  // The form editor saves forms into this draft (another tab): keep them, or the next save here
  // would write the draft back without them.
  window.addEventListener("storage", (event) => {
    if (event.key !== draftKey || event.newValue === null) return;
    const saved = JSON.parse(event.newValue);
    if (saved?.baseVersion === version && saved.forms) Object.assign(state.forms, saved.forms);
  });
  status.textContent = loaded.restored ? t("mod_draft_restored") : t("mod_draft_new");
  showOlderVersion();
  if (!key && !fresh) mapLanes(state.modeler, ROLES); // an import: its lanes are not roles yet
  if (warnings.length) {
    announce(t("mod_import_warnings", { n: warnings.length }), "error");
    for (const warning of warnings) console.warn(warning.message);
  }
  document.getElementById("validate").addEventListener("click", validate);
  const deployButton = document.getElementById("deploy");
  deployButton.addEventListener("click", () => deploy(deployButton));
  document.getElementById("download").addEventListener("click", download);
  document.getElementById("discard").addEventListener("click", discard);
  root.dataset.ready = "true";
}

open().catch((error) => {
  announce(error.message || t("error_generic"), "error");
  root.dataset.ready = "failed";
});
