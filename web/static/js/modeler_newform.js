// The form editor inside the modeler: a new form (or one the draft carries) as JSON Schema and
// UI schema, previewed by the inbox's own renderer, kept with the diagram's draft and deployed
// with it as one version. The task is wired to both files when the owner saves.
import { renderForm } from "./form.js";
import { el, t } from "./page.js";
import { blankForm } from "./modeler_blank.js";

const NAME = /^[a-z][a-z0-9_.-]*$/;

/**
 * Open the dialog. `form` is {name, schema, ui} to edit one the draft carries, or null for a new
 * one named after `suggested`. `onSave({name, uiName, schema, ui})` gets the texts when valid.
 */
export function openFormDialog({ form, suggested, taken, onSave }) {
  const start = form || { name: suggested, ...blankForm() };
  const nameInput = el("input", { id: "nf-name", type: "text", class: "code", autocomplete: "off",
    "aria-describedby": "nf-name-hint nf-name-error", readonly: form ? true : null });
  nameInput.value = start.name.replace(/\.schema\.json$/, "");
  const schemaText = el("textarea", { id: "nf-schema", class: "code form-source", rows: 14, spellcheck: "false" });
  const uiText = el("textarea", { id: "nf-ui", class: "code form-source", rows: 6, spellcheck: "false" });
  schemaText.value = start.schema;
  uiText.value = start.ui;
  const nameError = el("p", { class: "field-error", id: "nf-name-error", role: "alert", hidden: true });
  const jsonError = el("p", { class: "field-error", id: "nf-json-error", role: "alert", hidden: true });
  const preview = el("div", { id: "nf-preview", class: "stack" });
  const parsed = () => {
    try {
      const schema = JSON.parse(schemaText.value);
      const ui = JSON.parse(uiText.value || "{}");
      jsonError.hidden = true;
      return { schema, ui };
    } catch (failure) {
      jsonError.hidden = false;
      jsonError.textContent = t("form_json_error", { message: failure.message });
      return null;
    }
  };
  const refresh = () => {
    const value = parsed();
    if (!value) return;
    try {
      preview.replaceChildren(renderForm(value.schema, value.ui, {}).node);
    } catch (failure) {
      preview.replaceChildren(el("p", { class: "alert" }, t("form_render_failed", { message: failure.message })));
    }
  };
  schemaText.addEventListener("input", refresh);
  uiText.addEventListener("input", refresh);
  const dialog = el("dialog", { class: "panel form-dialog", id: "form-dialog", "aria-labelledby": "nf-title" });
  const save = () => {
    const base = nameInput.value.trim();
    const name = `${base}.schema.json`;
    const problem = !NAME.test(base) ? t("nf_name_invalid")
      : (!form && taken.includes(name) ? t("nf_name_taken", { name }) : null);
    nameError.hidden = problem === null;
    nameError.textContent = problem || "";
    nameInput.setAttribute("aria-invalid", problem ? "true" : "false");
    if (problem || !parsed()) return;
    onSave({ name, uiName: `${base}.uischema.json`, schema: schemaText.value, ui: uiText.value });
    dialog.close();
    dialog.remove();
  };
  dialog.append(
    el("h2", { id: "nf-title" }, form ? t("nf_title_edit", { name: form.name }) : t("nf_title_new")),
    el("p", { class: "hint" }, t("nf_intro")),
    el("div", { class: "form-editor-layout" },
      el("div", { class: "form-editor-sources" },
        el("div", { class: "field" }, el("label", { for: "nf-name" }, t("nf_name")),
          el("p", { class: "hint", id: "nf-name-hint" }, t("nf_name_hint")), nameError, nameInput),
        el("div", { class: "field" }, el("label", { for: "nf-schema" }, t("form_schema")),
          el("p", { class: "hint" }, t("form_schema_hint")), jsonError, schemaText),
        el("div", { class: "field" }, el("label", { for: "nf-ui" }, t("form_uischema")),
          el("p", { class: "hint" }, t("form_uischema_hint")), uiText)),
      el("section", { class: "form-preview", "aria-labelledby": "nf-preview-title" },
        el("h3", { id: "nf-preview-title" }, t("form_preview")), preview)),
    el("div", { class: "actions" },
      el("button", { type: "button", id: "nf-save", class: "button button--primary", onclick: save }, t("nf_save")),
      el("button", { type: "button", id: "nf-cancel", class: "button button--quiet",
        onclick: () => { dialog.close(); dialog.remove(); } }, t("nf_cancel"))));
  document.body.append(dialog);
  refresh();
  dialog.showModal();
  (form ? schemaText : nameInput).focus();
}
