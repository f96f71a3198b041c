// A new decision table (DMN) inside the modeler: inputs, outputs, hit policy and rules in a plain
// form, written as a DMN file the draft carries and deploys with the diagram as one version.
// The cells are the engine's (Python): "5.2.3", < 10, ? not in ("a", "b"), None. Validation is
// the deploy's own, each problem at its row and column; the library's DMN page edits it later.
import { el, t } from "./page.js";

const DMN = "https://www.omg.org/spec/DMN/20191111/MODEL/";
const ID = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TYPES = ["string", "number", "boolean"];

const xmlText = (value) => String(value ?? "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const attr = (value) => xmlText(value).replace(/"/g, "&quot;");

/** A blank table: one input, one output, one rule. */
export function blankTable(id) {
  return {
    id, name: "", hitPolicy: "UNIQUE",
    inputs: [{ label: "", expression: "", type: "string" }],
    outputs: [{ label: "", name: "", type: "string" }],
    rules: [{ description: "", cells: ["", ""] }],
  };
}

/** Read the first decision table of a DMN file into the form's model. */
export function readTable(xml) {
  const doc = new DOMParser().parseFromString(xml, "application/xml");
  const decision = doc.getElementsByTagNameNS("*", "decision")[0];
  const table = decision.getElementsByTagNameNS("*", "decisionTable")[0];
  const children = (node, name) => [...node.children].filter((c) => c.localName === name);
  const textOf = (node) => node?.getElementsByTagNameNS("*", "text")[0]?.textContent ?? "";
  return {
    id: decision.getAttribute("id"), name: decision.getAttribute("name") || "",
    hitPolicy: (table.getAttribute("hitPolicy") || "UNIQUE").toUpperCase(),
    inputs: children(table, "input").map((input) => {
      const expression = input.getElementsByTagNameNS("*", "inputExpression")[0];
      return { label: input.getAttribute("label") || "", expression: textOf(expression),
        type: expression?.getAttribute("typeRef") || "string" };
    }),
    outputs: children(table, "output").map((output) => ({ label: output.getAttribute("label") || "",
      name: output.getAttribute("name") || "", type: output.getAttribute("typeRef") || "string" })),
    rules: children(table, "rule").map((rule) => ({
      description: children(rule, "description")[0]?.textContent || "",
      cells: [...children(rule, "inputEntry"), ...children(rule, "outputEntry")].map(textOf),
    })),
  };
}

/** Write the model as a DMN 1.3 file with stable ids derived from the table's id. */
export function writeTable(m) {
  const id = m.id;
  const inputs = m.inputs.map((input, i) => `      <input id="${id}_input_${i + 1}" label="${attr(input.label)}">
        <inputExpression id="${id}_input_${i + 1}_expression" typeRef="${attr(input.type)}">
          <text>${xmlText(input.expression)}</text>
        </inputExpression>
      </input>`);
  const outputs = m.outputs.map((output, i) => `      <output id="${id}_output_${i + 1}" label="${attr(output.label)}" `
    + `name="${attr(output.name)}" typeRef="${attr(output.type)}" />`);
  const rules = m.rules.map((rule, r) => {
    const entry = (kind, text, c) => `        <${kind} id="${id}_rule_${r + 1}_${c + 1}"><text>${xmlText(text)}</text></${kind}>`;
    const cells = rule.cells.map((text, c) => entry(c < m.inputs.length ? "inputEntry" : "outputEntry", text, c));
    const description = rule.description ? `        <description>${xmlText(rule.description)}</description>\n` : "";
    return `      <rule id="${id}_rule_${r + 1}">\n${description}${cells.join("\n")}\n      </rule>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="${DMN}" id="${id}_definitions" name="${attr(m.name || id)}" namespace="http://saksflyt.no/dmn">
  <decision id="${id}" name="${attr(m.name || id)}">
    <decisionTable id="${id}_table" hitPolicy="${attr(m.hitPolicy)}">
${[...inputs, ...outputs, ...rules].join("\n")}
    </decisionTable>
  </decision>
</definitions>
`;
}

function input(id, label, value, onInput, { code = false, hint } = {}) {
  const control = el("input", { id, type: "text", class: code ? "code" : null, autocomplete: "off",
    spellcheck: code ? "false" : null, "aria-label": label });
  control.value = value;
  control.addEventListener("input", () => onInput(control.value));
  return hint ? el("div", { class: "field" }, el("label", { for: id }, label), el("p", { class: "hint" }, hint), control)
    : control;
}

function typeSelect(id, label, value, onChange) {
  const control = el("select", { id, "aria-label": label },
    TYPES.map((type) => el("option", { value: type, selected: type === value }, t(`dt_type_${type}`))));
  control.addEventListener("change", () => onChange(control.value));
  return control;
}

/**
 * Open the dialog on a table (`xml`, or a blank one named `suggested`). `validate(name, xml)`
 * resolves with the deploy's problems of that file; `onSave({name, xml, id})` gets a valid table.
 */
export function openTableDialog({ xml, suggested, validate, onSave }) {
  const model = xml ? readTable(xml) : blankTable(suggested);
  const body = el("div", { class: "stack", id: "dt-body" });
  const problems = el("ul", { class: "problem-list", id: "dt-problems", "aria-live": "polite" });
  const summary = el("p", { id: "dt-summary", class: "problem-summary" });
  const dialog = el("dialog", { class: "panel form-dialog table-dialog", id: "table-dialog", "aria-labelledby": "dt-title" });
  const columns = () => [...model.inputs.map((i) => i.label || i.expression), ...model.outputs.map((o) => o.label || o.name)];
  const cellId = (r, c) => `dt-r${r + 1}-c${c + 1}`;
  const heading = (c) => columns()[c] || t("dt_column", { n: c + 1 });
  /** Name the rule grid's columns after the labels as they are typed (focus stays put). */
  const relabel = () => {
    body.querySelectorAll("#dt-rules thead th[data-column]").forEach((th) => {
      th.textContent = `${heading(Number(th.dataset.column))} (${Number(th.dataset.column) + 1})`;
    });
    model.rules.forEach((rule, r) => rule.cells.forEach((cell, c) => document.getElementById(cellId(r, c))
      ?.setAttribute("aria-label", t("dt_cell", { n: r + 1, column: heading(c) }))));
  };

  const render = () => {
    const heads = columns();
    const addColumn = (index, blank) => {
      for (const rule of model.rules) rule.cells.splice(index, 0, blank);
    };
    body.replaceChildren(
      el("div", { class: "field-row" },
        input("dt-id", t("dt_id"), model.id, (v) => { model.id = v.trim(); }, { code: true, hint: t("dt_id_hint") }),
        input("dt-name", t("dt_name"), model.name, (v) => { model.name = v; }, { hint: t("dt_name_hint") })),
      el("div", { class: "field" }, el("label", { for: "dt-hit" }, t("dt_hit")), el("p", { class: "hint" }, t("dt_hit_hint")),
        (() => {
          const control = el("select", { id: "dt-hit" }, ["UNIQUE", "COLLECT"].map((p) => el("option",
            { value: p, selected: p === model.hitPolicy }, t(`dt_hit_${p.toLowerCase()}`))));
          control.addEventListener("change", () => { model.hitPolicy = control.value; });
          return control;
        })()),
      el("h3", {}, t("dt_inputs")), el("p", { class: "hint" }, t("dt_inputs_hint")),
      el("ul", { class: "table-columns", id: "dt-inputs" }, model.inputs.map((item, i) => el("li", {},
        input(`dt-in${i + 1}-label`, t("dt_input_label", { n: i + 1 }), item.label, (v) => { item.label = v; relabel(); }),
        input(`dt-in${i + 1}-expression`, t("dt_input_expression", { n: i + 1 }), item.expression,
          (v) => { item.expression = v; relabel(); }, { code: true }),
        typeSelect(`dt-in${i + 1}-type`, t("dt_input_type", { n: i + 1 }), item.type, (v) => { item.type = v; }),
        model.inputs.length > 1 ? el("button", { type: "button", class: "button button--quiet",
          onclick: () => { model.inputs.splice(i, 1); for (const r of model.rules) r.cells.splice(i, 1); render(); } },
        t("dt_remove_input", { n: i + 1 })) : null))),
      el("button", { type: "button", class: "button button--quiet", id: "dt-add-input", onclick: () => {
        addColumn(model.inputs.length, "");
        model.inputs.push({ label: "", expression: "", type: "string" });
        render();
      } }, t("dt_add_input")),
      el("h3", {}, t("dt_outputs")), el("p", { class: "hint" }, t("dt_outputs_hint")),
      el("ul", { class: "table-columns", id: "dt-outputs" }, model.outputs.map((item, i) => el("li", {},
        input(`dt-out${i + 1}-label`, t("dt_output_label", { n: i + 1 }), item.label,
          (v) => { item.label = v; relabel(); }),
        input(`dt-out${i + 1}-name`, t("dt_output_name", { n: i + 1 }), item.name,
          (v) => { item.name = v; relabel(); }, { code: true }),
        typeSelect(`dt-out${i + 1}-type`, t("dt_output_type", { n: i + 1 }), item.type, (v) => { item.type = v; }),
        model.outputs.length > 1 ? el("button", { type: "button", class: "button button--quiet", onclick: () => {
          model.outputs.splice(i, 1);
          for (const r of model.rules) r.cells.splice(model.inputs.length + i, 1);
          render();
        } }, t("dt_remove_output", { n: i + 1 })) : null))),
      el("button", { type: "button", class: "button button--quiet", id: "dt-add-output", onclick: () => {
        addColumn(model.inputs.length + model.outputs.length, "None");
        model.outputs.push({ label: "", name: "", type: "string" });
        render();
      } }, t("dt_add_output")),
      el("h3", {}, t("dt_rules")), el("p", { class: "hint" }, t("dt_rules_hint")),
      el("div", { class: "table-scroll" }, el("table", { class: "rule-table", id: "dt-rules" },
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "#"),
          heads.map((head, c) => el("th", { scope: "col", class: c < model.inputs.length ? "rule-in" : "rule-out",
            dataset: { column: String(c) } }, `${heading(c)} (${c + 1})`)),
          el("th", { scope: "col" }, t("dt_description")), el("th", {}, ""))),
        el("tbody", {}, model.rules.map((rule, r) => el("tr", {},
          el("th", { scope: "row" }, String(r + 1)),
          rule.cells.map((cell, c) => el("td", {}, input(cellId(r, c),
            t("dt_cell", { n: r + 1, column: heading(c) }), cell,
            (v) => { rule.cells[c] = v; }, { code: true }))),
          el("td", {}, input(`dt-r${r + 1}-description`, t("dt_rule_description", { n: r + 1 }), rule.description,
            (v) => { rule.description = v; })),
          el("td", {}, el("button", { type: "button", class: "button button--quiet",
            onclick: () => { model.rules.splice(r, 1); render(); } }, t("dt_remove_rule", { n: r + 1 })))))))),
      el("button", { type: "button", class: "button button--quiet", id: "dt-add-rule", onclick: () => {
        model.rules.push({ description: "", cells: [...model.inputs.map(() => ""), ...model.outputs.map(() => "None")] });
        render();
        document.getElementById(cellId(model.rules.length - 1, 0))?.focus();
      } }, t("dt_add_rule")));
  };

  const check = async () => {
    for (const marked of dialog.querySelectorAll("[aria-invalid]")) marked.removeAttribute("aria-invalid");
    if (!ID.test(model.id)) {
      summary.textContent = t("dt_id_invalid");
      summary.className = "problem-summary problem-summary--error";
      problems.replaceChildren();
      return false;
    }
    const name = `${model.id}.dmn`;
    const found = (await validate(name, writeTable(model))).filter((p) => p.severity !== "warning");
    for (const p of found) {
      if (p.row && p.column) document.getElementById(cellId(p.row - 1, p.column - 1))?.setAttribute("aria-invalid", "true");
    }
    summary.textContent = found.length ? t("dt_invalid", { n: found.length }) : t("dt_valid");
    summary.className = `problem-summary problem-summary--${found.length ? "error" : "ok"}`;
    problems.replaceChildren(...found.map((p) => el("li", { class: "problem problem--error" }, p.message)));
    return found.length === 0;
  };
  const close = () => { dialog.close(); dialog.remove(); };
  render();
  dialog.append(
    el("h2", { id: "dt-title" }, xml ? t("dt_title_edit", { name: model.id }) : t("dt_title_new")),
    el("p", { class: "hint" }, t("dt_intro")), body,
    el("section", { class: "modeler-problems", "aria-label": t("dt_problems") }, summary, problems),
    el("div", { class: "actions" },
      el("button", { type: "button", id: "dt-validate", class: "button", onclick: check }, t("dt_validate")),
      el("button", { type: "button", id: "dt-save", class: "button button--primary", onclick: async () => {
        if (!(await check())) return;
        onSave({ id: model.id, name: `${model.id}.dmn`, xml: writeTable(model) });
        close();
      } }, t("dt_save")),
      el("button", { type: "button", id: "dt-cancel", class: "button button--quiet", onclick: close }, t("nf_cancel"))));
  document.body.append(dialog);
  dialog.showModal();
  document.getElementById("dt-id").focus();
}
