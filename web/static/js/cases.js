// "Mine saker": the cases the user started or takes part in, with state and next deadline;
// "Saker for min rolle": the cases the user's role covers, filtered, sorted and paged.
import { api, el, formatDate, formatMoney, processNames, t } from "./page.js";

const list = document.getElementById("cases");
const PAGE = 20;

function stateText(item) {
  if (["cancelled", "error", "suspended"].includes(item.state)) return t(`case_state_${item.state}`);
  const status = item.status ? t(`value_${item.status}`) : null;
  return status && status !== `value_${item.status}` ? status : t(`case_state_${item.state}`);
}

function waiting(item) {
  if (item.waiting_for.length) return item.waiting_for.join(", ");
  // No open task, but a deadline ahead (the interest or application deadline): it waits for that.
  if (item.state === "running" && item.next_due_at) return t("case_waits_for_deadline");
  return t("case_nothing_waits");
}

function due(item) {
  return item.next_due_at ? el("time", { datetime: item.next_due_at }, formatDate(item.next_due_at)) : t("none");
}

function table(caption, head, rows) {
  return el("div", { class: "table-wrap" }, el("table", { class: "table" },
    el("caption", { id: "cases-caption", class: "visually-hidden" }, caption),
    el("thead", {}, el("tr", {}, head.map((key) => el("th", { scope: "col" }, t(key))))),
    el("tbody", {}, rows)));
}

function mineRow(item, names) {
  return el("tr", {},
    el("th", { scope: "row", "data-label": t("col_process") },
      el("a", { href: `/cases/${item.id}` }, item.business_key || t("case_open")),
      el("span", { class: "process-name" }, names.get(item.key) || item.key)),
    el("td", { "data-label": t("case_status") }, stateText(item)),
    el("td", { "data-label": t("case_waiting_for") }, waiting(item)),
    el("td", { "data-label": t("case_next_due") }, due(item)),
    el("td", { "data-label": t("case_started") },
      el("time", { datetime: item.created_at }, formatDate(item.created_at))));
}

async function showMine(names) {
  const result = await api("/api/v1/cases?limit=200");
  if (!result.ok) return list.replaceChildren(el("p", { class: "alert alert--error" }, t("load_failed")));
  if (!result.data.items.length) return list.replaceChildren(el("p", { class: "empty" }, t("cases_none")));
  const head = ["col_process", "case_status", "case_waiting_for", "case_next_due", "case_started"];
  list.replaceChildren(table(t("cases_title"), head, result.data.items.map((item) => mineRow(item, names))));
}

function invoiceText(item) {
  if (!item.invoice_status) return t("none");
  const status = t(`cases_invoice_${item.invoice_status}`);
  return item.invoice_total ? `${formatMoney(Number(item.invoice_total))} (${status})` : status;
}

function roleRow(item, names, withInvoice) {
  const name = item.title || names.get(item.key) || item.key;
  return el("tr", {},
    el("th", { scope: "row", "data-label": t("cases_col_case") },
      el("a", { href: `/cases/${item.id}` }, name)),
    el("td", { "data-label": t("business_key") }, item.business_key || t("none")),
    el("td", { "data-label": t("cases_col_process") }, names.get(item.key) || item.key),
    el("td", { "data-label": t("case_status") }, stateText(item), item.waiting_for.length
      ? el("span", { class: "process-name" }, `${t("case_waiting_for")}: ${waiting(item)}`) : null),
    el("td", { "data-label": t("case_next_due") }, due(item)),
    withInvoice ? el("td", { "data-label": t("cases_col_invoice") }, invoiceText(item)) : null);
}

function pageLink(offset, label, rel) {
  const params = new URLSearchParams(location.search);
  params.set("offset", String(offset));
  return el("a", { class: "button button--quiet", href: `?${params}`, rel }, label);
}

function pager(total, offset) {
  if (total <= PAGE) return null;
  const shown = t("cases_page_shown", { from: offset + 1, to: Math.min(offset + PAGE, total), total });
  return el("nav", { class: "pager", "aria-label": t("cases_pager_label") },
    offset > 0 ? pageLink(Math.max(0, offset - PAGE), t("cases_page_previous"), "prev") : null,
    el("span", {}, shown),
    offset + PAGE < total ? pageLink(offset + PAGE, t("cases_page_next"), "next") : null);
}

async function showRole(names) {
  const params = new URLSearchParams(location.search);
  const offset = Math.max(0, Number.parseInt(params.get("offset") || "0", 10) || 0);
  const query = new URLSearchParams({ scope: "role", limit: String(PAGE), offset: String(offset) });
  for (const key of ["process", "state", "sort"]) if (params.get(key)) query.set(key, params.get(key));
  const result = await api(`/api/v1/cases?${query}`);
  if (!result.ok) return list.replaceChildren(el("p", { class: "alert alert--error" }, t("load_failed")));
  const { items, total } = result.data;
  if (!items.length) return list.replaceChildren(el("p", { class: "empty" }, t("cases_role_none")));
  const withInvoice = items.some((item) => item.invoice_status);
  const head = ["cases_col_case", "business_key", "cases_col_process", "case_status", "case_next_due"];
  if (withInvoice) head.push("cases_col_invoice");
  list.replaceChildren(
    el("p", { class: "muted" }, t("cases_role_count", { n: total })),
    table(t("cases_role_title"), head, items.map((item) => roleRow(item, names, withInvoice))),
    pager(total, offset) || "");
}

const names = await processNames();
for (const option of document.querySelectorAll("#f-process option[data-key]")) {
  option.textContent = names.get(option.dataset.key) || option.dataset.key;
}
if (list.dataset.view === "role") await showRole(names);
else await showMine(names);
