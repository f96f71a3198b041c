// The properties panel's form controls: labelled fields bound to a change handler.
import { el } from "./page.js";

export function field(id, label, control, hint, error) {
  const hintId = hint ? `${id}-hint` : null;
  const errorId = error ? `${id}-error` : null;
  const described = [hintId, errorId].filter(Boolean).join(" ");
  if (described) control.setAttribute("aria-describedby", described);
  if (error) control.setAttribute("aria-invalid", "true");
  return el("div", { class: "field" }, el("label", { for: id }, label),
    hint ? el("p", { class: "hint", id: hintId }, hint) : null,
    error ? el("p", { class: "field-error", id: errorId }, error) : null, control);
}

/** A text field; `error` is shown at it (what an on-the-spot check found in the value). */
export function text(id, label, value, onChange, { multiline = false, code = false, hint, list, options, error } = {}) {
  const control = el(multiline ? "textarea" : "input", {
    id, name: id, class: code ? "code" : null, spellcheck: code ? "false" : null,
    type: multiline ? null : "text", list: list || null, autocomplete: "off",
  });
  control.value = value;
  control.addEventListener("change", () => onChange(control.value.trim()));
  const wrapper = field(id, label, control, hint, error);
  if (list) wrapper.append(el("datalist", { id: list }, (options || []).map((o) => el("option", { value: o }))));
  return wrapper;
}

export function select(id, label, options, value, onChange, { empty, hint } = {}) {
  const control = el("select", { id, name: id },
    empty !== undefined ? el("option", { value: "" }, empty) : null,
    options.map((o) => el("option", { value: o.value, selected: o.value === value }, o.label)));
  if (value && !options.some((o) => o.value === value)) control.append(el("option", { value, selected: true }, value));
  control.addEventListener("change", () => onChange(control.value));
  return field(id, label, control, hint);
}

export function checkbox(id, label, checked, onChange) {
  const control = el("input", { type: "checkbox", id, checked });
  control.addEventListener("change", () => onChange(control.checked));
  return el("div", { class: "field field--checkbox" }, el("div", { class: "choice" }, control, el("label", { for: id }, label)));
}

export function button(id, label, onClick) {
  return el("button", { type: "button", id, class: "button button--quiet", onclick: onClick }, label);
}

export function announceField(id, message) {
  const input = document.getElementById(id);
  input?.setAttribute("aria-invalid", "true");
  input?.closest(".field")?.append(el("p", { class: "field-error", role: "alert" }, message));
}
