"""The one serializer configuration: instance state without the process spec.

The library's default copies the whole spec into every saved instance (ENGINE-NOTES 3). Ours
drops `spec` and `subprocess_specs` on the way out and takes them from the caller's per-version
cache on the way in, so a snapshot holds only the live task tree and data.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.runtime.model import Snapshot
from engine.runtime.scripting import SCRIPT_ENGINE


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Serialize a workflow without its specs; restore it onto specs given by the caller."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct  # type: ignore[no-any-return]

    def from_dict(
        self, dct: dict[str, Any], spec: Any = None, subprocess_specs: Any = None
    ) -> BpmnWorkflow:
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], _uuid, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dict(dct["subprocesses"]), workflow)
        workflow.bpmn_events = self.registry.restore(dct.get("bpmn_events", []))
        return workflow


def _uuid(value: str) -> Any:
    from uuid import UUID

    return UUID(value)


_config = dict(SPIFF_CONFIG)
_config[BpmnWorkflow] = _SpeclessWorkflowConverter
_registry = BpmnWorkflowSerializer.configure(_config)
SERIALIZER = BpmnWorkflowSerializer(_registry)


def dump(workflow: BpmnWorkflow) -> Snapshot:
    """Return the JSON-ready snapshot of a workflow, without its specs."""
    return SERIALIZER.to_dict(workflow)  # type: ignore[no-any-return]


def load(snapshot: Snapshot, spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    """Rebuild a workflow from its snapshot onto cached specs, with the sandboxed engine."""
    workflow = SERIALIZER.from_dict(dict(snapshot), spec=spec, subprocess_specs=subprocess_specs)
    workflow.script_engine = SCRIPT_ENGINE
    return workflow
