// Date and date-time fields as Norwegians write them: "05.01.2027" and "kl. 10.00" (24-hour),
// whatever the browser's own locale is. The page sends the ISO value the schema expects: a date
// as "2027-01-05", a date-time in Europe/Oslo with its offset ("2027-01-05T10:00:00+01:00").
import { el, t } from "./page.js";

const ZONE = "Europe/Oslo";
const pad = (n, width = 2) => String(n).padStart(width, "0");

function realDate(year, month, day) {
  const probe = new Date(Date.UTC(year, month - 1, day));
  return probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

/** "5.1.2027", "05.01.2027", "05/01/2027", "05012027" or "2027-01-05" → {year, month, day}, else null. */
export function parseDate(text) {
  const cleaned = text.trim();
  let match = cleaned.match(/^(\d{1,2})[./\- ](\d{1,2})[./\- ](\d{4})$/) || cleaned.match(/^(\d{2})(\d{2})(\d{4})$/);
  let parts = match ? { day: +match[1], month: +match[2], year: +match[3] } : null;
  match = cleaned.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (match) parts = { year: +match[1], month: +match[2], day: +match[3] };
  return parts && realDate(parts.year, parts.month, parts.day) ? parts : null;
}

/** "10.00", "10:00", "1000", "10" or "kl. 9.30" → {hour, minute}, else null. */
export function parseTime(text) {
  const cleaned = text.trim().replace(/^kl\.?\s*/i, "");
  const match = cleaned.match(/^(\d{1,2})(?:[.:]?(\d{2}))?$/);
  if (!match) return null;
  const hour = +match[1];
  const minute = match[2] === undefined ? 0 : +match[2];
  return hour <= 23 && minute <= 59 ? { hour, minute } : null;
}

const offsetFormat = new Intl.DateTimeFormat("en-US", { timeZone: ZONE, timeZoneName: "longOffset" });

function osloOffsetMinutes(utcMillis) {
  const name = offsetFormat.formatToParts(new Date(utcMillis)).find((p) => p.type === "timeZoneName").value;
  const match = name.match(/GMT([+-])(\d{2}):(\d{2})/);
  return match ? (match[1] === "-" ? -1 : 1) * (+match[2] * 60 + +match[3]) : 0;
}

/** The ISO date-time with Oslo's offset for a wall-clock time in Oslo. */
export function osloIso({ year, month, day }, { hour, minute }) {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let offset = osloOffsetMinutes(wall - osloOffsetMinutes(wall) * 60000);
  offset = osloOffsetMinutes(wall - offset * 60000);
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  return `${year}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const partsFormat = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, year: "numeric", month: "2-digit",
  day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** A stored value → the texts the person sees: {date: "05.01.2027", time: "10.00"}. */
export function displayParts(value) {
  if (typeof value !== "string" || !value) return { date: "", time: "" };
  const plain = value.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (plain) return { date: `${plain[3]}.${plain[2]}.${plain[1]}`, time: "" };
  const moment = new Date(value);
  if (Number.isNaN(moment.getTime())) return { date: value, time: "" };
  const p = Object.fromEntries(partsFormat.formatToParts(moment).map((x) => [x.type, x.value]));
  return { date: `${p.day}.${p.month}.${p.year}`, time: `${p.hour}.${p.minute}` };
}

// The native date input serves only as the calendar; what the person reads and types is ours.
function pickerFor(dateBox, id, readOnly) {
  if (readOnly) return [];
  const native = el("input", { type: "date", tabindex: "-1", "aria-hidden": "true", class: "date-picker__native",
    id: `${id}-native` });
  native.addEventListener("change", () => {
    const iso = native.value.match(/^(\d{4})-(\d{2})-(\d{2})$/);
    if (!iso) return;
    dateBox.value = `${iso[3]}.${iso[2]}.${iso[1]}`;
    dateBox.dispatchEvent(new Event("input", { bubbles: true }));
    dateBox.focus();
  });
  const button = el("button", { type: "button", class: "button button--quiet date-picker__button",
    "aria-controls": dateBox.id, onclick: () => {
      const parts = parseDate(dateBox.value);
      native.value = parts ? `${parts.year}-${pad(parts.month)}-${pad(parts.day)}` : "";
      try {
        native.showPicker();
      } catch {
        native.focus();
      }
    } }, t("date_pick"));
  return [native, button];
}

/** Build a date (withTime false) or date-time field; register it like every other field. */
export function dateField(spec, withTime, { register, describedBy, labelContent }) {
  const { id, hint } = spec;
  const hintId = `${id}-hint`;
  const formatHint = withTime ? t("datetime_hint") : t("date_hint");
  const shown = displayParts(spec.value);
  const errorEl = el("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const common = { "aria-describedby": describedBy(hintId), readonly: spec.readOnly, autocomplete: "off",
    "aria-required": spec.required ? "true" : undefined, inputmode: "numeric" };
  const dateBox = el("input", { ...common, id, name: spec.path, type: "text", class: "input--date",
    placeholder: t("date_placeholder"), value: shown.date });
  const timeBox = withTime ? el("input", { ...common, id: `${id}-time`, name: `${spec.path}.time`, type: "text",
    class: "input--time", placeholder: t("time_placeholder"), value: shown.time }) : null;
  const hintEl = el("p", { class: "hint", id: hintId }, [hint, formatHint].filter(Boolean).join(" "));
  const dateRow = el("div", { class: "date-field" }, dateBox, ...pickerFor(dateBox, id, spec.readOnly));
  const inputs = withTime ? [dateBox, timeBox] : [dateBox];
  let wrapper;
  if (withTime) {
    wrapper = el("fieldset", { class: "field field--datetime", id: `${id}-group` },
      el("legend", {}, labelContent(spec.label, spec.required)), hintEl, errorEl,
      el("div", { class: "datetime" },
        el("div", {}, el("label", { for: id }, t("date_label")), dateRow),
        el("div", {}, el("label", { for: `${id}-time` }, t("time_label")),
          el("div", { class: "date-field" }, el("span", { "aria-hidden": "true" }, t("time_prefix")), timeBox))));
  } else {
    wrapper = el("div", { class: "field" }, el("label", { for: id }, labelContent(spec.label, spec.required)),
      hintEl, errorEl, dateRow);
  }
  register(spec, wrapper, inputs, errorEl, hintId);
  const read = () => {
    const dateText = dateBox.value.trim();
    const timeText = timeBox ? timeBox.value.trim() : "";
    if (!dateText && !timeText) return { value: undefined, problem: null };
    const date = parseDate(dateText);
    if (!date) return { value: undefined, problem: dateText ? t("date_invalid") : t("date_missing") };
    if (!withTime) return { value: `${date.year}-${pad(date.month)}-${pad(date.day)}`, problem: null };
    const time = parseTime(timeText);
    if (!time) return { value: undefined, problem: timeText ? t("time_invalid") : t("time_missing") };
    return { value: osloIso(date, time), problem: null };
  };
  return { node: wrapper, get: () => read().value, problem: () => read().problem };
}
