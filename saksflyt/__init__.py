"""The entry points, above web/ and api/: the `saksflyt` command.

Nothing below imports this package.
"""
