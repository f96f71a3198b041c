"""Keep the live task tree shallow: completed history leaves it, our history table keeps it.

SpiffWorkflow's task tree grows with every loop iteration, and at depth 1000 its iterator stops
seeing tasks, so the workflow silently reports itself completed (ENGINE-NOTES 1, 2). After each
engine run we splice out completed tasks that sit in a chain of completed tasks, drop cancelled
leaves, and delete finished subprocesses, so depth and snapshot size stay flat with age.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.util.task import TaskState


def prune(workflow: Any) -> int:
    """Remove completed history from a workflow's task tree; return how many tasks left it."""
    removed = _drop_finished_subprocesses(workflow)
    for subworkflow in [workflow, *workflow.subprocesses.values()]:
        removed += _prune_tree(subworkflow, workflow)
    return removed


def _prune_tree(tree: Any, top: Any) -> int:
    removed = 0
    keep = {tree.last_task.id} if tree.last_task is not None else set()
    for task in list(tree.tasks.values()):
        if task.id in keep or task.id not in tree.tasks:
            continue
        if _is_dead_leaf(task):
            _detach(tree, top, task)
            removed += 1
        elif _can_splice(task, top):
            _splice(tree, top, task)
            removed += 1
    return removed


def _is_dead_leaf(task: Any) -> bool:
    """A cancelled task with no children that no pending join can still count."""
    return (
        task.state == TaskState.CANCELLED
        and not task._children
        and task.parent is not None
        and not isinstance(task.task_spec, UnstructuredJoin)
    )


def _can_splice(task: Any, top: Any) -> bool:
    """A completed task between a parent and one completed, non-join child."""
    parent = task.parent
    if parent is None or parent.parent is None or task.state != TaskState.COMPLETED:
        return False
    if len(task._children) != 1 or task.id in top.subprocesses:
        return False
    child = task.children[0]
    return child.state == TaskState.COMPLETED and not isinstance(child.task_spec, UnstructuredJoin)


def _splice(tree: Any, top: Any, task: Any) -> None:
    parent, child = task.parent, task.children[0]
    position = parent._children.index(task.id)
    parent._children[position] = child.id
    child._parent = parent.id
    task._children = []
    _forget(tree, top, task)


def _detach(tree: Any, top: Any, task: Any) -> None:
    task.parent._children.remove(task.id)
    _forget(tree, top, task)


def _forget(tree: Any, top: Any, task: Any) -> None:
    top.event_manager.remove_task(task)
    del tree.tasks[task.id]


def _drop_finished_subprocesses(workflow: Any) -> int:
    removed = 0
    for task_id, subprocess in list(workflow.subprocesses.items()):
        if task_id not in workflow.subprocesses or not subprocess.completed:
            continue
        owner = workflow.get_task_from_id(task_id)
        if owner is not None and owner.has_state(TaskState.FINISHED_MASK):
            removed += len(workflow.delete_subprocess(owner))
    return removed
