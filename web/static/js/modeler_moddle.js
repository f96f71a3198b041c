// SpiffWorkflow's extension elements, as a moddle package for bpmn-js (namespace and tag names
// as SpiffWorkflow writes and reads them; see docs/bpmn-conventions.md). Every spiffworkflow
// element the engine reads is listed: moddle drops elements of a known namespace it cannot type.
const body = [{ name: "value", isBody: true, type: "String" }];
const attr = (name) => ({ name, isAttr: true, type: "String" });

export const spiffworkflow = {
  name: "SpiffWorkflow",
  uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
  prefix: "spiffworkflow",
  xml: { tagAlias: "lowerCase" },
  associations: [],
  types: [
    { name: "Properties", superClass: ["Element"],
      properties: [{ name: "properties", type: "Property", isMany: true }] },
    { name: "Property", superClass: ["Element"], properties: [attr("name"), attr("value")] },
    { name: "InstructionsForEndUser", superClass: ["Element"], properties: body },
    { name: "PreScript", superClass: ["Element"], properties: body },
    { name: "PostScript", superClass: ["Element"], properties: body },
    { name: "CalledDecisionId", superClass: ["Element"], properties: body },
    { name: "MessagePayload", superClass: ["Element"], properties: body },
    { name: "MessageVariable", superClass: ["Element"], properties: body },
    { name: "ServiceTaskOperator", superClass: ["Element"],
      properties: [attr("id"), attr("resultVariable"),
        { name: "parameterList", type: "Parameters" }] },
    { name: "Parameters", superClass: ["Element"],
      properties: [{ name: "parameters", type: "Parameter", isMany: true }] },
    { name: "Parameter", superClass: ["Element"],
      properties: [attr("id"), attr("type"), attr("value")] },
    { name: "ProcessVariableCorrelation", superClass: ["Element"],
      properties: [{ name: "propertyId", type: "PropertyId" },
        { name: "expression", type: "Expression" }] },
    { name: "PropertyId", superClass: ["Element"], properties: body },
    { name: "Expression", superClass: ["Element"], properties: body },
    { name: "UnitTests", superClass: ["Element"],
      properties: [{ name: "unitTests", type: "UnitTest", isMany: true }] },
    { name: "UnitTest", superClass: ["Element"],
      properties: [attr("id"), { name: "inputJson", type: "InputJson" },
        { name: "expectedOutputJson", type: "ExpectedOutputJson" }] },
    { name: "ScriptsOnInstances", isAbstract: true, extends: ["bpmn:MultiInstanceLoopCharacteristics"],
      properties: [{ name: "scriptsOnInstances", isAttr: true, type: "Boolean" }] },
    // saksflyt's own: the subject and body of one entry type's mails (engine/runtime/mail_texts.py).
    { name: "MailText", superClass: ["Element"],
      properties: [attr("type"), attr("language"), attr("subject"), ...body] },
    { name: "InputJson", superClass: ["Element"], properties: body },
    { name: "ExpectedOutputJson", superClass: ["Element"], properties: body },
  ],
};

/** Keep references SpiffWorkflow writes as plain names (loopDataInputRef = a data key) on export.
 * moddle resolves references by id and would drop them; give each a stand-in with that id.
 * Return the import warnings that remain. */
export function keepNamedReferences(moddle, warnings) {
  return warnings.filter((warning) => {
    const found = /^unresolved reference <(.+)>$/.exec(warning.message || "");
    if (!found || !warning.element || !warning.property) return true;
    const standIn = moddle.create("bpmn:DataInput", { id: found[1] });
    const current = warning.element.get(warning.property);
    if (Array.isArray(current)) current.push(standIn);
    else warning.element.set(warning.property, standIn);
    return false;
  });
}
