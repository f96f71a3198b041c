"""Use cases: load -> runtime -> save, one per function, each committing once.

Imports engine.runtime, engine.rules and engine.store; never api/ or Flask.
"""
