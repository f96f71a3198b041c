# ruff: noqa: E501 (one row of the table per line, as the document shows it)
"""The access table of docs/access.md as data: role x object x action, each with the endpoint,
a legitimate user who must succeed and an attacker who must get nothing.

`secret` is a text the legitimate user's answer must contain and the attacker's must not (a
`{name}` is filled from the world's ids); without one, the attacker must be refused (4xx).
tests/api/test_access_table.py walks it and checks that the document shows the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.api.access_world import (
    APPLICANT_EMAIL,
    APPROVAL_REASON,
    ASKER_INTERVIEW_NOTE,
    DRAMMEN_MOTIVATION,
    DRAMMEN_SELECTION,
    EXEMPTION_REASON,
    SALARY,
    TEST_CASE_ID,
)


@dataclass(frozen=True)
class Row:
    """One row of the table: who may do what to which object, through which endpoint."""

    id: str
    role: str
    object: str
    action: str
    endpoint: str
    allowed: str
    refused: str
    secret: str | None = None

    def cells(self) -> tuple[str, ...]:
        """Return the row as docs/access.md writes it."""
        return (
            self.id,
            self.role,
            self.object,
            self.action,
            f"`GET {self.endpoint}`",
            self.allowed,
            self.refused,
        )


CASES = "/api/v1/process-instances"
TASKS = "/api/v1/tasks"
ROWS = (
    # The assignment routine (A: Bærum receives, Asker's employee chosen; D: Drammen's).
    Row("a1", "receiving service leader", "the case with its interview notes", "read", f"{CASES}/{{A}}", "tl.baerum", "tl.lier", ASKER_INTERVIEW_NOTE),
    Row("a2", "the chosen employee", "a competing candidate's motivation", "read", f"{CASES}/{{A}}", "tl.baerum", "emp.asker", DRAMMEN_MOTIVATION),
    Row("a3", "the chosen employee", "a competing candidate's motivation", "read history", f"{CASES}/{{A}}/history", "tl.baerum", "emp.asker", DRAMMEN_MOTIVATION),
    Row("a4", "the chosen employee's leader", "the candidates' interview notes", "read history", f"{CASES}/{{A}}/history", "tl.baerum", "leder.asker", ASKER_INTERVIEW_NOTE),
    Row("a5", "leader of a candidate not chosen", "the case (salary)", "read", f"{CASES}/{{A}}", "tl.baerum", "leder.drammen", SALARY),
    Row("a6", "candidate not chosen", "the contract", "download", f"{CASES}/{{A}}/contract.pdf", "emp.asker", "emp.drammen"),
    Row("a7", "the employee's leader", "the interest to approve", "read task", f"{TASKS}/{{A_interest_drammen_approve_interest}}", "leder.drammen", "leder.asker", DRAMMEN_MOTIVATION),
    Row("a8", "the employee", "their own interest registration", "read", f"{CASES}/{{A_interest_drammen}}", "emp.drammen", "emp.asker", DRAMMEN_MOTIVATION),
    Row("a9", "union representative (receiving)", "the registrations to review", "read task", f"{TASKS}/{{A_union_review}}", "tv.baerum", "tv.lier", DRAMMEN_MOTIVATION),
    Row("a10", "interviewer (receiving service leader)", "an interview's notes", "read task", f"{TASKS}/{{A_interview}}", "tl.baerum", "emp.drammen", "held_on"),
    Row("a11", "finance of a party", "the invoice", "read", "/api/v1/invoices/{A_invoice}", "fin.asker", "fin.drammen", SALARY),
    Row("a12", "finance of a party", "the invoices", "list", "/api/v1/invoices", "fin.asker", "fin.drammen", "{A_invoice_number}"),
    Row("a13", "finance of a party", "the invoice PDF", "download", "/api/v1/invoices/{A_invoice}.pdf", "fin.baerum", "fin.drammen"),
    Row("a14", "party to the contract", "the contract PDF", "download", f"{CASES}/{{A}}/contract.pdf", "leder.asker", "leder.drammen"),
    Row("a15", "auditor of another municipality", "an invoice (Drammen to Bærum)", "read", "/api/v1/invoices/{D_invoice}", "revisor", "revisor.asker", SALARY),
    Row("a16", "auditor of another municipality", "the invoice's EHF file", "download", "/api/v1/invoices/{D_invoice}.xml", "revisor", "revisor.asker"),
    Row("a17", "auditor of another municipality", "the contract PDF", "download", f"{CASES}/{{D}}/contract.pdf", "revisor", "revisor.asker"),
    Row("a18", "auditor of another municipality", "a task's data", "read task", f"{TASKS}/{{D_select_candidate}}", "revisor", "revisor.asker", DRAMMEN_SELECTION),
    Row("a19", "auditor of another municipality", "every task", "list", f"{TASKS}?scope=all&limit=500", "revisor", "revisor.asker", "{D_key}"),
    Row("a20", "auditor of another municipality", "a replayed state", "read", f"{CASES}/{{D}}/history/3/state", "revisor", "revisor.asker"),
    Row("a21", "auditor without the personal-data right", "the case's interview notes", "read", f"{CASES}/{{A}}", "revisor", "revisor.asker", ASKER_INTERVIEW_NOTE),
    Row("a22", "auditor without the personal-data right", "the invoice's salary", "read", "/api/v1/invoices/{A_invoice}", "revisor", "revisor.asker", SALARY),
    Row("a23", "auditor without the personal-data right", "the case's audit export", "export", "/api/v1/audit/instances/{A}/export?format=json", "revisor", "revisor.asker", ASKER_INTERVIEW_NOTE),
    Row("a24", "process owner", "a case", "read", f"{CASES}/{{A}}", "admin", "eier", SALARY),
    # The same case through the Camunda 7 door (/engine-rest, docs/camunda7.md): the same rules.
    Row("a25", "leader of a candidate not chosen", "the case's variables (Camunda history)", "read", "/engine-rest/history/variable-instance?processInstanceId={A}", "tl.baerum", "leder.drammen", SALARY),
    Row("a26", "process owner", "a case (Camunda history)", "read", "/engine-rest/history/process-instance/{A}", "admin", "eier"),
    Row("a27", "a candidate not chosen", "the case's tasks (Camunda history)", "list", "/engine-rest/history/task?processInstanceId={A}", "tl.baerum", "emp.drammen", "{A_interview}"),
    Row("a28", "the chosen employee", "who else was offered a task (usernames)", "read history", f"{CASES}/{{A}}/history", "admin", "emp.asker", "leder.asker"),
    # The hiring routine (H: Løten's vacancy, Anne applied with a CV and an exemption request).
    Row("h1", "HR of the municipality", "the applicant list", "read", "/api/v1/vacancies/{vacancy}/applicants", "hr.loten", "hr.lier", APPLICANT_EMAIL),
    Row("h2", "HR of the municipality", "a CV", "download", "/api/v1/attachments/{H_cv}/content", "hr.loten", "hr.lier"),
    Row("h3", "hiring authority", "a CV", "download", "/api/v1/attachments/{H_cv}/content", "vl.loten", "eier"),
    Row("h4", "hiring authority", "an application", "read", f"{CASES}/{{H_application}}", "vl.loten", "hr.lier", EXEMPTION_REASON),
    Row("h5", "HR of the municipality", "the hiring case", "read", f"{CASES}/{{H}}", "hr.loten", "hr.lier", EXEMPTION_REASON),
    Row("h6", "unit head", "the interviews to recommend on", "read task", f"{TASKS}/{{H_write_recommendation}}", "vl.loten", "tv.lier", "Anne Berg"),
    Row("h7", "union representative", "the assessment to comment on", "read task", f"{TASKS}/{{H_consult_union_on_vacancy}}", "tv.loten", "tv.lier", "conclusion"),
    Row("h8", "union representative", "the applicants' personal data", "read", f"{CASES}/{{H}}", "hr.loten", "tv.loten", EXEMPTION_REASON),
    Row("h9", "auditor of another municipality", "a hiring task's data", "read task", f"{TASKS}/{{H_write_recommendation}}", "revisor", "revisor.asker", "Anne Berg"),
    Row("h10", "auditor", "the applicant list", "read", "/api/v1/vacancies/{vacancy}/applicants", "hr.loten", "revisor", APPLICANT_EMAIL),
    Row("h11", "process owner", "the hiring case", "read", f"{CASES}/{{H}}", "admin", "eier", EXEMPTION_REASON),
    Row("h12", "union representative", "who did each step (usernames)", "read history", f"{CASES}/{{H}}/history", "revisor", "tv.loten", "hr.loten"),
    # A process built in the modeler, without contextFields (P: approval, applied for in Drammen).
    Row("p1", "starter", "their own application", "read", f"{CASES}/{{P}}", "emp.drammen", "emp.asker", APPROVAL_REASON),
    Row("p2", "approver (no contextFields)", "the applicant's reason", "read", f"{CASES}/{{P}}", "emp.drammen", "leder.drammen", APPROVAL_REASON),
    Row("p3", "approver", "the task to approve", "read task", f"{TASKS}/{{P_approve}}", "leder.drammen", "leder.asker", "Vedtak"),
    Row("p4", "process owner", "their own test case", "read", f"{CASES}/{{T}}", "eier", "emp.asker", TEST_CASE_ID),
    Row("p5", "process owner", "someone else's case", "read", f"{CASES}/{{P}}", "admin", "eier", APPROVAL_REASON),
    # The role overviews ("Saker for min rolle"): a case's id in the list is the secret.
    Row("o1", "HR of the municipality", "its municipality's cases", "list", "/api/v1/cases?scope=role", "hr.loten", "hr.lier", "{H}"),
    Row("o2", "finance of a party", "the cases holding its invoices", "list", "/api/v1/cases?scope=role", "fin.asker", "fin.drammen", "{A}"),
    Row("o3", "receiving service leader", "the municipality's assignments", "list", "/api/v1/cases?scope=role", "tl.baerum", "tl.lier", "{D}"),
)  # fmt: skip
