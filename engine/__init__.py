"""Everything that is not HTTP: runtime, rules, store, services, deadlines, settings.

Nothing under engine/ imports api/ or Flask.
"""
