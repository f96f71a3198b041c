// The properties panel: a plain form bound to the selected element; edits go through modeling.
import { el, t } from "./page.js";
import { bo, Editor, is, TIMER_KINDS } from "./modeler_bpmn.js";
import { messageProblem, timerProblem } from "./modeler_checks.js";
import { announceField, button, checkbox, select, text } from "./modeler_fields.js";
import { mailSection } from "./modeler_mail.js";
import { openFormDialog } from "./modeler_newform.js";
import { openTableDialog } from "./modeler_table.js";
import { boundaryFields, multiInstanceFields, operatorFields } from "./modeler_panel_tasks.js";

export const ROLES = ["participant", "leader", "service_leader", "union_rep", "admin_group", "finance",
  "hr", "process_owner", "auditor", "admin"];
const SNAKE = /^[a-z][a-z0-9_]*$/;
const WORKING_DAY_HOUR = "T08:00:00";

export class Panel {
  constructor(modeler, container, context) {
    this.modeler = modeler;
    this.editor = new Editor(modeler);
    this.container = container;
    this.context = context; // {forms: [names], processes: [keys], key, version}
    this.element = null;
    modeler.on("selection.changed", ({ newSelection }) => this.show(newSelection[0] || null));
    modeler.on("elements.changed", ({ elements }) => {
      if (!this.element || elements.some((e) => e === this.element || e.id === this.element.id)) {
        this.show(this.element && this.modeler.get("elementRegistry").get(this.element.id) ? this.element : null);
      }
    });
  }

  show(selected) {
    // An external label (a flow's or an event's name) stands for the element it labels.
    const element = selected?.labelTarget || selected;
    const focused = this.container.contains(document.activeElement) ? document.activeElement.id : null;
    this.element = element;
    const target = element || this.editor.canvas.getRootElement();
    const type = bo(target).$type.replace("bpmn:", "");
    this.container.replaceChildren(
      el("h2", { id: "panel-title", tabindex: "-1" }, t("mod_panel_title", { kind: t(`mod_type_${type}`) })),
      el("form", { class: "panel-form", novalidate: true, onsubmit: (e) => e.preventDefault() },
        ...this.fields(target)));
    if (focused) document.getElementById(focused)?.focus();
  }

  fields(element) {
    const e = this.editor;
    const out = [this.idField(element)];
    if (!is(element, "bpmn:Collaboration")) {
      out.push(text("p-name", t("mod_name"), bo(element).name || "", (v) => {
        e.modeling.updateProperties(element, { name: v || undefined });
        // A pool's name is its process's name: the one the start page and the library show.
        const ref = is(element, "bpmn:Participant") ? bo(element).processRef : null;
        if (ref) e.modeling.updateModdleProperties(element, ref, { name: v || undefined });
      }));
    }
    const process = is(element, "bpmn:Process") ? bo(element) : bo(element).processRef;
    if (process && (is(element, "bpmn:Process") || is(element, "bpmn:Participant"))) {
      if (!this.context.key) out.push(this.keyField(element, process));
      out.push(checkbox("p-executable", t("mod_executable"), process.isExecutable !== false,
        (on) => e.modeling.updateModdleProperties(element, process, { isExecutable: on })));
    }
    if (is(element, "bpmn:Lane")) out.push(this.laneField(element));
    if (is(element, "bpmn:UserTask")) out.push(...this.userTask(element));
    if (is(element, "bpmn:ScriptTask")) {
      out.push(text("p-script", t("mod_script"), bo(element).script || "",
        (v) => e.modeling.updateProperties(element, { script: v || undefined }),
        { multiline: true, code: true, hint: t("mod_script_hint") }));
    }
    if (is(element, "bpmn:CallActivity")) {
      out.push(text("p-called", t("mod_called"), bo(element).calledElement || "",
        (v) => e.modeling.updateProperties(element, { calledElement: v || undefined }),
        { list: "process-keys", options: this.context.processes }));
    }
    if (is(element, "bpmn:BusinessRuleTask")) {
      out.push(text("p-decision", t("mod_decision"), e.text(element, "CalledDecisionId"),
        (v) => e.setText(element, "CalledDecisionId", v)), this.tableButtons(element));
    }
    if (is(element, "bpmn:Activity")) {
      for (const [kind, label] of [["PreScript", "mod_prescript"], ["PostScript", "mod_postscript"]]) {
        out.push(text(`p-${kind.toLowerCase()}`, t(label), e.text(element, kind),
          (v) => e.setText(element, kind, v), { multiline: true, code: true }));
      }
    }
    if (is(element, "bpmn:ServiceTask")) out.push(...operatorFields(e, element));
    out.push(...mailSection(e, element));
    if (is(element, "bpmn:Activity") && !is(element, "bpmn:SubProcess")) out.push(...multiInstanceFields(e, element));
    if (is(element, "bpmn:BoundaryEvent")) out.push(...boundaryFields(e, element));
    if (e.timer(element)) out.push(...this.timer(element));
    if (e.messageHolder(element)) out.push(...this.message(element));
    if (is(element, "bpmn:SequenceFlow")) out.push(...this.flow(element));
    out.push(this.actions(element));
    return out.filter(Boolean);
  }

  idField(element) {
    const current = bo(element).id;
    return text("p-id", t("mod_id"), current, (value) => {
      if (!value || value === current) return;
      if (this.editor.registry.get(value) || this.editor.moddle.ids.assigned(value)) {
        announceField("p-id", t("mod_id_taken", { id: value }));
        return;
      }
      this.editor.modeling.updateProperties(element, { id: value });
    }, { hint: SNAKE.test(current) ? t("mod_id_hint") : t("mod_id_not_snake") });
  }

  laneField(element) {
    const options = ROLES.map((role) => ({ value: role, label: role }));
    return select("p-role", t("mod_role"), options, ROLES.includes(bo(element).id) ? bo(element).id : "",
      (role) => role && this.editor.modeling.updateProperties(element, { id: role }),
      { hint: t("mod_role_hint"), empty: t("mod_role_none") });
  }

  /** The process key of a new process: its id, the name it is deployed and started by. */
  keyField(element, process) {
    return text("p-key", t("mod_key"), process.id, (value) => {
      if (!SNAKE.test(value) || value === process.id) {
        if (value !== process.id) announceField("p-key", t("mod_key_invalid"));
        return;
      }
      this.editor.modeling.updateModdleProperties(element, process, { id: value });
    }, { code: true, hint: t("mod_key_hint") });
  }

  /** Who gets the task, from the organisation (assignTo and its companions). */
  assignment(element) {
    const e = this.editor;
    const to = e.property(element, "assignTo");
    const options = ["starter", "starter_leader", "leader_of", "role"]
      .map((value) => ({ value, label: t(`mod_assign_${value}`) }));
    const fields = [select("p-assign", t("mod_assign"), options, to, (v) => e.setProperty(element, "assignTo", v),
      { empty: t("mod_assign_lane"), hint: t("mod_assign_hint") })];
    if (to === "leader_of") {
      fields.push(text("p-assign-person", t("mod_assign_person"), e.property(element, "assignPerson"),
        (v) => e.setProperty(element, "assignPerson", v), { code: true, hint: t("mod_assign_person_hint") }));
    }
    if (to === "role") {
      const where = e.property(element, "assignWhere") || "starter";
      const places = ["starter", "data", "network"].map((value) => ({ value, label: t(`mod_where_${value}`) }));
      fields.push(select("p-assign-where", t("mod_assign_where"), places, where,
        (v) => e.setProperty(element, "assignWhere", v)));
      if (where === "data") {
        fields.push(text("p-assign-municipality", t("mod_assign_municipality"),
          e.property(element, "assignMunicipalityField"),
          (v) => e.setProperty(element, "assignMunicipalityField", v), { code: true }));
      }
    }
    return fields;
  }

  /** Make a new form for the task, or change one this draft carries. */
  formButtons(element, forms) {
    const e = this.editor;
    const drafts = this.context.draftForms || {};
    const current = e.property(element, "formJsonSchemaFilename");
    const wire = (form) => {
      this.context.saveForm(form);
      e.setProperty(element, "formJsonSchemaFilename", form.name);
      e.setProperty(element, "formUiSchemaFilename", form.uiName);
    };
    let owner = bo(element).$parent;
    while (owner && owner.$type !== "bpmn:Process") owner = owner.$parent;
    const process = owner?.id || this.context.key || "skjema";
    const suggested = `${process}.${bo(element).id}.schema.json`;
    const buttons = [button("p-form-new", t("mod_form_new"),
      () => openFormDialog({ form: null, suggested, taken: forms, onSave: wire }))];
    if (current && current in drafts) {
      const uiName = e.property(element, "formUiSchemaFilename") || current.replace(/\.schema\.json$/, ".uischema.json");
      buttons.push(button("p-form-draft-edit", t("mod_form_edit_draft"), () => openFormDialog({
        form: { name: current, schema: drafts[current], ui: drafts[uiName] || "{}" }, taken: forms, onSave: wire,
      })));
    }
    return el("div", { class: "actions panel-actions" }, buttons);
  }

  /** Make a new decision table for the task, or change one this draft carries. */
  tableButtons(element) {
    const e = this.editor;
    const drafts = this.context.draftForms || {};
    const current = e.text(element, "CalledDecisionId");
    const wire = (previous) => (table) => {
      if (previous && previous !== table.name) this.context.removeFile(previous);
      this.context.saveFile(table.name, table.xml);
      e.setText(element, "CalledDecisionId", table.id);
    };
    const open = (xml, previous) => openTableDialog({
      xml, suggested: current || `${bo(element).id}_rules`, validate: this.context.validateFile, onSave: wire(previous),
    });
    const buttons = [button("p-table-new", t("mod_table_new"), () => open(null, null))];
    const name = `${current}.dmn`;
    if (current && name in drafts) {
      buttons.push(button("p-table-edit", t("mod_table_edit"), () => open(drafts[name], name)));
    }
    return el("div", { class: "actions panel-actions" }, buttons);
  }

  userTask(element) {
    const e = this.editor;
    const forms = [...new Set([...this.context.forms, ...Object.keys(this.context.draftForms || {})])].sort();
    const schemas = forms.filter((n) => n.endsWith(".schema.json")).map((n) => ({ value: n, label: n }));
    const uis = forms.filter((n) => n.endsWith(".uischema.json")).map((n) => ({ value: n, label: n }));
    const setForm = (name) => {
      e.setProperty(element, "formJsonSchemaFilename", name);
      const ui = name.replace(/\.schema\.json$/, ".uischema.json");
      e.setProperty(element, "formUiSchemaFilename", name && forms.includes(ui) ? ui : "");
    };
    const property = (id, name, label, hint) => text(id, t(label), e.property(element, name),
      (v) => e.setProperty(element, name, v), { hint: t(hint), code: true });
    return [
      select("p-form", t("mod_form"), schemas, e.property(element, "formJsonSchemaFilename"), setForm,
        { empty: t("mod_form_none") }),
      select("p-uischema", t("mod_uischema"), uis, e.property(element, "formUiSchemaFilename"),
        (v) => e.setProperty(element, "formUiSchemaFilename", v), { empty: t("mod_form_none") }),
      this.formButtons(element, forms),
      this.formLink(element),
      ...this.assignment(element),
      property("p-candidates", "candidateUsers", "mod_candidate_users", "mod_expression_hint"),
      property("p-municipality", "candidateMunicipality", "mod_candidate_municipality", "mod_expression_hint"),
      property("p-due", "dueInWorkingDays", "mod_due_days", "mod_due_hint"),
      text("p-instructions", t("mod_instructions"), e.text(element, "InstructionsForEndUser"),
        (v) => e.setText(element, "InstructionsForEndUser", v), { multiline: true, hint: t("mod_instructions_hint") }),
    ];
  }

  /** A link to the form editor for the chosen form, in the version this draft started from. */
  formLink(element) {
    const { key, version } = this.context;
    const schema = this.editor.property(element, "formJsonSchemaFilename");
    if (!key || !version || !schema || schema in (this.context.draftForms || {})) return null;
    const ui = this.editor.property(element, "formUiSchemaFilename");
    const query = ui ? `?ui=${encodeURIComponent(ui)}` : "";
    return el("p", { class: "field" }, el("a", {
      id: "p-form-edit",
      href: `/modeler/${encodeURIComponent(key)}/${version}/forms/${encodeURIComponent(schema)}${query}`,
    }, t("form_edit")));
  }

  timer(element) {
    const e = this.editor;
    const { kind, value } = e.timer(element);
    const kinds = TIMER_KINDS.map((k) => ({ value: k, label: t(`mod_${k}`) }));
    const days = el("input", { type: "number", id: "p-working-days", min: 1, max: 365, class: "input--short" });
    const useDays = () => {
      const n = Number(days.value);
      if (n > 0) e.setTimer(element, "timeDate", `add_working_days(today(), ${n}) + "${WORKING_DAY_HOUR}"`);
    };
    return [
      select("p-timer-kind", t("mod_timer_kind"), kinds, kind, (k) => e.setTimer(element, k, value)),
      text("p-timer", t("mod_timer_value"), value, (v) => e.setTimer(element, kind, v),
        { hint: t(`mod_${kind}_hint`), code: true, error: timerProblem(kind, value) }),
      el("div", { class: "field" },
        el("label", { for: "p-working-days" }, t("mod_working_days")),
        el("p", { class: "hint" }, t("mod_working_days_hint")),
        el("div", { class: "input-suffix" }, days,
          el("button", { type: "button", class: "button button--quiet", onclick: useDays }, t("mod_working_days_use")))),
    ];
  }

  message(element) {
    const e = this.editor;
    const holder = e.messageHolder(element);
    const names = e.messages().map((m) => m.name || m.id);
    const { property, expression } = e.correlation(element);
    const throwing = is(element, "bpmn:IntermediateThrowEvent") || is(element, "bpmn:EndEvent") || is(element, "bpmn:SendTask");
    const dataTarget = is(element, "bpmn:Event") ? holder : bo(element);
    const dataType = throwing ? "MessagePayload" : "MessageVariable";
    const name = holder.messageRef?.name || holder.messageRef?.id || "";
    const fields = [
      text("p-message", t("mod_message"), name, (v) => e.setMessage(element, v),
        { list: "message-names", options: names, code: true, hint: t("mod_message_hint"), error: messageProblem(name) }),
    ];
    if (holder.messageRef) {
      fields.push(
        text("p-correlation", t("mod_correlation"), property,
          (v) => e.setCorrelation(element, v, expression || v), { code: true, hint: t("mod_correlation_hint") }),
        text("p-correlation-expression", t("mod_correlation_expression"), expression,
          (v) => e.setCorrelation(element, property, v), { code: true }),
        text("p-message-data", t(throwing ? "mod_payload" : "mod_variable"), e.text(element, dataType, dataTarget),
          (v) => e.setText(element, dataType, v, dataTarget), { code: true }));
    }
    return fields;
  }

  flow(element) {
    const source = element.source;
    if (!is(source, "bpmn:ExclusiveGateway") && !is(source, "bpmn:InclusiveGateway")) return [];
    const e = this.editor;
    const isDefault = bo(source).default === bo(element);
    return [
      checkbox("p-default", t("mod_default_flow"), isDefault, (on) => e.setDefault(element, on)),
      isDefault ? null : text("p-condition", t("mod_condition"), bo(element).conditionExpression?.body || "",
        (v) => e.setCondition(element, v), { multiline: true, code: true, hint: t("mod_condition_hint") }),
    ];
  }

  actions(element) {
    const e = this.editor;
    const buttons = [];
    const canAppend = is(element, "bpmn:FlowNode") && !is(element, "bpmn:EndEvent");
    if (canAppend) {
      buttons.push(button("p-add-user-task", t("mod_add_user_task"), () => e.append(element, "bpmn:UserTask")));
      buttons.push(button("p-add-rule-task", t("mod_add_rule_task"), () => e.append(element, "bpmn:BusinessRuleTask")));
      buttons.push(button("p-add-end", t("mod_add_end"), () => e.append(element, "bpmn:EndEvent")));
    }
    if (is(element, "bpmn:Activity")) {
      buttons.push(button("p-add-timer", t("mod_add_timer"), () => e.addTimerBoundary(element)));
    }
    return buttons.length ? el("div", { class: "actions panel-actions" }, buttons) : null;
  }
}
