"""The KV 5 assignment routine: announcements, interest, invoices and their files.

Plugged in at wiring like any routine; the core (use cases, step/) never imports it.
"""
