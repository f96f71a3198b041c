// Shared by every page: the text catalogue, the API client, dates and money, DOM building.

const pageData = JSON.parse(document.getElementById("page-data").textContent);

export const lang = pageData.lang;
export const username = pageData.username;
const intlLocale = lang === "en" ? "en-GB" : "nb-NO";
const FLASH_KEY = "saksflyt.flash";

/** Return the catalogue text for key with {placeholders} filled. */
export function t(key, values = {}) {
  const text = pageData.strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (all, name) => (name in values ? String(values[name]) : all));
}

/** Call the JSON API with the session cookie (and the CSRF header on writes). */
export async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json", "Accept-Language": lang };
  if (method !== "GET") {
    headers["X-CSRF-Token"] = document.querySelector('meta[name="csrf-token"]').content;
    headers["Content-Type"] = "application/json";
  }
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    flash(t("error_signed_out"));
    window.location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    return new Promise(() => {});
  }
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json() : await response.text();
  return { ok: response.ok, status: response.status, data };
}

const dateFormat = new Intl.DateTimeFormat(intlLocale, {
  day: "numeric", month: "long", year: "numeric", timeZone: "Europe/Oslo",
});
const dateTimeFormat = new Intl.DateTimeFormat(intlLocale, {
  day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
  timeZone: "Europe/Oslo",
});
const timeFormat = new Intl.DateTimeFormat(intlLocale, {
  hour: "2-digit", minute: "2-digit", timeZone: "Europe/Oslo",
});
const moneyFormat = new Intl.NumberFormat(intlLocale, { style: "currency", currency: "NOK" });

/** "17. mai 2026" */
export function formatDate(iso) {
  return iso ? dateFormat.format(new Date(iso)) : t("none");
}

/** "17. mai 2026 kl. 14:05" */
export function formatDateTime(iso) {
  return iso ? dateTimeFormat.format(new Date(iso)) : t("none");
}

export function formatTime(date) {
  return timeFormat.format(date);
}

/** "3 arbeidsdager igjen", "Frist i dag" or "Forfalt" (working days counted by the server). */
export function dueText(task) {
  const left = task.working_days_left;
  if (task.is_overdue) return left < 0 ? t("days_overdue", { n: -left }) : null;
  if (left === null || left === undefined) return null;
  if (left === 0) return t("due_today");
  return left === 1 ? t("day_left") : t("days_left", { n: left });
}

/** "12 345,50 kr" */
export function formatMoney(amount) {
  return moneyFormat.format(amount);
}

/** Build an element; children are nodes or strings (always text, never HTML). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Say something in the page's status region (read out by screen readers). */
export function announce(message, kind = "info") {
  const region = document.getElementById("flash");
  region.className = `flash flash--${kind}`;
  region.textContent = message;
}

/** The box above a form listing its errors, each linked to its field (items: {text, target}). */
export function errorSummary(items) {
  const box = el("div", { class: "error-summary", tabindex: "-1", role: "alert", id: "error-summary" },
    el("h2", {}, t("error_summary")),
    el("p", {}, t("error_summary_intro")),
    el("ul", {}, items.map((item) => el("li", {}, item.target
      ? el("a", { href: `#${item.target.id}`, onclick: (event) => {
        event.preventDefault();
        item.target.focus();
      } }, item.text)
      : item.text))));
  return box;
}

/** Keep a message for the next page (shown by showFlash there). */
export function flash(message) {
  sessionStorage.setItem(FLASH_KEY, message);
}

export function showFlash() {
  const message = sessionStorage.getItem(FLASH_KEY);
  if (message) {
    sessionStorage.removeItem(FLASH_KEY);
    announce(message, "success");
  }
}

/** Map process keys to their names, from the process definitions the API lists. */
export async function processNames() {
  const result = await api("/api/v1/process-definitions");
  const names = new Map();
  if (result.ok) for (const d of result.data) names.set(d.key, d.name || d.key);
  return names;
}
