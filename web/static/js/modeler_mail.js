// The panel's mail texts: the subject and body (bokmål, optionally English) of the mails an
// element sends — a `notify` service task or a script that appends to `notifications` — kept in
// the BPMN file with the version. The placeholders it may use are listed; deploy checks them.
import { el, t } from "./page.js";
import { bo, is } from "./modeler_bpmn.js";
import { text } from "./modeler_fields.js";

const FIXED = ["name", "process", "case", "link", "home", "type"];
const ADDRESSING = new Set(["type", "to", "cc", "to_role", "cc_role", "municipality", "except_municipality",
  "to_leader_of", "to_email"]);

/** The entry types the element sends and each one's fields, as far as the page can read them. */
export function sentTypes(e, element) {
  const operator = e.extension(bo(element), "ServiceTaskOperator");
  const found = new Map();
  if (operator?.id === "notify") {
    const parameters = operator.parameterList?.parameters || [];
    const type = /^\s*["'](.*)["']\s*$/.exec(parameters.find((p) => p.id === "type")?.value || "")?.[1];
    if (type) found.set(type, parameters.map((p) => p.id).filter((id) => !ADDRESSING.has(id)));
  }
  const script = bo(element).script || "";
  for (const literal of script.match(/\{[^{}]*\}/g) || []) {
    const type = /["']type["']\s*:\s*["']([^"']+)["']/.exec(literal)?.[1];
    if (!type) continue;
    const keys = [...literal.matchAll(/["'](\w+)["']\s*:/g)].map((m) => m[1]).filter((k) => !ADDRESSING.has(k));
    found.set(type, [...new Set([...(found.get(type) || []), ...keys])]);
  }
  return found;
}

function mailTexts(e, element) {
  return (bo(element).extensionElements?.values || []).filter((v) => v.$type === "spiffworkflow:MailText");
}

function setMail(e, element, type, language, changes) {
  const current = mailTexts(e, element).find((m) => m.type === type && (m.language || "nb") === language);
  const empty = !(changes.subject ?? current?.subject) && !(changes.value ?? current?.value);
  if (current && empty) {
    const extensions = bo(element).extensionElements;
    e.modeling.updateModdleProperties(element, extensions, { values: extensions.values.filter((v) => v !== current) });
  } else if (current) {
    e.modeling.updateModdleProperties(element, current, changes);
  } else if (!empty) {
    const extensions = e.ensureExtensions(element, bo(element));
    const created = e.moddle.create("spiffworkflow:MailText", { type, language, ...changes });
    created.$parent = extensions;
    e.modeling.updateModdleProperties(element, extensions, { values: [...extensions.values, created] });
  }
}

/** The fields of one type's mail, per language. */
function mailFields(e, element, type, fields) {
  const texts = mailTexts(e, element);
  const allowed = [...FIXED, ...fields].map((f) => `$${f}`).join(", ");
  const out = [el("h3", { class: "panel-subheading" }, t("mod_mail_heading", { type })),
    el("p", { class: "hint", id: `p-mail-${type}-allowed` }, t("mod_mail_placeholders", { names: allowed }))];
  for (const language of ["nb", "en"]) {
    const current = texts.find((m) => m.type === type && (m.language || "nb") === language);
    const unknown = (value) => [...(value || "").matchAll(/\$\{?(\w+)\}?/g)].map((m) => m[1])
      .filter((name) => !FIXED.includes(name) && !fields.includes(name));
    const problem = (value) => (unknown(value).length
      ? t("mod_mail_unknown", { names: unknown(value).map((n) => `$${n}`).join(", ") }) : undefined);
    out.push(
      text(`p-mail-${type}-${language}-subject`, t(`mod_mail_subject_${language}`), current?.subject || "",
        (v) => setMail(e, element, type, language, { subject: v || undefined }),
        { error: problem(current?.subject) }),
      text(`p-mail-${type}-${language}-body`, t(`mod_mail_body_${language}`), current?.value || "",
        (v) => setMail(e, element, type, language, { value: v || undefined }),
        { multiline: true, hint: language === "en" ? t("mod_mail_en_hint") : null, error: problem(current?.value) }));
  }
  return out;
}

/** The panel's fields for the mails an element sends (none if it sends none the page can see). */
export function mailSection(e, element) {
  if (!is(element, "bpmn:ScriptTask") && !is(element, "bpmn:ServiceTask")) return [];
  const types = sentTypes(e, element);
  for (const m of mailTexts(e, element)) if (!types.has(m.type)) types.set(m.type, []);
  if (!types.size) return [el("p", { class: "hint", id: "p-mail-none" }, t("mod_mail_none"))];
  return [el("p", { class: "hint" }, t("mod_mail_intro")),
    ...[...types].flatMap(([type, fields]) => mailFields(e, element, type, fields))];
}


