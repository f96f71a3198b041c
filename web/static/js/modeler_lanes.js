// Imported lanes mapped to roles: a diagram from another tool names its lanes its own way
// (Lane_0abc "Saksbehandler"); a lane's id is the role its user tasks are offered to. The owner
// picks a role for each lane in one dialog; "Hopp over" leaves the lane for the panel later.
import { el, t } from "./page.js";
import { bo } from "./modeler_bpmn.js";

/** Open the dialog when the diagram has lanes whose ids are not roles; resolve when closed. */
export function mapLanes(modeler, roles) {
  const registry = modeler.get("elementRegistry");
  const lanes = registry.filter((e) => e.type === "bpmn:Lane" && !roles.includes(bo(e).id));
  if (!lanes.length) return;
  const selects = lanes.map((lane, index) => {
    const id = `lane-role-${index}`;
    const control = el("select", { id, dataset: { lane: lane.id } },
      el("option", { value: "" }, t("mod_lanes_keep")),
      roles.map((role) => el("option", { value: role }, role)));
    return el("div", { class: "field" },
      el("label", { for: id }, t("mod_lanes_lane", { name: bo(lane).name || lane.id, id: lane.id })), control);
  });
  const dialog = el("dialog", { class: "panel lane-dialog", id: "lane-dialog", "aria-labelledby": "lanes-title" });
  const close = () => { dialog.close(); dialog.remove(); };
  const apply = () => {
    const modeling = modeler.get("modeling");
    const used = new Set(registry.filter((e) => e.type === "bpmn:Lane").map((e) => bo(e).id));
    for (const control of dialog.querySelectorAll("select")) {
      const lane = registry.get(control.dataset.lane);
      if (control.value && lane && !used.has(control.value)) {
        modeling.updateProperties(lane, { id: control.value });
        used.add(control.value);
      }
    }
    close();
  };
  dialog.append(
    el("h2", { id: "lanes-title" }, t("mod_lanes_title")),
    el("p", { class: "hint" }, t("mod_lanes_intro")),
    ...selects,
    el("div", { class: "actions" },
      el("button", { type: "button", id: "lanes-apply", class: "button button--primary", onclick: apply }, t("mod_lanes_apply")),
      el("button", { type: "button", id: "lanes-skip", class: "button button--quiet", onclick: close }, t("mod_lanes_skip"))));
  document.body.append(dialog);
  dialog.showModal();
}
