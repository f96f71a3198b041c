// The inbox: four lists with counts, paging, and a refresh every 15 seconds.
import {
  api, dueText, el, formatDate, formatTime, processNames, showFlash, t, username,
} from "./page.js";

const PAGE_SIZE = 20;
const REFRESH_MS = 15000;
const list = document.getElementById("list");
const state = { tab: list.dataset.tab, page: pageFromUrl(), names: new Map(), shown: "" };

function pageFromUrl() {
  const page = Number(new URLSearchParams(location.search).get("page"));
  return Number.isInteger(page) && page > 0 ? page : 1;
}

function listUrl(tab, limit, offset) {
  if (tab === "started") {
    const who = encodeURIComponent(username);
    return `/api/v1/process-instances?started_by=${who}&limit=${limit}&offset=${offset}`;
  }
  return `/api/v1/tasks?scope=${tab}&limit=${limit}&offset=${offset}`;
}

async function refreshCounts() {
  await Promise.all(
    [...document.querySelectorAll("[data-count]")].map(async (badge) => {
      const result = await api(listUrl(badge.dataset.count, 1, 0));
      badge.textContent = result.ok ? String(result.data.total) : "";
    }),
  );
}

function processCell(item) {
  const key = item.process_key ?? item.key;
  const caseId = item.instance_id ?? item.id;
  return el("td", { "data-label": t("col_process") },
    el("span", { class: "process-name" }, state.names.get(key) || key),
    el("a", { class: "business-key case-link", href: `/cases/${caseId}` },
      item.business_key || t("case_open")));
}

function dueCell(task) {
  if (!task.due_at) return el("td", { "data-label": t("col_due") }, t("none"));
  const overdue = task.is_overdue;
  const left = dueText(task);
  return el("td", { "data-label": t("col_due"), class: overdue ? "due due--overdue" : "due" },
    overdue ? el("span", { class: "badge badge--overdue" }, t("overdue")) : null,
    left ? el("span", { class: "due__left" }, left) : null,
    el("time", { datetime: task.due_at, class: "due__date" }, formatDate(task.due_at)));
}

// A task whose case is on hold stays in the list, as in Camunda's Tasklist, but greyed with
// "På vent": its page says why, and its form waits until the case is resumed.
function taskRow(task) {
  const completed = state.tab === "completed";
  const rowClass = task.suspended ? "row--held" : (task.is_overdue ? "row--overdue" : "");
  return el("tr", { class: rowClass },
    el("th", { scope: "row", "data-label": t("col_task") },
      el("a", { href: `/tasks/${task.id}` }, task.name),
      task.suspended ? [" ", el("span", { class: "badge badge--hold" }, t("task_on_hold"))] : null),
    processCell(task),
    // A task offered to a person (a leader's approval) belongs to no municipality: an empty cell,
    // without the column's name before it at phone width.
    task.municipality_id
      ? el("td", { "data-label": t("col_municipality") }, task.municipality_name || task.municipality_id)
      : el("td", {}),
    el("td", { "data-label": t("col_created") },
      el("time", { datetime: task.created_at }, formatDate(task.created_at))),
    completed
      ? el("td", { "data-label": t("col_completed") },
        el("time", { datetime: task.completed_at }, formatDate(task.completed_at)))
      : dueCell(task),
    el("td", { "data-label": t("col_assignee") }, task.assignee_name || task.assignee || t("unassigned")));
}

function instanceRow(instance) {
  const open = instance.open_tasks.map((task) => task.name).join(", ");
  return el("tr", {},
    processCell(instance),
    el("td", { "data-label": t("col_state") }, t(`state_${instance.state}`)),
    el("td", { "data-label": t("col_created") },
      el("time", { datetime: instance.created_at }, formatDate(instance.created_at))),
    el("td", { "data-label": t("col_open_tasks") }, open || t("none")));
}

function columns() {
  if (state.tab === "started") {
    return ["col_process", "col_state", "col_created", "col_open_tasks"];
  }
  const last = state.tab === "completed" ? "col_completed" : "col_due";
  return ["col_task", "col_process", "col_municipality", "col_created", last, "col_assignee"];
}

function pager(total) {
  if (total <= PAGE_SIZE) return null;
  const from = (state.page - 1) * PAGE_SIZE + 1;
  const to = Math.min(total, state.page * PAGE_SIZE);
  const link = (page, label, enabled) => enabled
    ? el("a", { class: "button", href: `/?tab=${state.tab}&page=${page}`, "data-page": page }, label)
    : el("span", { class: "button button--disabled", "aria-disabled": "true" }, label);
  return el("nav", { class: "pager", "aria-label": t("paging_label") },
    link(state.page - 1, t("previous"), state.page > 1),
    el("span", {}, t("range", { from, to, total })),
    link(state.page + 1, t("next"), to < total));
}

function render(data) {
  const caption = el("caption", { id: "list-caption", class: "visually-hidden" },
    t(`tab_${state.tab}`));
  if (data.items.length === 0) {
    list.replaceChildren(el("h2", { id: "list-caption", class: "visually-hidden" }, t(`tab_${state.tab}`)),
      el("p", { class: "empty" }, t(`empty_${state.tab}`)));
    return;
  }
  const rows = data.items.map(state.tab === "started" ? instanceRow : taskRow);
  const table = el("table", { class: "table" }, caption,
    el("thead", {}, el("tr", {}, columns().map((key) => el("th", { scope: "col" }, t(key))))),
    el("tbody", {}, rows));
  list.replaceChildren(el("div", { class: "table-wrap" }, table), pager(data.total) ?? "");
}

async function refreshList() {
  const result = await api(listUrl(state.tab, PAGE_SIZE, (state.page - 1) * PAGE_SIZE));
  if (!result.ok) {
    list.replaceChildren(el("p", { class: "alert alert--error" }, t("load_failed")));
    return;
  }
  const signature = JSON.stringify(result.data);
  if (signature !== state.shown) {
    state.shown = signature;
    render(result.data);
  }
  document.getElementById("updated").textContent = t("updated_at", { time: formatTime(new Date()) });
}

async function refresh() {
  await Promise.all([refreshCounts(), refreshList()]);
}

function selectTab(tab, page = 1) {
  state.tab = tab;
  state.page = page;
  state.shown = "";
  list.dataset.tab = tab;
  for (const link of document.querySelectorAll(".tab")) {
    if (link.dataset.tab === tab) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  refreshList();
}

document.querySelector(".tabs").addEventListener("click", (event) => {
  const link = event.target.closest("a[data-tab]");
  if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  history.pushState({}, "", link.href);
  selectTab(link.dataset.tab);
});

list.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-page]");
  if (!link) return;
  event.preventDefault();
  history.pushState({}, "", link.href);
  selectTab(state.tab, Number(link.dataset.page));
});

window.addEventListener("popstate", () => {
  const tab = new URLSearchParams(location.search).get("tab") || "mine";
  selectTab(tab, pageFromUrl());
});

showFlash();
state.names = await processNames();
await refresh();
setInterval(() => {
  if (!document.hidden) refresh();
}, REFRESH_MS);
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) refresh();
});
