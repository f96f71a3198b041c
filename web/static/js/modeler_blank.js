// A new process from the library: a blank diagram in the conventions of docs/bpmn-conventions.md —
// one pool, lanes that are roles (the applicant and the leader), a start event the participants
// may use. The process owner renames the key and the lanes in the properties panel.

/** Return the BPMN XML of a blank process with this key and name. */
export function blankDiagram(key = "ny_prosess", name = "Ny prosess") {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="defs_${key}" targetNamespace="http://saksflyt.no/processes">
  <bpmn:collaboration id="collaboration_${key}">
    <bpmn:participant id="pool_${key}" name="${name}" processRef="${key}" />
  </bpmn:collaboration>
  <bpmn:process id="${key}" name="${name}" isExecutable="true">
    <bpmn:laneSet id="lanes_${key}">
      <bpmn:lane id="participant" name="Søker"><bpmn:flowNodeRef>start</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="leader" name="Leder" />
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="Start">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="startRoles" value="participant" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:startEvent>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_${key}">
    <bpmndi:BPMNPlane id="plane_${key}" bpmnElement="collaboration_${key}">
      <bpmndi:BPMNShape id="pool_${key}_di" bpmnElement="pool_${key}" isHorizontal="true">
        <dc:Bounds x="160" y="80" width="1000" height="400" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="participant_di" bpmnElement="participant" isHorizontal="true">
        <dc:Bounds x="190" y="80" width="970" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="leader_di" bpmnElement="leader" isHorizontal="true">
        <dc:Bounds x="190" y="280" width="970" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="252" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;
}

/** A new form's starting point: one required text field, and a UI schema that orders it. */
export function blankForm() {
  return {
    schema: JSON.stringify({
      type: "object",
      properties: { begrunnelse: { type: "string", title: "Begrunnelse", minLength: 1 } },
      required: ["begrunnelse"],
    }, null, 2),
    ui: JSON.stringify({ "ui:order": ["begrunnelse"] }, null, 2),
  };
}
