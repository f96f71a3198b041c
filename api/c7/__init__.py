"""`/engine-rest`: the Camunda 7 REST subset real Python clients use, another door into saksflyt.

The same users (HTTP Basic or our bearer tokens), roles and need-to-know rules as /api/v1; the
handlers translate Camunda's conventions (`convert.py`: typed variables, dates with
milliseconds and a numeric offset, `{type, message}` errors) and call the same use cases.
Imports: api.auth, api.wiring, engine.services, engine.deadlines (long polling); never web/.
"""


def routes() -> None:
    """Import the route modules, which add their views to `blueprint.bp`."""
    from api.c7 import external_tasks, history, runtime, tasks  # noqa: F401
