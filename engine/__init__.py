"""Everything that is not HTTP: runtime, rules, store, services, deadlines, settings, timezone.

Nothing under engine/ imports api/, web/, saksflyt/ or Flask.
"""
