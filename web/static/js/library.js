// The process library: every process with its versions, running instances, files and diagram.
import { announce, api, el, flash, formatDateTime, showFlash, t } from "./page.js";
import { bpmnReady, definitionPath, draftNames, labelSvg, versionLabel } from "./modeler_api.js";

const root = document.getElementById("library");
const canEdit = root.dataset.canEdit === "true";

function fileLinks(process, version) {
  const editor = (file) => {
    if (file.kind === "dmn") return ["edit-dmn", "dmn"];
    if (file.kind === "form" && !file.name.endsWith(".uischema.json")) return ["edit-form", "forms"];
    return null;
  };
  const edit = (file) => {
    const [kind, path] = (canEdit && editor(file)) || [];
    if (!kind) return [];
    const href = `/modeler/${encodeURIComponent(process.key)}/${version.version}/${path}/${encodeURIComponent(file.name)}`;
    return [" ", el("a", { class: kind, href }, t("lib_edit_file", { name: file.name }))];
  };
  const link = (file) => [el("a", {
    href: `${definitionPath(process.key)}/versions/${version.version}/files/${encodeURIComponent(file.name)}`,
    download: file.name,
  }, file.name), ...edit(file)];
  const own = version.files.find((file) => file.name === version.file_name);
  const others = version.files.filter((file) => file !== own);
  return el("div", { class: "file-list" },
    ...(own ? link(own) : []),
    others.length ? el("details", {},
      el("summary", {}, t("lib_other_files", { n: others.length })),
      el("ul", {}, others.map((file) => el("li", {}, ...link(file))))) : null);
}

function status(version) {
  if (version.retired_at) {
    return el("span", { class: "retired" },
      el("strong", {}, t("lib_retired")), " ",
      el("span", { class: "muted" }, t("lib_retired_by", {
        user: version.retired_by, time: formatDateTime(version.retired_at), reason: version.retired_reason,
      })));
  }
  if (version.runnable) return t("lib_runnable");
  return version.is_executable ? t("lib_not_runnable") : t("lib_model_only");
}

async function showDiagram(process, version, container, heading) {
  container.hidden = false;
  heading.textContent = t("lib_diagram_of", { name: process.name || process.key, n: version.version });
  container.querySelector(".diagram")?.remove();
  const canvas = el("div", { class: "diagram diagram--library" });
  container.append(canvas);
  const xml = await api(`${definitionPath(process.key)}/versions/${version.version}/xml`);
  if (!xml.ok) {
    canvas.replaceWith(el("p", { class: "alert" }, t("diagram_failed")));
    return;
  }
  const BpmnJS = await bpmnReady();
  const viewer = new BpmnJS({ container: canvas });
  try {
    await viewer.importXML(xml.data);
    viewer.get("canvas").zoom("fit-viewport");
    labelSvg(canvas, heading.id);
  } catch {
    canvas.replaceWith(el("p", { class: "alert" }, t("diagram_failed")));
  }
  heading.focus();
}

/** Deploy an earlier version again as the newest: new instances start on it. */
async function makeCurrent(process, version) {
  const newest = process.versions[0].version;
  if (!window.confirm(t("lib_make_current_confirm", { n: version.version, newest }))) return;
  const result = await api(`${definitionPath(process.key)}/versions/${version.version}/make-current`,
    { method: "POST" });
  if (!result.ok) {
    announce(result.data?.error?.message || t("error_generic"), "error");
    return;
  }
  flash(t("lib_made_current", { n: version.version, version: result.data.version }));
  window.location.hash = `version-${process.key}-${result.data.version}`;
  window.location.reload();
}

function actions(process, version, previous, show) {
  const key = encodeURIComponent(process.key);
  const older = version.version !== process.versions[0].version;
  return el("div", { class: "actions actions--tight" },
    el("button", { type: "button", class: "button button--quiet", onclick: show,
      "aria-label": t("lib_show_diagram_of", { n: version.version }) }, t("lib_show_diagram")),
    canEdit ? el("a", { class: "button button--quiet", href: `/modeler/${key}/${version.version}`,
      "aria-label": t("lib_edit_version", { n: version.version }) }, t("lib_edit")) : null,
    canEdit && older && !version.retired_at ? el("button", { type: "button", class: "button button--quiet",
      onclick: () => makeCurrent(process, version),
      "aria-label": t("lib_make_current_of", { n: version.version }) }, t("lib_make_current")) : null,
    previous ? el("a", { class: "button button--quiet",
      href: `/library/${key}/diff?from=${previous.version}&to=${version.version}`,
      "aria-label": t("lib_compare_with", { a: previous.version, b: version.version }) },
    t("lib_compare")) : null,
    canEdit ? retireForm(process, version) : null,
    canEdit && !version.has_run ? removeForm(process, version) : null);
}

// A refused retire/reinstate/remove: the reason field's message (or the error's), at the field.
function refused(result, reason, error, hintId) {
  const messages = result.data?.error?.details?.reason;
  error.textContent = messages ? messages.join(" ") : result.data?.error?.message || t("error_generic");
  error.hidden = false;
  reason.setAttribute("aria-invalid", "true");
  reason.setAttribute("aria-describedby", [hintId, error.id].filter(Boolean).join(" "));
}

// Retire a version (no new instances start on it; running ones go on), or undo that: both with
// a reason, kept in the history. Retiring the newest takes the process off the start page.
function retireForm(process, version) {
  const undo = Boolean(version.retired_at);
  const action = undo ? "reinstate" : "retire";
  const id = `${action}-${process.key}-${version.version}`;
  const reason = el("input", { type: "text", id, name: "reason", maxlength: 2000, "aria-required": "true" });
  const error = el("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const current = !undo && version.version === process.versions[0].version;
  const hintId = `${id}-hint`;
  if (current) reason.setAttribute("aria-describedby", hintId);
  const form = el("form", { class: "stack", novalidate: true },
    current ? el("p", { class: "note", id: hintId }, t("lib_retire_current_hint", { n: version.version })) : null,
    el("div", { class: "field" },
      el("label", { for: id }, t(undo ? "lib_reinstate_reason" : "lib_retire_reason")), error, reason),
    el("button", { type: "submit", class: undo ? "button" : "button button--danger" },
      t(undo ? "lib_reinstate_version" : "lib_retire_version", { n: version.version })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api(`${definitionPath(process.key)}/versions/${version.version}/${action}`,
      { method: "POST", body: { reason: reason.value } });
    if (result.ok) {
      flash(t(undo ? "lib_reinstated" : "lib_retired_ok", { name: process.name || process.key, n: version.version }));
      window.location.hash = `version-${process.key}-${version.version}`;
      window.location.reload();
      return;
    }
    refused(result, reason, error, current ? hintId : null);
  });
  return el("details", { class: `${action}-version` }, el("summary", {}, t(undo ? "lib_reinstate" : "lib_retire")), form);
}

// A version no instance ever ran (a junk import, a wrong deploy) can be removed, with a reason:
// it leaves the library and everyone's start page.
function removeForm(process, version) {
  const id = `remove-${process.key}-${version.version}`;
  const reason = el("input", { type: "text", id, name: "reason", maxlength: 2000, "aria-required": "true" });
  const error = el("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const form = el("form", { class: "stack", novalidate: true },
    el("div", { class: "field" }, el("label", { for: id }, t("lib_remove_reason")), error, reason),
    el("button", { type: "submit", class: "button button--danger" }, t("lib_remove_version", { n: version.version })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api(`${definitionPath(process.key)}/versions/${version.version}/remove`,
      { method: "POST", body: { reason: reason.value } });
    if (result.ok) {
      flash(t("lib_removed", { name: process.name || process.key, n: version.version }));
      window.location.reload();
      return;
    }
    refused(result, reason, error, null);
  });
  return el("details", { class: "remove-version" }, el("summary", {}, t("lib_remove")), form);
}

/** The process's draft in this browser (the modeler's and the form editor's), if it changes
 * forms: they are deployed with the diagram as one version, from the modeler. */
function draftNote(process) {
  if (!canEdit) return null;
  let draft = null;
  try {
    draft = JSON.parse(localStorage.getItem(draftNames.bpmn(process.key)) || "null");
  } catch {
    return null;
  }
  const forms = Object.keys(draft?.forms || {}).filter((name) => !name.endsWith(".uischema.json"));
  if (!forms.length || !Number.isInteger(draft.baseVersion)) return null;
  return el("p", { class: "note library-draft" },
    t("lib_draft_forms", { n: draft.baseVersion, files: forms.sort().join(", ") }), " ",
    el("a", { href: `/modeler/${encodeURIComponent(process.key)}/${draft.baseVersion}` }, t("lib_draft_open")));
}

// "3" while none is on hold; else "3 kjører, 1 på vent": a case on hold is neither running
// nor ended, and a version with one is still in use.
function instanceCount(version) {
  const held = version.suspended_instances || 0;
  const running = version.running_instances;
  return held ? t("lib_running_held", { running, held }) : String(running);
}

function processSection(process, index) {
  const titleId = `process-${index}`;
  const diagramTitleId = `diagram-${index}`;
  const heading = el("h3", { id: diagramTitleId, tabindex: "-1" });
  const diagram = el("div", { class: "library-diagram", hidden: true }, heading);
  const rows = process.versions.map((version, position) => {
    const previous = process.versions[position + 1];
    const show = () => showDiagram(process, version, diagram, heading);
    return el("tr", { id: `version-${process.key}-${version.version}`, dataset: { version: version.version } },
      el("th", { scope: "row", "data-label": t("lib_version") }, String(version.version)),
      el("td", { "data-label": t("lib_deployed_by") }, version.deployed_by),
      el("td", { "data-label": t("lib_deployed_at") }, formatDateTime(version.deployed_at)),
      el("td", { "data-label": t("lib_running"), class: "running" }, instanceCount(version)),
      el("td", { "data-label": t("col_state") }, status(version)),
      el("td", { "data-label": t("lib_files") }, fileLinks(process, version)),
      el("td", { "data-label": t("lib_actions") }, actions(process, version, previous, show)));
  });
  const migrate = canEdit && process.versions.length > 1
    ? el("a", { class: "button", href: `/library/${encodeURIComponent(process.key)}/migrate` }, t("lib_migrate"))
    : null;
  return el("section", { class: "panel library-process", "aria-labelledby": titleId, dataset: { key: process.key } },
    el("div", { class: "page-head" },
      el("h2", { id: titleId }, process.name || process.key),
      el("span", { class: "muted" }, `${process.key} · ${versionLabel(process.versions[0].version)}`)),
    draftNote(process),
    process.versions[0].retired_at
      ? el("p", { class: "note not-startable" }, t("lib_not_startable", { n: process.versions[0].version }))
      : null,
    el("div", { class: "table-wrap" },
      el("table", { class: "table" },
        el("caption", { class: "visually-hidden" }, t("lib_versions_of", { name: process.name || process.key })),
        el("thead", {}, el("tr", {},
          ...["lib_version", "lib_deployed_by", "lib_deployed_at", "lib_running", "col_state",
            "lib_files", "lib_actions"].map((key) => el("th", { scope: "col" }, t(key))))),
        el("tbody", {}, rows))),
    migrate ? el("p", { class: "library-migrate" }, migrate) : null,
    diagram);
}

function importForm() {
  const input = el("input", { type: "file", id: "import-file", accept: ".bpmn,.xml" });
  input.addEventListener("change", async () => {
    const [file] = input.files;
    if (!file) return;
    const xml = await file.text();
    if (localStorage.getItem(draftNames.import) !== null && !window.confirm(t("lib_import_replace"))) {
      input.value = "";
      return;
    }
    localStorage.setItem(draftNames.import, JSON.stringify({ xml, fileName: file.name, savedAt: Date.now() }));
    window.location.assign("/modeler/import");
  });
  return el("div", { class: "field library-import" },
    el("label", { for: "import-file" }, t("lib_import")),
    el("p", { class: "hint", id: "import-hint" }, t("lib_import_hint")), input);
}

showFlash();
const result = await api("/api/v1/process-library");
if (!result.ok) {
  root.replaceChildren(el("p", { class: "alert" }, t("load_failed")));
  announce(t("load_failed"), "error");
} else {
  root.replaceChildren(
    ...(canEdit ? [el("p", { class: "actions library-new" },
      el("a", { class: "button button--primary", id: "new-process", href: "/modeler/new" }, t("lib_new_process"))),
    importForm()] : []),
    ...(result.data.length ? result.data.map(processSection) : [el("p", { class: "empty" }, t("lib_empty"))]));
}
