// The decision table editor (dmn-js): a DMN file of a deployment opened as a draft, validated
// and deployed with the same file name, so processes deployed after it use the new table.
import { announce, api, flash, formatTime, t } from "./page.js";
import { adoptEarlierDraft, definitionPath, draftNames, earlierDraftNames, problemItem, upload } from "./modeler_api.js";

const root = document.getElementById("dmn-modeler");
const { key, name } = root.dataset;
const version = Number(root.dataset.version);
const draftKey = draftNames.dmn(key, name);
adoptEarlierDraft(draftKey, earlierDraftNames.dmn(name));
const status = document.getElementById("draft-status");
const list = document.getElementById("problem-list");
const summary = document.getElementById("problem-summary");
let modeler = null;

function dmnReady() {
  if (window.DmnJS) return Promise.resolve(window.DmnJS);
  return new Promise((resolve, reject) => {
    const script = document.querySelector('script[src*="/vendor/dmn-js/"]');
    script.addEventListener("load", () => resolve(window.DmnJS));
    script.addEventListener("error", () => reject(new Error("dmn-js did not load")));
  });
}

async function currentXml() {
  const { xml } = await modeler.saveXML({ format: true });
  return xml;
}

async function saveDraft() {
  localStorage.setItem(draftKey, JSON.stringify({ baseVersion: version, xml: await currentXml() }));
  status.textContent = t("mod_draft_saved", { time: formatTime(new Date()) });
}

function report(problems, heading, kind) {
  summary.textContent = heading;
  summary.className = `problem-summary problem-summary--${kind}`;
  list.replaceChildren(...problems.map((p) => problemItem(p, null)));
}

async function validate() {
  const result = await upload("/api/v1/process-definitions/validate", { [name]: await currentXml() });
  if (result.status === 422 && result.data?.error?.details) {
    const problems = result.data.error.details;
    report(problems, t("mod_invalid", { n: problems.filter((p) => p.severity === "error").length }), "error");
    return false;
  }
  if (!result.ok) {
    announce(result.data?.error?.message || t("error_generic"), "error");
    return false;
  }
  report(result.data.warnings, t("mod_valid"), "ok");
  return true;
}

async function deploy() {
  if (!(await validate())) {
    announce(t("mod_deploy_refused"), "error");
    return;
  }
  const result = await upload("/api/v1/process-definitions", { [name]: await currentXml() });
  if (!result.ok) {
    announce(result.data?.error?.message || t("mod_deploy_refused"), "error");
    return;
  }
  localStorage.removeItem(draftKey);
  flash(t("dmn_deployed", { name }));
  window.location.assign("/library");
}

async function open() {
  const draft = JSON.parse(localStorage.getItem(draftKey) || "null");
  let xml = draft && draft.baseVersion === version ? draft.xml : null;
  if (!xml) {
    const file = await api(`${definitionPath(key)}/versions/${version}/files/${encodeURIComponent(name)}`);
    if (!file.ok) throw new Error(t("mod_not_found"));
    xml = file.data;
  }
  const DmnJS = await dmnReady();
  modeler = new DmnJS({ container: document.getElementById("dmn-canvas") });
  window.saksflytDmn = modeler; // for the browser tests
  await modeler.importXML(xml);
  const table = modeler.getViews().find((view) => view.type === "decisionTable");
  if (table) await modeler.open(table);
  status.textContent = draft ? t("mod_draft_restored") : t("mod_draft_new");
  const onChange = () => saveDraft();
  modeler.on("views.changed", () => modeler.getActiveViewer()?.on("elements.changed", onChange));
  modeler.getActiveViewer()?.on("elements.changed", onChange);
  document.getElementById("validate").addEventListener("click", validate);
  document.getElementById("deploy").addEventListener("click", deploy);
  document.getElementById("discard").addEventListener("click", () => {
    if (!window.confirm(t("mod_discard_confirm"))) return;
    localStorage.removeItem(draftKey);
    window.location.reload();
  });
  root.dataset.ready = "true";
}

open().catch((error) => {
  announce(error.message || t("error_generic"), "error");
  root.dataset.ready = "failed";
});
