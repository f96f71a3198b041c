"""Use cases: load -> runtime -> save, one per function, each committing once.

Floors, each importing only the ones below it (import-linter, pyproject.toml):
`wiring` -> the routines (`assignment`, `hiring`; independent of each other) -> the use cases
(the modules here and `audit/`) -> `step/` (what one engine step writes) -> `configuration`
(what one wiring configures, current while its work runs). Imports engine.runtime,
engine.rules and engine.store; never api/ or Flask.
"""
