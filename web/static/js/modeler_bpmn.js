// Reading and writing what the engine reads, through bpmn-js's modeling API (so undo works).
export const TIMER_KINDS = ["timeDuration", "timeDate", "timeCycle"];
const SPIFF = "spiffworkflow:";

export const bo = (element) => element.businessObject;
export const is = (element, type) => bo(element)?.$instanceOf?.(type);

export class Editor {
  constructor(modeler) {
    this.modeler = modeler;
    this.modeling = modeler.get("modeling");
    this.moddle = modeler.get("moddle");
    this.canvas = modeler.get("canvas");
    this.registry = modeler.get("elementRegistry");
    this.factory = modeler.get("elementFactory");
    this.autoPlace = modeler.get("autoPlace");
    this.selection = modeler.get("selection");
  }

  definitions() {
    return this.canvas.getRootElement().businessObject.$parent;
  }

  // extension elements ----------------------------------------------------------------------

  extension(target, type) {
    return (target.extensionElements?.values || []).find((value) => value.$type === SPIFF + type);
  }

  ensureExtensions(element, target) {
    if (!target.extensionElements) {
      const extensions = this.moddle.create("bpmn:ExtensionElements", { values: [] });
      extensions.$parent = target;
      this.modeling.updateModdleProperties(element, target, { extensionElements: extensions });
    }
    return target.extensionElements;
  }

  property(element, name) {
    const properties = this.extension(bo(element), "Properties");
    return properties?.properties?.find((p) => p.name === name)?.value || "";
  }

  setProperty(element, name, value) {
    const target = bo(element);
    let properties = this.extension(target, "Properties");
    const current = properties?.properties?.find((p) => p.name === name);
    if (!value) {
      if (current) {
        const rest = properties.properties.filter((p) => p !== current);
        this.modeling.updateModdleProperties(element, properties, { properties: rest });
      }
      return;
    }
    if (current) {
      this.modeling.updateModdleProperties(element, current, { value });
      return;
    }
    if (!properties) {
      const extensions = this.ensureExtensions(element, target);
      properties = this.moddle.create(SPIFF + "Properties", { properties: [] });
      properties.$parent = extensions;
      this.modeling.updateModdleProperties(element, extensions, { values: [...extensions.values, properties] });
    }
    const property = this.moddle.create(SPIFF + "Property", { name, value });
    property.$parent = properties;
    this.modeling.updateModdleProperties(element, properties, { properties: [...properties.properties, property] });
  }

  text(element, type, target = bo(element)) {
    return this.extension(target, type)?.value || "";
  }

  setText(element, type, value, target = bo(element)) {
    const current = this.extension(target, type);
    if (current && value) {
      this.modeling.updateModdleProperties(element, current, { value });
    } else if (current) {
      const extensions = target.extensionElements;
      const rest = extensions.values.filter((v) => v !== current);
      this.modeling.updateModdleProperties(element, extensions, { values: rest });
    } else if (value) {
      const extensions = this.ensureExtensions(element, target);
      const created = this.moddle.create(SPIFF + type, { value });
      created.$parent = extensions;
      this.modeling.updateModdleProperties(element, extensions, { values: [...extensions.values, created] });
    }
  }

  expression(body) {
    return this.moddle.create("bpmn:FormalExpression", { body });
  }

  // events --------------------------------------------------------------------------------

  eventDefinition(element, type) {
    return (bo(element).eventDefinitions || []).find((d) => d.$instanceOf(type));
  }

  timer(element) {
    const definition = this.eventDefinition(element, "bpmn:TimerEventDefinition");
    if (!definition) return null;
    const kind = TIMER_KINDS.find((k) => definition[k]) || "timeDuration";
    return { kind, value: definition[kind]?.body || "" };
  }

  setTimer(element, kind, value) {
    const definition = this.eventDefinition(element, "bpmn:TimerEventDefinition");
    const update = Object.fromEntries(TIMER_KINDS.map((k) => [k, undefined]));
    if (value) update[kind] = this.expression(value);
    this.modeling.updateModdleProperties(element, definition, update);
  }

  /** The element that holds messageRef: a message event definition, or a send/receive task. */
  messageHolder(element) {
    return this.eventDefinition(element, "bpmn:MessageEventDefinition")
      || (is(element, "bpmn:ReceiveTask") || is(element, "bpmn:SendTask") ? bo(element) : null);
  }

  messages() {
    return (this.definitions().rootElements || []).filter((e) => e.$type === "bpmn:Message");
  }

  setMessage(element, name) {
    const holder = this.messageHolder(element);
    if (!name) {
      this.modeling.updateModdleProperties(element, holder, { messageRef: undefined });
      return;
    }
    const definitions = this.definitions();
    let message = this.messages().find((m) => (m.name || m.id) === name);
    if (!message) {
      message = this.moddle.create("bpmn:Message", { id: this.freeId(name), name });
      message.$parent = definitions;
      this.modeling.updateModdleProperties(element, definitions,
        { rootElements: [...definitions.rootElements, message] });
    }
    this.modeling.updateModdleProperties(element, holder, { messageRef: message });
  }

  /** Return {property, expression} of the first correlation property read from this message. */
  correlation(element) {
    const message = this.messageHolder(element)?.messageRef;
    if (!message) return { property: "", expression: "" };
    for (const property of this.correlationProperties()) {
      const found = (property.correlationPropertyRetrievalExpression || [])
        .find((r) => r.messageRef === message);
      if (found) return { property: property.name || property.id, expression: found.messagePath?.body || "" };
    }
    return { property: "", expression: "" };
  }

  correlationProperties() {
    return (this.definitions().rootElements || []).filter((e) => e.$type === "bpmn:CorrelationProperty");
  }

  setCorrelation(element, name, expression) {
    const message = this.messageHolder(element)?.messageRef;
    if (!message || !name) return;
    const definitions = this.definitions();
    let property = this.correlationProperties().find((p) => (p.name || p.id) === name);
    if (!property) {
      property = this.moddle.create("bpmn:CorrelationProperty",
        { id: this.freeId(name), name, correlationPropertyRetrievalExpression: [] });
      property.$parent = definitions;
      this.modeling.updateModdleProperties(element, definitions,
        { rootElements: [...definitions.rootElements, property] });
      this.addCorrelationKey(element, property);
    }
    const expressions = property.correlationPropertyRetrievalExpression || [];
    const current = expressions.find((r) => r.messageRef === message);
    const path = this.expression(expression || name);
    if (current) {
      this.modeling.updateModdleProperties(element, current, { messagePath: path });
    } else {
      const retrieval = this.moddle.create("bpmn:CorrelationPropertyRetrievalExpression",
        { messageRef: message, messagePath: path });
      retrieval.$parent = property;
      this.modeling.updateModdleProperties(element, property,
        { correlationPropertyRetrievalExpression: [...expressions, retrieval] });
    }
  }

  addCorrelationKey(element, property) {
    const root = this.canvas.getRootElement().businessObject;
    if (root.$type !== "bpmn:Collaboration") return;
    const key = this.moddle.create("bpmn:CorrelationKey", { name: property.name, correlationPropertyRef: [property] });
    key.$parent = root;
    this.modeling.updateModdleProperties(element, root, { correlationKeys: [...(root.correlationKeys || []), key] });
  }

  // flows, ids and new elements ------------------------------------------------------------

  setCondition(flow, text) {
    this.modeling.updateProperties(flow, { conditionExpression: text ? this.expression(text) : undefined });
  }

  setDefault(flow, on) {
    this.modeling.updateProperties(flow.source, { default: on ? bo(flow) : undefined });
  }

  freeId(wanted) {
    let candidate = wanted.replace(/[^A-Za-z0-9_.-]/g, "_") || "element";
    if (/^[^A-Za-z_]/.test(candidate)) candidate = `_${candidate}`;
    for (let n = 2; this.registry.get(candidate) || this.moddle.ids.assigned(candidate); n += 1) {
      candidate = `${wanted}_${n}`;
    }
    return candidate;
  }

  append(element, type, attrs = {}) {
    const shape = this.factory.createShape({ type, ...attrs });
    const created = this.autoPlace.append(element, shape);
    this.selection.select(created);
    return created;
  }

  addTimerBoundary(element) {
    const shape = this.factory.createShape({
      type: "bpmn:BoundaryEvent", eventDefinitionType: "bpmn:TimerEventDefinition",
    });
    const position = { x: element.x + element.width - 18, y: element.y + element.height };
    const created = this.modeling.createShape(shape, position, element, { attach: true });
    this.selection.select(created);
    return created;
  }
}
