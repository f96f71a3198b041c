"""SQLAlchemy 2.0 models, repositories and the unit of work.

Imports only SQLAlchemy and the stdlib; never engine.runtime or engine.services.
"""
