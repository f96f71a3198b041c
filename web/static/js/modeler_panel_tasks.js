// The panel's fields for what validation asks of activities and events: a service task's
// operator, result and parameters; multi-instance (parallel or one by one, over a collection);
// whether a boundary event interrupts the task. Edits go through modeling, so undo works.
import { t } from "./page.js";
import { bo, is } from "./modeler_bpmn.js";
import { checkbox, select, text } from "./modeler_fields.js";

/** Add an extension element of a spiffworkflow type to the element; return it. */
function addExtension(e, element, type, properties) {
  const target = bo(element);
  const extensions = e.ensureExtensions(element, target);
  const created = e.moddle.create(`spiffworkflow:${type}`, properties);
  created.$parent = extensions;
  e.modeling.updateModdleProperties(element, extensions, { values: [...extensions.values, created] });
  return created;
}

/** Parameters as lines "name = expression". */
function parametersText(operator) {
  return (operator?.parameterList?.parameters || []).map((p) => `${p.id} = ${p.value || ""}`).join("\n");
}

export function operatorFields(e, element) {
  const operator = e.extension(bo(element), "ServiceTaskOperator");
  const set = (changes) => {
    if (operator) e.modeling.updateModdleProperties(element, operator, changes);
    else addExtension(e, element, "ServiceTaskOperator", changes);
  };
  const setParameters = (value) => {
    const current = e.extension(bo(element), "ServiceTaskOperator") || addExtension(e, element, "ServiceTaskOperator", {});
    const list = e.moddle.create("spiffworkflow:Parameters", { parameters: [] });
    list.$parent = current;
    list.parameters = value.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
      const [id, ...rest] = line.split("=");
      const parameter = e.moddle.create("spiffworkflow:Parameter", { id: id.trim(), type: "any", value: rest.join("=").trim() });
      parameter.$parent = list;
      return parameter;
    });
    e.modeling.updateModdleProperties(element, current, { parameterList: list });
  };
  return [
    text("p-operator", t("mod_operator"), operator?.id || "", (v) => set({ id: v || undefined }),
      { code: true, hint: t("mod_operator_hint") }),
    text("p-operator-result", t("mod_operator_result"), operator?.resultVariable || "",
      (v) => set({ resultVariable: v || undefined }), { code: true }),
    text("p-operator-parameters", t("mod_operator_parameters"), parametersText(operator), setParameters,
      { multiline: true, code: true, hint: t("mod_operator_parameters_hint") }),
  ];
}

export function multiInstanceFields(e, element) {
  const loop = bo(element).loopCharacteristics;
  const multi = loop && is({ businessObject: loop }, "bpmn:MultiInstanceLoopCharacteristics") ? loop : null;
  const kind = !multi ? "" : (multi.isSequential ? "sequential" : "parallel");
  const kinds = ["parallel", "sequential"].map((value) => ({ value, label: t(`mod_mi_${value}`) }));
  const setKind = (value) => {
    if (!value) {
      e.modeling.updateProperties(element, { loopCharacteristics: undefined });
    } else if (multi) {
      e.modeling.updateModdleProperties(element, multi, { isSequential: value === "sequential" });
    } else {
      const created = e.moddle.create("bpmn:MultiInstanceLoopCharacteristics", { isSequential: value === "sequential" });
      e.modeling.updateProperties(element, { loopCharacteristics: created });
    }
  };
  const fields = [select("p-multi", t("mod_mi"), kinds, kind, setKind, { empty: t("mod_mi_none"), hint: t("mod_mi_hint") })];
  if (multi) {
    const named = (value, type) => (value ? e.moddle.create(type, { id: value, name: value }) : undefined);
    fields.push(
      text("p-multi-collection", t("mod_mi_collection"), multi.loopDataInputRef?.id || "",
        (v) => e.modeling.updateModdleProperties(element, multi, { loopDataInputRef: named(v, "bpmn:DataInput") }),
        { code: true }),
      text("p-multi-item", t("mod_mi_item"), multi.inputDataItem?.name || multi.inputDataItem?.id || "",
        (v) => e.modeling.updateModdleProperties(element, multi, { inputDataItem: named(v, "bpmn:DataInput") }),
        { code: true }));
  }
  return fields;
}

export function boundaryFields(e, element) {
  return [checkbox("p-interrupting", t("mod_interrupting"), bo(element).cancelActivity !== false,
    (on) => e.modeling.updateProperties(element, { cancelActivity: on }))];
}
