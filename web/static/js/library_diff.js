// Two versions of a process side by side: the elements added, removed and changed, as lists
// and as colours on the diagrams.
import { api, el, t } from "./page.js";
import { bpmnReady, definitionPath, labelSvg } from "./modeler_api.js";

const root = document.getElementById("diff");
const key = root.dataset.key;

function describe(element) {
  const name = element.name ? `${element.name} ` : "";
  return `${name}(${element.id}, ${t(`mod_type_${element.type.charAt(0).toUpperCase()}${element.type.slice(1)}`)})`;
}

function section(id, title, items, render) {
  return el("section", { "aria-labelledby": id },
    el("h2", { id }, `${title} (${items.length})`),
    items.length ? el("ul", { id: `${id}-list` }, items.map(render)) : el("p", { class: "muted" }, t("diff_none")));
}

function changeLine(change) {
  const show = (value) => (value === null || value === undefined || value === "" ? t("none") : value);
  return el("li", { class: "diff-change" }, `${change.field}: ${show(change.before)} → ${show(change.after)}`);
}

/** A form or decision table the versions use that differs: added, removed, or which fields. */
function fileLine(file) {
  const parts = [`${file.name}: ${t(`diff_file_${file.change}`)}`];
  for (const kind of ["added", "removed", "changed"]) {
    const names = file.fields?.[kind] || [];
    if (names.length) parts.push(t(`diff_fields_${kind}`, { names: names.join(", ") }));
  }
  return el("li", { dataset: { name: file.name } }, parts.join(" · "));
}

function versionPicker(versions, from, to) {
  const options = (selected) => versions.map((v) => el("option", { value: v, selected: v === selected }, String(v)));
  const fromSelect = el("select", { id: "diff-from" }, options(from));
  const toSelect = el("select", { id: "diff-to" }, options(to));
  const go = (event) => {
    event.preventDefault();
    window.location.assign(`?from=${fromSelect.value}&to=${toSelect.value}`);
  };
  return el("form", { class: "version-pick", onsubmit: go },
    el("div", { class: "field" }, el("label", { for: "diff-from" }, t("diff_from")), fromSelect),
    el("div", { class: "field" }, el("label", { for: "diff-to" }, t("diff_to")), toSelect),
    el("button", { type: "submit", class: "button" }, t("diff_compare")));
}

function figureFor(version, titleId) {
  const container = el("div", { class: "diagram diagram--diff" });
  const figure = el("figure", { class: "panel" },
    el("figcaption", {}, el("h2", { id: titleId }, t("diff_version", { n: version }))), container);
  return { figure, container };
}

/** Draw a version into its (attached) container, fitted, with the marked elements coloured. */
async function drawVersion(version, container, markers, titleId) {
  const xml = await api(`${definitionPath(key)}/versions/${version}/xml`);
  if (!xml.ok) return;
  const BpmnJS = await bpmnReady();
  const viewer = new BpmnJS({ container });
  await viewer.importXML(xml.data);
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  const marked = [];
  for (const [ids, marker] of markers) {
    for (const id of ids) {
      const element = registry.get(id);
      if (element) {
        canvas.addMarker(id, marker);
        marked.push(element);
      }
    }
  }
  // The whole diagram, fitted: the colours show where the changes are (a crop hid the rest).
  canvas.zoom("fit-viewport", "auto");
  canvas.zoom(canvas.zoom() * 0.92, "auto"); // a margin: fit-viewport touches the edges
  labelSvg(container, titleId);
  container.dataset.marked = String(marked.length);
  container.dataset.ready = "true";
}

async function main() {
  const from = Number(root.dataset.from);
  const to = Number(root.dataset.to);
  const [diff, library] = await Promise.all([
    api(`${definitionPath(key)}/diff?from=${from}&to=${to}`), api("/api/v1/process-library"),
  ]);
  const process = library.ok ? library.data.find((p) => p.key === key) : null;
  const versions = process ? process.versions.map((v) => v.version).sort((a, b) => a - b) : [from, to];
  if (!diff.ok) {
    root.replaceChildren(versionPicker(versions, from, to),
      el("p", { class: "alert" }, diff.data?.error?.message || t("load_failed")));
    return;
  }
  const { added, removed, changed } = diff.data;
  const files = diff.data.files || [];
  const ids = (items) => items.map((e) => e.id);
  const before = figureFor(from, "diagram-from");
  const after = figureFor(to, "diagram-to");
  root.replaceChildren(
    versionPicker(versions, from, to),
    el("ul", { class: "legend", "aria-label": t("diff_legend") },
      el("li", {}, el("span", { class: "swatch--added" }), t("diff_added")),
      el("li", {}, el("span", { class: "swatch--removed" }), t("diff_removed")),
      el("li", {}, el("span", { class: "swatch--changed" }), t("diff_changed"))),
    el("div", { class: "diff-lists panel" },
      section("diff-added", t("diff_added"), added, (e) => el("li", { dataset: { id: e.id } }, describe(e))),
      section("diff-removed", t("diff_removed"), removed, (e) => el("li", { dataset: { id: e.id } }, describe(e))),
      section("diff-changed", t("diff_changed"), changed, (e) => el("li", { dataset: { id: e.id } }, describe(e),
        el("ul", {}, e.changes.map(changeLine)))),
      section("diff-files", t("diff_files"), files, fileLine)),
    el("div", { class: "diff-diagrams" }, before.figure, after.figure));
    await drawVersion(to, after.container,
    [[ids(added), "diff-added"], [ids(changed), "diff-changed"]], "diagram-to");
  // A lane matched by name whose role (id) changed has its earlier id in the older version.
  await drawVersion(from, before.container,
    [[ids(removed), "diff-removed"], [changed.map((e) => e.previous_id || e.id), "diff-changed"]], "diagram-from");
}

main();
