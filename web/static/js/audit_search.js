// The auditors' search: filters kept in the address, results with links to each instance,
// exports of the results, and a check of the whole log.
import { api, el, formatDateTime, t } from "./page.js";

const form = document.getElementById("audit-search");
const results = document.getElementById("results");
const count = document.getElementById("result-count");
const PAGE = 50;
let offset = 0;
const names = new Map();  // process key -> its name, for the results

function query() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (String(value).trim()) params.set(name, String(value).trim());
  return params;
}

function fillForm(params) {
  for (const [name, value] of params) {
    const field = form.elements.namedItem(name);
    if (field) field.value = value;
  }
}

async function processes() {
  const select = form.elements.namedItem("key");
  const result = await api("/api/v1/process-definitions");
  if (!result.ok) return;
  for (const definition of result.data) {
    names.set(definition.key, definition.name || definition.key);
    select.append(el("option", { value: definition.key }, `${definition.name || definition.key} (${definition.key})`));
  }
}

function stateLabel(item) {
  const label = t(`aud_state_${item.state}`);
  return item.anonymised ? [label, el("span", { class: "badge badge--muted" }, t("aud_anonymised"))] : label;
}

function table(items) {
  return el("div", { class: "table-wrap" }, el("table", { class: "table", id: "audit-results" },
    el("thead", {}, el("tr", {},
      el("th", { scope: "col" }, t("aud_business_key")),
      el("th", { scope: "col" }, t("aud_col_process")),
      el("th", { scope: "col" }, t("aud_state")),
      el("th", { scope: "col" }, t("aud_col_started")),
      el("th", { scope: "col" }, t("aud_col_ended")),
      el("th", { scope: "col" }, t("aud_col_events")))),
    el("tbody", {}, items.map((item) => el("tr", {},
      el("th", { scope: "row" }, el("a", { href: `/audit/instances/${item.id}` },
        item.business_key || item.id.slice(0, 8))),
      el("td", { "data-label": t("aud_col_process") }, `${names.get(item.key) || item.key}, ${t("version", { n: item.version })}`, " ",
        el("span", { class: "business-key" }, item.started_by || "")),
      el("td", { "data-label": t("aud_state") }, stateLabel(item)),
      el("td", { "data-label": t("aud_col_started") }, formatDateTime(item.created_at)),
      el("td", { "data-label": t("aud_col_ended") }, item.ended_at ? formatDateTime(item.ended_at) : "–"),
      el("td", { "data-label": t("aud_col_events") }, String(item.events)))))));
}

function pager(total) {
  if (total <= PAGE) return null;
  const go = (next) => { offset = next; search(false); };
  return el("p", { class: "actions" },
    el("button", { type: "button", class: "button button--quiet", disabled: offset === 0,
      onclick: () => go(Math.max(0, offset - PAGE)) }, "←"),
    el("span", {}, `${offset + 1}–${Math.min(offset + PAGE, total)} / ${total}`),
    el("button", { type: "button", class: "button button--quiet", disabled: offset + PAGE >= total,
      onclick: () => go(offset + PAGE) }, "→"));
}

async function search(remember = true) {
  const params = query();
  if (remember) {
    offset = 0;
    history.replaceState(null, "", params.toString() ? `?${params}` : location.pathname);
  }
  document.getElementById("export-csv").href = `/api/v1/audit/export?${params}&format=csv`;
  document.getElementById("export-json").href = `/api/v1/audit/export?${params}&format=json`;
  params.set("limit", String(PAGE));
  params.set("offset", String(offset));
  const result = await api(`/api/v1/audit/instances?${params}`);
  if (!result.ok) {
    results.replaceChildren(el("p", { class: "alert", role: "alert" },
      result.data?.error?.message || t("error_generic")));
    count.textContent = "";
    return;
  }
  const { items, total } = result.data;
  count.textContent = `(${t("aud_results_count", { n: total })})`;
  results.replaceChildren(items.length ? table(items) : el("p", { class: "empty" }, t("aud_none")),
    pager(total) || "");
}

async function verifyAll(button) {
  const box = document.getElementById("verify-result");
  button.disabled = true;
  box.className = "flash";
  box.textContent = t("aud_verifying");
  const result = await api("/api/v1/audit/verify");
  button.disabled = false;
  if (!result.ok) {
    box.className = "flash flash--error";
    box.textContent = t("error_generic");
    return;
  }
  const report = result.data;
  box.className = report.ok ? "flash flash--success" : "flash flash--error";
  box.textContent = report.ok
    ? t("aud_verified_ok", report)
    : t("aud_verified_broken", report.first_broken);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  search();
});
document.getElementById("verify-all").addEventListener("click", (event) => verifyAll(event.currentTarget));

const initial = new URLSearchParams(location.search);
processes().then(() => {
  fillForm(initial);
  search(false);
});
