"""The mail texts a process owner wrote in the modeler, as the sending version declares them.

`engine/runtime/mail_texts.py` reads them from the version's BPMN file (on the element that
sends the entries of a type) and deploy checks their placeholders; here a step finds the texts
of an entry's type for `process_mail`, which hands them to `notifications.enqueue`. A version's
file never changes, so each is read once per process.
"""

from __future__ import annotations

from uuid import UUID

from engine.runtime import mail_texts
from engine.runtime.xmlsafe import NS, read_xml
from engine.store.models import ProcessInstance
from engine.store.uow import UnitOfWork

Texts = dict[str, tuple[str, str]]  # language -> (subject, body)

# A pure cache, keyed by definition id (a uuid4), of texts that never change once deployed.
_by_definition: dict[UUID, dict[str, Texts]] = {}


def texts_for(uow: UnitOfWork, instance: ProcessInstance, kind: str) -> Texts | None:
    """Return the texts the instance's version declares for mails of an entry type, if any."""
    if instance.definition_id not in _by_definition:
        definition = uow.definitions.get(instance.definition_id)
        content = uow.definitions.file(definition.deployment_id, definition.file_name)
        root = read_xml(definition.file_name, content, max_bytes=2**62).root
        process = None if root is None else root.find(f"bpmn:process[@id='{instance.key}']", NS)
        found = {} if process is None else mail_texts.texts_of(process)
        _by_definition[instance.definition_id] = found
    return _by_definition[instance.definition_id].get(kind)
