"""The Løten hiring routine: vacancies, applications, applicant lists and offer letters.

Plugged in at wiring like any routine; the core (use cases, step/) never imports it.
"""
