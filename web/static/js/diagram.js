// The read-only process diagram (bpmn-js viewer, served from /assets/vendor) with a task marked.
import { api } from "./page.js";

function viewerReady() {
  if (window.BpmnJS) return Promise.resolve(window.BpmnJS);
  return new Promise((resolve, reject) => {
    const script = document.querySelector('script[src*="viewer.production"]');
    if (!script) reject(new Error("bpmn-js is not on the page"));
    script.addEventListener("load", () => resolve(window.BpmnJS));
    script.addEventListener("error", () => reject(new Error("bpmn-js did not load")));
  });
}

/** Draw the task's process version into container and mark the task's element.
 * A case page passes {key, version, marked: [element ids]} instead of a task. */
export async function showDiagram(container, task) {
  let { key, version } = task;
  if (!key) {
    const instance = await api(`/api/v1/cases/${task.instance_id}`);
    if (!instance.ok) throw new Error(`instance: ${instance.status}`);
    ({ key, version } = instance.data);
  }
  const xml = await api(`/api/v1/process-definitions/${encodeURIComponent(key)}/versions/${version}/xml`);
  if (!xml.ok) throw new Error(`diagram: ${xml.status}`);
  const BpmnJS = await viewerReady();
  const viewer = new BpmnJS({ container });
  await viewer.importXML(xml.data);
  const canvas = viewer.get("canvas");
  canvas.zoom("fit-viewport");
  const marked = task.marked ?? (task.state === "open" ? [task.element_id] : []);
  for (const element of marked) {
    try {
      canvas.addMarker(element, "current-task");
    } catch {
      // The element may live in a collapsed subprocess; the diagram still shows.
    }
  }
  const svg = container.querySelector("svg");
  if (svg) {
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-labelledby", "diagram-title");
  }
  return viewer;
}
