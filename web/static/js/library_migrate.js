// Move running instances to a newer version: a dry run per instance, then the chosen ones in
// batches with progress.
import { announce, api, el, t } from "./page.js";
import { definitionPath } from "./modeler_api.js";

const root = document.getElementById("migrate");
const key = root.dataset.key;
const BATCH = 10;

function reasons(plan) {
  const lines = [...plan.reasons, ...plan.notes];
  return lines.length ? el("ul", { class: "reasons" }, lines.map((line) => el("li", {}, line))) : t("none");
}

function planTable(plans, target) {
  const rows = plans.map((plan) => {
    const box = el("input", { type: "checkbox", name: "instance", value: plan.instance_id,
      checked: plan.can_migrate, disabled: !plan.can_migrate,
      "aria-label": t("mig_choose", { key: plan.business_key || plan.instance_id }) });
    return el("tr", { dataset: { instanceId: plan.instance_id } },
      el("td", {}, box),
      el("th", { scope: "row" }, plan.business_key || plan.instance_id.slice(0, 8)),
      el("td", {}, String(plan.version)),
      el("td", {}, plan.waiting.join(", ") || t("none")),
      el("td", { class: "verdict" }, plan.can_migrate ? t("mig_can", { n: target }) : t("mig_cannot")),
      el("td", {}, reasons(plan)));
  });
  return el("div", { class: "table-wrap" }, el("table", { class: "table migration-table" },
    el("caption", { class: "visually-hidden" }, t("mig_plan")),
    el("thead", {}, el("tr", {}, ...["mig_col_choose", "mig_col_instance", "lib_version", "mig_col_waiting",
      "mig_col_verdict", "mig_col_why"].map((k) => el("th", { scope: "col" }, t(k))))),
    el("tbody", {}, rows)));
}

async function migrate(target, output) {
  const chosen = [...root.querySelectorAll('input[name="instance"]:checked')].map((box) => box.value);
  if (!chosen.length) {
    announce(t("mig_none_chosen"), "error");
    return;
  }
  const progress = el("progress", { max: chosen.length, value: 0, "aria-label": t("mig_progress") });
  const counter = el("p", { role: "status" });
  output.replaceChildren(progress, counter);
  let moved = 0;
  for (let start = 0; start < chosen.length; start += BATCH) {
    const result = await api(`${definitionPath(key)}/migrations`, {
      method: "POST", body: { to_version: target, instance_ids: chosen.slice(start, start + BATCH) },
    });
    if (!result.ok) {
      announce(result.data?.error?.message || t("error_generic"), "error");
      return;
    }
    for (const item of result.data.instances) {
      moved += item.migrated ? 1 : 0;
      const row = root.querySelector(`tr[data-instance-id="${item.instance_id}"] .verdict`);
      if (row) row.textContent = item.migrated ? t("mig_moved", { n: target }) : t("mig_not_moved");
    }
    progress.value = Math.min(start + BATCH, chosen.length);
    counter.textContent = t("mig_counter", { done: progress.value, total: chosen.length });
  }
  announce(t("mig_done", { moved, total: chosen.length, n: target }), "success");
}

async function dryRun(target, output) {
  const result = await api(`${definitionPath(key)}/migrations/dry-run`, { method: "POST", body: { to_version: target } });
  if (!result.ok) {
    output.replaceChildren(el("p", { class: "alert" }, result.data?.error?.message || t("error_generic")));
    return;
  }
  const plans = result.data.instances;
  if (!plans.length) {
    output.replaceChildren(el("p", { class: "empty" }, t("mig_no_instances")));
    return;
  }
  const status = el("div", { id: "migration-status" });
  const button = el("button", { type: "button", id: "migrate-chosen", class: "button button--primary",
    onclick: () => migrate(target, status) }, t("mig_move_chosen", { n: target }));
  const movable = plans.filter((p) => p.can_migrate).length;
  output.replaceChildren(el("p", { role: "status" }, t("mig_summary", { movable, total: plans.length })),
    planTable(plans, target), el("div", { class: "actions" }, button), status);
}

async function main() {
  const library = await api("/api/v1/process-library");
  const process = library.ok ? library.data.find((p) => p.key === key) : null;
  if (!process) {
    root.replaceChildren(el("p", { class: "alert" }, t("load_failed")));
    return;
  }
  const runnable = process.versions.filter((v) => v.runnable);
  const select = el("select", { id: "target-version" },
    runnable.map((v) => el("option", { value: v.version }, t("version", { n: v.version }))));
  const output = el("div", { id: "migration-plan" });
  const form = el("form", { class: "version-pick", onsubmit: (event) => {
    event.preventDefault();
    dryRun(Number(select.value), output);
  } },
  el("div", { class: "field" }, el("label", { for: "target-version" }, t("mig_target")), select),
  el("button", { type: "submit", class: "button", id: "dry-run" }, t("mig_dry_run")));
  root.replaceChildren(form, output);
}

main();
