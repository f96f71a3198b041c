"""`access.applicant_names`: the names a reader reads anyway, by applicant number."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from engine.services import access
from engine.services.audit.access import EVERYTHING, AuditAccess

NOTES = [{"applicant_no": 1, "name": "Anne Berg"}, {"applicant_no": 4, "name": "David Fjell"}]


def view(data: dict[str, Any], audit: AuditAccess = EVERYTHING) -> access.CaseView:
    return access.CaseView(
        uuid4(), "hiring", frozenset({"participant"}), frozenset(), None, data, audit
    )


def test_names_come_only_from_what_the_reader_reads() -> None:
    reader = view({"qualified": [1, 2, 4], "interview_notes": NOTES})
    assert access.applicant_names(reader) == {"1": "Anne Berg", "4": "David Fjell"}  # not 2
    nothing = view({"qualified": [1, 2, 4]})
    assert access.applicant_names(nothing) == {}


def test_a_form_choice_labelled_number_dash_name_names_its_applicant() -> None:
    form = {
        "properties": {
            "recommended": {
                "items": {"enum": [2, 3], "enumNames": ["2 \u2013 Bjørn Dahl", "Cecilie"]}
            }
        }
    }
    assert access.applicant_names(view({}), None, form) == {"2": "Bjørn Dahl"}


def test_a_reader_without_the_personal_data_right_reads_no_name() -> None:
    masked = AuditAccess(municipality="loten", open_fields=frozenset({"decision"}))
    data = {"decision": {"appointed_applicant_no": 1}, "interview_notes": NOTES}
    assert access.applicant_names(view(data, masked), {"candidate": NOTES[0]}) == {}
