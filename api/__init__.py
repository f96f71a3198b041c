"""The /api/v1 blueprints, marshmallow schemas and the one error handler.

Thin: each handler loads input, calls one service and dumps the result. Imports engine/;
never web/ or saksflyt/ (they sit above).
"""
