"""The entry points, above web/ and api/: create_app() and the `saksflyt` command.

Nothing below imports this package.
"""
