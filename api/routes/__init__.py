"""The /api/v1 blueprints."""
