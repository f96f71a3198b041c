"""The roles users can hold; lanes in BPMN name them by id (defined once, in the runtime)."""

from engine.runtime.validation import ROLES

__all__ = ["ROLES"]
