// "Mine saker": the cases the user started or takes part in, with state and next deadline.
import { api, el, formatDate, processNames, t } from "./page.js";

const list = document.getElementById("cases");

function stateText(item) {
  if (["cancelled", "error", "suspended"].includes(item.state)) return t(`case_state_${item.state}`);
  const status = item.status ? t(`value_${item.status}`) : null;
  return status && status !== `value_${item.status}` ? status : t(`case_state_${item.state}`);
}

function row(item, names) {
  return el("tr", {},
    el("th", { scope: "row", "data-label": t("col_process") },
      el("a", { href: `/cases/${item.id}` }, item.business_key || t("case_open")),
      el("span", { class: "process-name" }, names.get(item.key) || item.key)),
    el("td", { "data-label": t("case_status") }, stateText(item)),
    el("td", { "data-label": t("case_waiting_for") },
      item.waiting_for.length ? item.waiting_for.join(", ") : t("case_nothing_waits")),
    el("td", { "data-label": t("case_next_due") },
      item.next_due_at ? el("time", { datetime: item.next_due_at }, formatDate(item.next_due_at)) : t("none")),
    el("td", { "data-label": t("case_started") },
      el("time", { datetime: item.created_at }, formatDate(item.created_at))));
}

const names = await processNames();
const result = await api("/api/v1/cases?limit=200");
if (!result.ok) list.replaceChildren(el("p", { class: "alert alert--error" }, t("load_failed")));
else if (!result.data.items.length) list.replaceChildren(el("p", { class: "empty" }, t("cases_none")));
else {
  const head = ["col_process", "case_status", "case_waiting_for", "case_next_due", "case_started"];
  list.replaceChildren(el("div", { class: "table-wrap" }, el("table", { class: "table" },
    el("caption", { id: "cases-caption", class: "visually-hidden" }, t("cases_title")),
    el("thead", {}, el("tr", {}, head.map((key) => el("th", { scope: "col" }, t(key))))),
    el("tbody", {}, result.data.items.map((item) => row(item, names))))));
}
