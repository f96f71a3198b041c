// Shared by the library, diff, migration and modeler pages: uploads, bpmn-js loading, problems.
import { el, lang, t } from "./page.js";

/** POST files as multipart `files` with the session's CSRF header; return {ok, status, data}. */
export async function upload(path, files) {
  const form = new FormData();
  for (const [name, text] of Object.entries(files)) {
    form.append("files", new Blob([text], { type: "application/xml" }), name);
  }
  const response = await fetch(path, {
    method: "POST",
    body: form,
    credentials: "same-origin",
    headers: {
      Accept: "application/json",
      "Accept-Language": lang,
      "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content,
    },
  });
  const data = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, data };
}

/** Resolve with window.BpmnJS once the page's bpmn-js bundle has loaded. */
export function bpmnReady() {
  if (window.BpmnJS) return Promise.resolve(window.BpmnJS);
  return new Promise((resolve, reject) => {
    const script = document.querySelector('script[src*="/vendor/bpmn-js/"]');
    if (!script) reject(new Error("bpmn-js is not on the page"));
    script.addEventListener("load", () => resolve(window.BpmnJS));
    script.addEventListener("error", () => reject(new Error("bpmn-js did not load")));
  });
}

/**
 * Where the editors keep unsaved drafts in localStorage: one namespace per kind of file. A
 * process key is an XML name (no "/"), so "<key>/<file>" cannot be read two ways.
 */
export const draftNames = {
  import: "saksflyt.draft.import",
  fresh: "saksflyt.draft.new",
  bpmn: (key) => `saksflyt.draft.bpmn.${key}`,
  form: (key, file) => `saksflyt.draft.form.${key}/${file}`,
  dmn: (key, file) => `saksflyt.draft.dmn.${key}/${file}`,
};

/**
 * The names drafts had before draftNames, which could clash (a process "form.x" and a form).
 * A BPMN draft's earlier name is ambiguous for keys that look like another kind's: null then.
 */
export const earlierDraftNames = {
  bpmn: (key) => (/^(import$|bpmn\.|form\.|dmn\.)/.test(key) ? null : `saksflyt.draft.${key}`),
  form: (key, file) => `saksflyt.draft.form.${key}.${file}`,
  dmn: (file) => `saksflyt.draft.dmn.${file}`,
};

/** Move a draft kept under its earlier name to its name now, unless one already has that name. */
export function adoptEarlierDraft(name, earlier) {
  const old = earlier === null ? null : localStorage.getItem(earlier);
  if (old === null) return;
  if (localStorage.getItem(name) === null) localStorage.setItem(name, old);
  localStorage.removeItem(earlier);
}

export const definitionPath = (key) => `/api/v1/process-definitions/${encodeURIComponent(key)}`;

/** Label the diagram's SVG for assistive technology. */
export function labelSvg(container, labelId) {
  const svg = container.querySelector("svg");
  if (svg) {
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-labelledby", labelId);
  }
}

/** A list item for one problem: severity, where, message; a button to show the element. */
export function problemItem(problem, onShow) {
  const where = [problem.element_name || problem.element_id, problem.line && t("mod_line", { n: problem.line })]
    .filter(Boolean).join(", ");
  const severity = problem.severity === "warning" ? t("mod_warning") : t("mod_error");
  return el("li", { class: `problem problem--${problem.severity}`, dataset: { elementId: problem.element_id || "" } },
    el("strong", {}, `${severity}: `),
    where ? el("span", { class: "problem__where" }, `${where} – `) : null,
    problem.message,
    problem.element_id && onShow
      ? el("button", { type: "button", class: "button button--quiet problem__show",
        onclick: () => onShow(problem.element_id) }, t("mod_show_element"))
      : null);
}

export function versionLabel(version) {
  return t("version", { n: version });
}

/** What a warning says apart from the element it names: warnings alike share it. */
function warningKind(problem) {
  return problem.message.replace(/'[^']*'|"[^"]*"|«[^»]*»/g, "…").replace(/^[^:]*: /, "");
}

/**
 * The list items for a set of problems: errors first, one by one; then warnings, those that say
 * the same thing about several elements folded into one item that opens to show them.
 */
export function problemItems(problems, onShow) {
  const errors = problems.filter((p) => p.severity !== "warning");
  const groups = new Map();
  for (const warning of problems.filter((p) => p.severity === "warning")) {
    const kind = warningKind(warning);
    groups.set(kind, [...(groups.get(kind) || []), warning]);
  }
  const folded = [...groups.values()].map((group) => (group.length === 1
    ? problemItem(group[0], onShow)
    : el("li", { class: "problem problem--warning problem-group" },
      el("details", {},
        el("summary", {}, t("mod_warning_group", { n: group.length, message: group[0].message })),
        el("ul", { class: "problem-list" }, group.map((p) => problemItem(p, onShow)))))));
  return [...errors.map((p) => problemItem(p, onShow)), ...folded];
}
