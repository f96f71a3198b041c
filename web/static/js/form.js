// Render a form from JSON Schema + UI schema (react-jsonschema-form conventions: ui:order,
// ui:widget, ui:help, ui:placeholder, ui:readonly, ui:enumNames), read its value back, and
// show the server's field messages at each field.
import { dateField } from "./form_dates.js";
import { el, lang, t } from "./page.js";

const idFor = (path) => `f-${path.replace(/[^A-Za-z0-9_-]/g, "-")}`;
const join = (prefix, name) => (prefix ? `${prefix}.${name}` : String(name));

function typeOf(schema) {
  const type = Array.isArray(schema.type) ? schema.type.find((x) => x !== "null") : schema.type;
  if (type) return type;
  if (schema.properties) return "object";
  if (schema.items) return "array";
  return "string";
}

// Forms carry English next to bokmål as x-title-en / x-description-en.
function text(schema, key) {
  return (lang === "en" && schema[`x-${key}-en`]) || schema[key];
}

function choicesOf(schema, ui) {
  if (Array.isArray(schema.oneOf) && schema.oneOf.length && schema.oneOf.every((o) => "const" in o)) {
    return schema.oneOf.map((o) => ({ value: o.const, label: text(o, "title") ?? String(o.const) }));
  }
  if (Array.isArray(schema.enum)) {
    const names = ui["ui:enumNames"] || schema.enumNames || [];
    return schema.enum.map((value, i) => ({ value, label: names[i] ?? String(value) }));
  }
  return null;
}

function kindOf(schema, ui) {
  const widget = ui["ui:widget"];
  if (widget === "hidden") return "hidden";
  const type = typeOf(schema);
  if (type === "object") return "object";
  if (type === "array") {
    const items = schema.items || {};
    // An ordered choice (a ranking of applicants): one select per place, moved up and down.
    if (widget === "ranking" && choicesOf(items, ui.items || {})) return "ranking";
    if (choicesOf(items, ui.items || {})) return "multi";
    return typeOf(items) === "object" ? "objects" : "list";
  }
  if (type === "boolean") return widget === "radio" || widget === "select" ? "yesno" : "checkbox";
  if (choicesOf(schema, ui)) return widget === "radio" ? "radio" : "select";
  if (type === "number" || type === "integer") return "number";
  if (schema.format === "attachment") return "attachment";
  if (schema.format === "date" || widget === "date") return "date";
  if (schema.format === "date-time" || widget === "datetime") return "datetime";
  if (widget === "textarea") return "textarea";
  return "text";
}

function orderOf(names, order) {
  if (!Array.isArray(order)) return names;
  const rest = names.filter((n) => !order.includes(n));
  const out = [];
  for (const name of order) {
    if (name === "*") out.push(...rest);
    else if (names.includes(name)) out.push(name);
  }
  return order.includes("*") ? out : [...out, ...rest];
}

function labelContent(text, required) {
  return [text, required ? el("span", { class: "required-tag" }, ` (${t("required")})`) : null];
}

const moneyText = new Intl.NumberFormat(lang === "en" ? "en-GB" : "nb-NO",
  { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function numberText(value, money) {
  if (typeof value !== "number") return value ?? "";
  if (money) return moneyText.format(value);
  return lang === "nb" ? String(value).replace(".", ",") : String(value);
}

function parseNumber(text, integer) {
  // "12 345,50" and "12345.5" both mean 12345.5 in bokmål; English uses "12,345.50".
  let cleaned = text.replace(/[\s\u00a0\u202f]/g, "");
  if (lang === "en") cleaned = cleaned.replace(/,/g, "");
  else if (cleaned.includes(",")) cleaned = cleaned.replace(/\./g, "").replace(",", ".");
  if (cleaned === "") return undefined;
  const number = Number(cleaned);
  if (Number.isNaN(number) || (integer && !Number.isInteger(number))) return text;
  return number;
}

/** Build a form; return its node and value(), showErrors(details), clearErrors().
 * `idPrefix` keeps the field ids of several forms on one page apart. */
export function renderForm(schema, uiSchema, data, { readOnly = false, idPrefix = "" } = {}) {
  const ctx = { registry: new Map(), readOnly, idPrefix };
  const root = objectFields(ctx, schema, uiSchema || {}, data || {}, "");
  const node = el("div", { class: "form-fields" }, root.nodes);
  // A field's error goes as soon as the person changes that field, not at the next submit:
  // its message and aria-invalid here, its line in the error summary by `followFixes`.
  const fixed = (event) => {
    for (const [path, entry] of ctx.registry) {
      if (entry.errorEl.hidden || !entry.wrapper.contains(event.target)) continue;
      clearEntry(entry);
      node.dispatchEvent(new CustomEvent(FIELD_FIXED, { bubbles: true, detail: { path } }));
    }
  };
  node.addEventListener("input", fixed);
  node.addEventListener("change", fixed);
  return {
    node,
    value: root.get,
    clearErrors: () => clearErrors(ctx),
    showErrors: (details) => showErrors(ctx, details),
    problems: () => problems(ctx),
  };
}

function objectFields(ctx, schema, ui, value, prefix) {
  const properties = schema.properties || {};
  const required = new Set(schema.required || []);
  const children = orderOf(Object.keys(properties), ui["ui:order"]).map((name) => ({
    name,
    ...field(ctx, properties[name], ui[name] || {}, value?.[name], join(prefix, name),
      required.has(name), name),
  }));
  return {
    nodes: children.map((c) => c.node).filter(Boolean),
    get() {
      const out = {};
      for (const child of children) {
        const v = child.get();
        if (v !== undefined) out[child.name] = v;
      }
      return out;
    },
  };
}

function field(ctx, schema, ui, value, path, required, name) {
  const spec = {
    ctx, schema, ui, value, path, required,
    id: ctx.idPrefix + idFor(path),
    label: ui["ui:title"] || text(schema, "title") || name,
    hint: [text(schema, "description"), ui["ui:help"]].filter(Boolean).join(" ") || null,
    readOnly: Boolean(ctx.readOnly || schema.readOnly || ui["ui:readonly"] || ui["ui:disabled"]),
  };
  const build = {
    hidden: () => ({ node: null, get: () => value }),
    object: nestedObject,
    objects: objectList,
    list: stringList,
    multi: checkboxGroup,
    ranking,
    checkbox,
    yesno: (s) => radioGroup(s, [{ value: true, label: t("yes") }, { value: false, label: t("no") }]),
    radio: (s) => radioGroup(s, choicesOf(schema, ui)),
    select,
    number: (s) => input(s, "number"),
    attachment,
    date: (s) => dateField(s, false, dateHelpers),
    datetime: (s) => dateField(s, true, dateHelpers),
    textarea: (s) => input(s, "textarea"),
    text: (s) => input(s, "text"),
  }[kindOf(schema, ui)];
  const built = build(spec);
  const entry = ctx.registry.get(path);
  if (entry && built.problem) entry.problem = built.problem;
  return built;
}

/** What the person typed that the page cannot read (a date like "31.02.2027"), by field path. */
function problems(ctx) {
  const found = [...ctx.registry].map(([path, entry]) => [path, entry.problem?.()]).filter(([, text]) => text);
  return Object.fromEntries(found.map(([path, text]) => [path, [text]]));
}

function register(spec, wrapper, inputs, errorEl, hintId) {
  spec.ctx.registry.set(spec.path, { wrapper, inputs, errorEl, hintId, label: spec.label });
}

function describedBy(...ids) {
  const joined = ids.filter(Boolean).join(" ");
  return joined || undefined;
}
const dateHelpers = { register, describedBy, labelContent };

function input(spec, kind) {
  const { schema, ui, value, id, hint } = spec;
  const hintId = hint ? `${id}-hint` : null;
  const format = schema.format;
  const common = {
    id, name: spec.path, "aria-describedby": describedBy(hintId),
    "aria-required": spec.required ? "true" : undefined, readonly: spec.readOnly,
    placeholder: ui["ui:placeholder"], maxlength: schema.maxLength,
  };
  let control;
  if (kind === "textarea") {
    control = el("textarea", { ...common, rows: ui["ui:options"]?.rows || 5 }, value ?? "");
  } else if (kind === "number") {
    const money = ui["ui:widget"] === "money";
    control = el("input", { ...common, type: "text", inputmode: schema.type === "integer" ? "numeric" : "decimal",
      value: numberText(value, money), class: "input--short", autocomplete: "off" });
    if (money) control = el("div", { class: "input-suffix" }, control, el("span", { "aria-hidden": "true" }, "kr"));
  } else {
    const type = { email: "email", uri: "url" }[format] || { email: "email", uri: "url" }[ui["ui:widget"]] || "text";
    control = el("input", { ...common, type, value: value ?? "", autocomplete: ui["ui:autocomplete"] || "off" });
  }
  const errorEl = el("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const wrapper = el("div", { class: "field" },
    el("label", { for: id }, labelContent(spec.label, spec.required)),
    hint ? el("p", { class: "hint", id: hintId }, hint) : null,
    errorEl, control);
  const box = control.querySelector?.("input") || control;
  register(spec, wrapper, [box], errorEl, hintId);
  const integer = typeOf(schema) === "integer";
  return {
    node: wrapper,
    get() {
      if (kind === "number") return parseNumber(box.value, integer);
      const text = kind === "textarea" ? box.value : box.value.trim();
      return text.trim() === "" ? undefined : text;
    },
  };
}

const sizeFormat = new Intl.NumberFormat(lang === "en" ? "en-GB" : "nb-NO", { maximumFractionDigits: 1 });

function fileSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${sizeFormat.format(bytes / 1024)} kB`;
  return `${sizeFormat.format(bytes / (1024 * 1024))} MB`;
}

async function upload(file) {
  const body = new FormData();
  body.append("file", file);
  const response = await fetch("/api/v1/attachments", {
    method: "POST", body, credentials: "same-origin",
    headers: { Accept: "application/json", "Accept-Language": lang,
      "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content },
  });
  const data = (response.headers.get("Content-Type") || "").includes("json") ? await response.json() : null;
  return { ok: response.ok, status: response.status, data };
}

// A file field: upload on change, keep the attachment id, show name and size, allow removal.
function attachment(spec) {
  const { id, hint } = spec;
  const hintId = hint ? `${id}-hint` : null;
  let current = typeof spec.value === "string" && spec.value ? { id: spec.value } : null;
  const control = el("input", { id, type: "file", name: spec.path, disabled: spec.readOnly,
    "aria-describedby": describedBy(hintId), "aria-required": spec.required ? "true" : undefined,
    accept: ".pdf,.doc,.docx,.png,.jpg,.jpeg" });
  const errorEl = el("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const status = el("div", { class: "attachment", id: `${id}-file`, "aria-live": "polite" });
  const show = () => {
    control.hidden = Boolean(current);
    if (!current) {
      status.replaceChildren();
      return;
    }
    const label = current.filename ? `${current.filename} (${fileSize(current.size)})` : t("attachment_attached");
    const remove = spec.readOnly ? null : el("button", { type: "button", class: "button button--quiet",
      onclick: () => {
        current = null;
        control.value = "";
        show();
        control.focus();
      } }, t("remove_item"), el("span", { class: "visually-hidden" }, ` ${label}`));
    status.replaceChildren(
      current.filename
        ? el("a", { href: `/api/v1/attachments/${current.id}/content`, class: "attachment__name" }, label)
        : el("span", { class: "attachment__name" }, label),
      remove);
  };
  const fail = (message) => {
    errorEl.textContent = message;
    errorEl.hidden = false;
    control.setAttribute("aria-invalid", "true");
  };
  control.addEventListener("change", async () => {
    const file = control.files?.[0];
    if (!file) return;
    errorEl.hidden = true;
    control.removeAttribute("aria-invalid");
    status.replaceChildren(el("span", { class: "muted" }, t("attachment_uploading")));
    const result = await upload(file);
    if (result.ok) {
      current = result.data;
      show();
      status.querySelector("button")?.focus();
    } else {
      status.replaceChildren();
      control.value = "";
      fail(result.data?.error?.details?.file?.[0] || result.data?.error?.message || t("error_generic"));
    }
  });
  if (current) {
    fetch(`/api/v1/attachments/${current.id}`, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : null)).then((data) => {
        if (data && current?.id === data.id) current = data;
        show();
      });
  }
  show();
  const wrapper = el("div", { class: "field" },
    el("label", { for: id }, labelContent(spec.label, spec.required)),
    hint ? el("p", { class: "hint", id: hintId }, hint) : null, errorEl, control, status);
  register(spec, wrapper, [control], errorEl, hintId);
  return { node: wrapper, get: () => current?.id };
}

function select(spec) {
  const { id, hint } = spec;
  const choices = choicesOf(spec.schema, spec.ui);
  const hintId = hint ? `${id}-hint` : null;
  const current = choices.findIndex((c) => c.value === spec.value);
  const control = el("select", {
    id, name: spec.path, "aria-describedby": describedBy(hintId),
    "aria-required": spec.required ? "true" : undefined, disabled: spec.readOnly,
  }, el("option", { value: "" }, t("choose")),
  choices.map((c, i) => el("option", { value: String(i), selected: i === current }, c.label)));
  const errorEl = el("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const wrapper = el("div", { class: "field" },
    el("label", { for: id }, labelContent(spec.label, spec.required)),
    hint ? el("p", { class: "hint", id: hintId }, hint) : null, errorEl, control);
  register(spec, wrapper, [control], errorEl, hintId);
  return { node: wrapper, get: () => (control.value === "" ? undefined : choices[Number(control.value)].value) };
}

function group(spec, className, inputs, extra = []) {
  const { id, hint } = spec;
  const hintId = hint ? `${id}-hint` : null;
  const errorEl = el("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const wrapper = el("fieldset", { class: `field ${className}`, id: `${id}-group`,
    "aria-describedby": describedBy(hintId) },
  el("legend", {}, labelContent(spec.label, spec.required)),
  hint ? el("p", { class: "hint", id: hintId }, hint) : null, errorEl, inputs, extra);
  return { wrapper, errorEl, hintId };
}

function radioGroup(spec, choices) {
  const radios = choices.map((choice, i) => {
    const radio = el("input", { type: "radio", id: `${spec.id}-${i}`, name: spec.path, value: String(i),
      checked: choice.value === spec.value, disabled: spec.readOnly });
    return { radio, node: el("div", { class: "choice" }, radio,
      el("label", { for: `${spec.id}-${i}` }, choice.label)) };
  });
  const { wrapper, errorEl, hintId } = group(spec, "choices", radios.map((r) => r.node));
  wrapper.setAttribute("role", "radiogroup");
  if (spec.required) wrapper.setAttribute("aria-required", "true");
  register(spec, wrapper, radios.map((r) => r.radio), errorEl, hintId);
  return {
    node: wrapper,
    get() {
      const checked = radios.findIndex((r) => r.radio.checked);
      return checked < 0 ? undefined : choices[checked].value;
    },
  };
}

function checkbox(spec) {
  const { id, hint } = spec;
  const hintId = hint ? `${id}-hint` : null;
  const control = el("input", { type: "checkbox", id, name: spec.path, checked: spec.value === true,
    disabled: spec.readOnly, "aria-describedby": describedBy(hintId) });
  const errorEl = el("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const wrapper = el("div", { class: "field field--checkbox" }, errorEl,
    el("div", { class: "choice" }, control, el("label", { for: id }, labelContent(spec.label, false))),
    hint ? el("p", { class: "hint", id: hintId }, hint) : null);
  register(spec, wrapper, [control], errorEl, hintId);
  return { node: wrapper, get: () => control.checked };
}

function checkboxGroup(spec) {
  const choices = choicesOf(spec.schema.items, spec.ui.items || {});
  const selected = Array.isArray(spec.value) ? spec.value : [];
  const boxes = choices.map((choice, i) => {
    const box = el("input", { type: "checkbox", id: `${spec.id}-${i}`, name: spec.path,
      checked: selected.includes(choice.value), disabled: spec.readOnly });
    return { box, node: el("div", { class: "choice" }, box,
      el("label", { for: `${spec.id}-${i}` }, choice.label)) };
  });
  const { wrapper, errorEl, hintId } = group(spec, "choices", boxes.map((b) => b.node));
  register(spec, wrapper, boxes.map((b) => b.box), errorEl, hintId);
  return { node: wrapper, get: () => choices.filter((_, i) => boxes[i].box.checked).map((c) => c.value) };
}

function nestedObject(spec) {
  const inner = objectFields(spec.ctx, spec.schema, spec.ui, spec.value || {}, spec.path);
  const { wrapper, errorEl, hintId } = group(spec, "object", inner.nodes);
  register(spec, wrapper, [], errorEl, hintId);
  // An optional group left empty is not sent: an empty object would fail its own required fields.
  const get = () => {
    const value = inner.get();
    return !spec.required && Object.keys(value).length === 0 ? undefined : value;
  };
  return { node: wrapper, get };
}

function repeated(spec, renderRow, emptyValue, { movable = false } = {}) {
  const { ctx, path, schema } = spec;
  const rowsEl = el("ol", { class: "rows" });
  let rows = [];
  const initial = Array.isArray(spec.value) ? spec.value : [];
  const minimum = Math.max(schema.minItems || 0, 0);
  const addButton = spec.readOnly ? null : el("button", { type: "button", class: "button button--secondary",
    onclick: () => {
      draw([...rows.map((r) => r.get()), emptyValue()]);
      rowsEl.lastElementChild?.querySelector("input, select, textarea")?.focus();
    } }, `+ ${t("add_item")}`, el("span", { class: "visually-hidden" }, ` – ${spec.label}`));
  const draw = (values) => {
    for (const key of [...ctx.registry.keys()]) if (key.startsWith(`${path}.`)) ctx.registry.delete(key);
    rows = values.map((value, i) => {
      const remove = spec.readOnly ? null : el("button", { type: "button", class: "button button--quiet remove",
        onclick: () => {
          const kept = rows.map((r) => r.get());
          kept.splice(i, 1);
          draw(kept);
          (rowsEl.children[Math.min(i, kept.length - 1)]?.querySelector("input, select, textarea") || addButton)?.focus();
        } }, t("remove_item"), el("span", { class: "visually-hidden" }, ` ${spec.label} – ${t("item_n", { n: i + 1 })}`));
      const moves = movable && !spec.readOnly ? moveButtons(i, values.length) : [];
      return renderRow(value, i, remove, moves);
    });
    rowsEl.replaceChildren(...rows.map((r) => r.node));
  };
  // Up and down swap a row with its neighbour; the focus stays on the moved row's button.
  const moveButtons = (i, count) => [[-1, "move_up"], [1, "move_down"]]
    .filter(([step]) => i + step >= 0 && i + step < count)
    .map(([step, key]) => el("button", { type: "button", class: `button button--quiet ${key}`,
      onclick: () => {
        const values = rows.map((r) => r.get());
        [values[i], values[i + step]] = [values[i + step], values[i]];
        draw(values);
        const moved = rowsEl.children[i + step];
        (moved.querySelector(`.${key}`) || moved.querySelector(".move_up, .move_down"))?.focus();
      } }, t(key), el("span", { class: "visually-hidden" }, ` – ${t("rank_n", { n: i + 1 })}`)));
  draw(initial.length ? initial : Array.from({ length: minimum }, emptyValue));
  const { wrapper, errorEl, hintId } = group(spec, "repeat", rowsEl, addButton ? [addButton] : []);
  register(spec, wrapper, [], errorEl, hintId);
  const entry = ctx.registry.get(path);
  entry.focusFallback = () => rowsEl.querySelector("input, select, textarea") || addButton;
  return { node: wrapper, get: () => rows.map((r) => r.get()).filter((v) => v !== undefined) };
}

function objectList(spec) {
  const items = spec.schema.items || {};
  const itemsUi = spec.ui.items || {};
  return repeated(spec, (value, i, remove) => {
    const rowPath = join(spec.path, i);
    const inner = objectFields(spec.ctx, items, itemsUi, value || {}, rowPath);
    const node = el("li", { class: "row" }, el("fieldset", { class: "row__fields" },
      el("legend", {}, `${spec.label} – ${t("item_n", { n: i + 1 })}`), inner.nodes, remove));
    return { node, get: inner.get };
  }, () => ({}));
}

function stringList(spec) {
  const items = spec.schema.items || {};
  return repeated(spec, (value, i, remove) => {
    const inner = field(spec.ctx, items, spec.ui.items || {}, value, join(spec.path, i), false,
      `${spec.label} – ${t("item_n", { n: i + 1 })}`);
    return { node: el("li", { class: "row row--inline" }, inner.node, remove), get: inner.get };
  }, () => undefined);
}

// A ranking: place 1, 2, 3 … each a select of the case's choices, ordered with up and down.
function ranking(spec) {
  const items = spec.schema.items || {};
  return repeated(spec, (value, i, remove, moves) => {
    const ui = { ...(spec.ui.items || {}), "ui:title": t("rank_n", { n: i + 1 }) };
    const inner = field(spec.ctx, items, ui, value, join(spec.path, i), false);
    return { node: el("li", { class: "row row--inline row--ranked" }, inner.node, moves, remove), get: inner.get };
  }, () => undefined, { movable: true });
}

function clearErrors(ctx) {
  for (const entry of ctx.registry.values()) clearEntry(entry);
}

function clearEntry(entry) {
  entry.errorEl.hidden = true;
  entry.errorEl.textContent = "";
  entry.wrapper.classList.remove("field--error");
  for (const control of entry.inputs) {
    control.removeAttribute("aria-invalid");
    const ids = describedBy(entry.hintId);
    if (ids) control.setAttribute("aria-describedby", ids);
    else control.removeAttribute("aria-describedby");
  }
  if (!entry.inputs.length) {
    const ids = describedBy(entry.hintId);
    if (ids) entry.wrapper.setAttribute("aria-describedby", ids);
    else entry.wrapper.removeAttribute("aria-describedby");
  }
}

const FIELD_FIXED = "field-fixed";

/** Keep an error summary (page.js `errorSummary` of `items`, from `showErrors`) in step with
 * the fields: a line goes when the person changes its field; the summary with its last line. */
export function followFixes(summary, items, formNode) {
  summary.querySelectorAll("li").forEach((line, i) => {
    if (items[i]?.path) line.dataset.path = items[i].path;
  });
  const drop = (event) => {
    if (!summary.isConnected) {
      formNode.removeEventListener(FIELD_FIXED, drop);
      return;
    }
    for (const line of summary.querySelectorAll("li[data-path]")) {
      if (line.dataset.path === event.detail.path) line.remove();
    }
    if (!summary.querySelector("li")) {
      summary.remove();
      formNode.removeEventListener(FIELD_FIXED, drop);
    }
  };
  formNode.addEventListener(FIELD_FIXED, drop);
}

function messagesOf(value) {
  if (Array.isArray(value)) return value.flatMap(messagesOf);
  if (value && typeof value === "object") return Object.values(value).flatMap(messagesOf);
  return [String(value)];
}

function showErrors(ctx, details) {
  clearErrors(ctx);
  const summary = [];
  for (const [path, value] of Object.entries(details || {})) {
    const text = messagesOf(value).join(" ");
    let key = path;
    let entry = ctx.registry.get(key);
    while (!entry && key.includes(".")) {
      key = key.slice(0, key.lastIndexOf("."));
      entry = ctx.registry.get(key);
    }
    if (!entry) {
      summary.push({ text, target: null });
      continue;
    }
    entry.errorEl.textContent = entry.errorEl.textContent ? `${entry.errorEl.textContent} ${text}` : text;
    entry.errorEl.hidden = false;
    entry.wrapper.classList.add("field--error");
    const ids = describedBy(entry.hintId, entry.errorEl.id);
    for (const control of entry.inputs) {
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", ids);
    }
    if (!entry.inputs.length) entry.wrapper.setAttribute("aria-describedby", ids);
    const target = entry.inputs[0] || entry.focusFallback?.() || entry.wrapper;
    summary.push({ text: `${entry.label}: ${text}`, target, path: key });
  }
  // In the order the fields appear, not the order the server sorted its paths in.
  const position = (item) => item.target;
  return summary.sort((a, b) => {
    if (!position(a) || !position(b)) return position(a) ? 1 : -1;
    return a.target.compareDocumentPosition(b.target) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
  });
}
