"""SpiffWorkflow wrapped in pure functions and dataclasses: parse, validate, advance, serialize.

Snapshot in, snapshot out; time is a parameter. Imports only SpiffWorkflow, RestrictedPython,
lxml and the stdlib; never engine.store, engine.services or Flask.
"""
