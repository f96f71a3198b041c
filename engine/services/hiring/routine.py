"""Plug the hiring routine in: its deadline functions for the BPMN scripts."""

from __future__ import annotations

from datetime import date

from engine.rules import deadlines
from engine.services.configuration import Configuration
from engine.services.hiring import case_access


def _application_deadline(published_on: str, days: int = 21) -> str:
    published = date.fromisoformat(published_on)
    return deadlines.application_deadline(published, int(days)).isoformat()


def _offer_answer_deadline(print_date: str, days: int = 10) -> str:
    printed = date.fromisoformat(print_date)
    return deadlines.offer_answer_deadline(printed, int(days)).isoformat()


def _probation_end(start_date: str, months: int = 6) -> str:
    return deadlines.probation_end(date.fromisoformat(start_date), int(months)).isoformat()


def register(configuration: Configuration) -> None:
    """Add the hiring deadlines (application, offer answer, probation end) to the scripts and
    declare who reads what of its cases."""
    configuration.registry.register_function("application_deadline", _application_deadline)
    configuration.registry.register_function("offer_answer_deadline", _offer_answer_deadline)
    configuration.registry.register_function("probation_end", _probation_end)
    case_access.declare(configuration)
