// Case data shown read-only (a task's context, a case's details): labelled keys only, so no
// variable name reaches the page; dates, money and coded values as Norwegians write them.
import { el, formatDate, formatDateTime, formatMoney, t } from "./page.js";

const MONEY = new Set(["amount", "total", "monthly_salary", "salary", "social_costs", "daily_fee",
  "unit_price", "rate_per_working_day"]);
// Keys whose value is a municipality's id: shown by its name where the page was given the names.
const MUNICIPALITY = new Set(["municipality", "receiving_municipality", "employee_municipality"]);
let municipalityNames = {};
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// Keys whose values are applicant numbers: shown "1 – Anne Berg" where the server gives the
// reader that name (`applicants`, only names the reader reads anyway), else the bare number.
const APPLICANT_NUMBERS = new Set(["qualified", "recommended", "remaining_candidates",
  "appointed_applicant_no"]);
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

// Invoice lines carry their description in both languages: show the page's own.
const OTHER_DESCRIPTION = document.documentElement.lang === "en" ? "description_nb" : "description_en";

// A routine may word a key its own way: `field_<key>__<process key>` before `field_<key>`
// (the hiring case's motivation is the applicant's, the assignment's the employee's).
function label(key, scope) {
  if (key === OTHER_DESCRIPTION) return null;
  const ids = scope ? [`field_${key}__${scope}`, `field_${key}`] : [`field_${key}`];
  for (const id of ids) {
    const text = t(id);
    if (text !== id) return text;
  }
  return null;
}

/** Give the names of the municipalities ({id: name}) for the keys that hold one's id. */
export function nameMunicipalities(names) {
  municipalityNames = names || {};
}

function scalar(key, value, applicants, scope) {
  const applicant = APPLICANT_NUMBERS.has(key) && typeof value === "number" ? applicants?.[String(value)] : null;
  if (applicant) return `${value} – ${applicant}`;
  if (value === null || value === undefined || value === "") return t("context_none");
  if (MUNICIPALITY.has(key) && municipalityNames[value]) return municipalityNames[value];
  // A routine's status reads from its own labels (`<process key>_status_<value>`) first.
  const own = key === "status" && scope && typeof value === "string" ? t(`${scope}_status_${value}`) : null;
  if (own && own !== `${scope}_status_${value}`) return own;
  if (typeof value === "boolean") return value ? t("yes") : t("no");
  if (MONEY.has(key) && !Number.isNaN(Number(value))) return formatMoney(Number(value));
  if (typeof value === "string" && DATE.test(value)) return formatDate(`${value}T12:00:00`);
  if (typeof value === "string" && DATE_TIME.test(value)) return formatDateTime(value);
  const coded = typeof value === "string" ? t(`value_${value}`) : null;
  if (coded && coded !== `value_${value}`) return coded;
  if (typeof value === "number") return value.toLocaleString(document.documentElement.lang === "en" ? "en-GB" : "nb-NO");
  return String(value);
}

/** "4 uker (14. desember 2026 – 8. januar 2027)": KV 1 e, a period in weeks or months. */
export function durationText(duration) {
  const d = duration || {};
  const amount = d.amount ? `${d.amount} ${t(`value_${d.unit || "weeks"}`)}` : "";
  const dates = d.planned_start
    ? `${formatDate(`${d.planned_start}T12:00:00`)} – ${d.planned_end ? formatDate(`${d.planned_end}T12:00:00`) : "…"}`
    : "";
  if (amount && dates) return `${amount} (${dates})`;
  return amount || dates || t("context_none");
}

/** Render one value: scalars as text, lists as lists, objects as definition lists;
 * `scope`, the process key, chooses a routine's own labels; `applicants` names applicant
 * numbers ({"1": "Anne Berg"}). */
export function valueNode(key, value, scope, applicants) {
  if (key === "duration" && value && typeof value === "object") return el("span", {}, durationText(value));
  if (Array.isArray(value)) {
    if (!value.length) return el("span", {}, t("context_none"));
    const items = value.map((item) => el("li", {}, valueNode(key, item, scope, applicants)));
    return el(value.some((v) => v && typeof v === "object") ? "ol" : "ul", { class: "case-list" }, items);
  }
  if (value && typeof value === "object" && typeof value.attachment_id === "string") {
    // A file in the case (a CV): a link the server checks (the readers of the case only).
    return el("a", { href: `/api/v1/attachments/${encodeURIComponent(value.attachment_id)}/content` },
      value.name || t("attachment_attached"));
  }
  if (value && typeof value === "object") return fieldsNode(value, scope, applicants);
  return el("span", { class: "case-value" }, scalar(key, value, applicants, scope));
}

// The order keys are shown in (the catalogue's order: who before what, KV 1 a before g).
const ORDER = t("field_order").split(" ");
const rank = (key) => (ORDER.includes(key) ? ORDER.indexOf(key) : ORDER.length);

/** A definition list of an object's labelled keys (null if none is labelled). */
export function fieldsNode(data, scope, applicants) {
  const rows = Object.entries(data || {})
    .filter(([key, value]) => label(key, scope) && !(Array.isArray(value) && !value.length))
    .sort(([a], [b]) => rank(a) - rank(b));
  if (!rows.length) return null;
  return el("dl", { class: "case-fields" },
    rows.flatMap(([key, value]) => [el("dt", {}, label(key, scope)), el("dd", {}, valueNode(key, value, scope, applicants))]));
}
