"""The `saksflyt` command: migrate, load demo data, deploy, serve, run the worker."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config
from waitress.server import create_server

from api import audit_cli
from engine.runtime.errors import InvalidProcess
from engine.services import definitions, organisation
from engine.services.wiring import wire
from engine.settings import ROOT, Settings, SettingsError


def alembic_config(settings: Settings) -> Config:
    """Return the Alembic configuration bound to the settings' database."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", settings.database_url)
    return config


def upgrade(settings: Settings) -> None:
    """Migrate the database to the newest revision."""
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    command.upgrade(alembic_config(settings), "head")


def _deploy(settings: Settings) -> None:
    wiring = wire(settings)
    try:
        result = definitions.deploy_directory(
            wiring.new_uow(),
            settings.processes_dir,
            settings.forms_dir,
            actor="system:deploy",
            now=wiring.now(),
        )
    except InvalidProcess as error:
        for problem in error.problems:
            where = f"{problem.element_id or '-'} line {problem.line or '-'}"
            print(
                f"  {problem.file}: {where}: {problem.message}",
                file=sys.stderr,
            )
        raise SystemExit(2) from error
    for d in result.created:
        print(f"deployed {d.key} v{d.version}")
    for d in result.unchanged:
        print(f"unchanged {d.key} v{d.version}")


def _demo(settings: Settings) -> None:
    count = organisation.load_demo(
        wire(settings).new_uow(), settings.demo_file, settings.demo_password
    )
    print(f"demo organisation loaded: {count} users, password: {settings.demo_password}")


def _serve(settings: Settings) -> None:
    from engine.deadlines import scheduler
    from saksflyt.app import create_app

    app = create_app(settings)  # refuses production with the demo password or secret key
    wiring = app.extensions["saksflyt"]
    address = f"{settings.host}:{settings.port}"
    try:
        server = create_server(
            app, host=settings.host, port=settings.port, threads=settings.threads, ident="saksflyt"
        )
    except OSError as error:  # the port is taken, or the address is not this machine's
        wiring.engine.dispose()
        raise SystemExit(f"saksflyt serve: cannot listen on {address}: {error.strerror}") from error
    jobs = scheduler.start(wiring) if settings.scheduler_enabled else None
    print(f"saksflyt serve: http://{address} (waitress, {settings.threads} threads)", flush=True)
    # SIGTERM (systemd, docker stop) ends the server as Ctrl-C does: the scheduler stops too.
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.run()  # returns on Ctrl-C or SIGTERM, after closing its connections
        print("saksflyt serve: stopped", flush=True)
    finally:
        if jobs is not None:
            jobs.shutdown(wait=False)
        wiring.engine.dispose()


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _worker(settings: Settings) -> None:
    from engine.deadlines import scheduler

    jobs = scheduler.start(wire(settings))
    signal.signal(signal.SIGTERM, _stop)  # as Ctrl-C: let claimed timers finish their batch
    print("worker running; Ctrl-C stops it")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        jobs.shutdown()


COMMANDS: dict[str, Callable[..., None]] = {
    "migrate": upgrade,
    "deploy": _deploy,
    "demo": _demo,
    "serve": _serve,
    "worker": _worker,
    "audit": audit_cli.run,
}
# Commands that take their own options after the command name.
WITH_OPTIONS = {"audit"}


def main(argv: Sequence[str] | None = None) -> None:
    """Run one subcommand."""
    parser = argparse.ArgumentParser(prog="saksflyt")
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument("options", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.options and args.command not in WITH_OPTIONS:
        parser.error(f"{args.command} takes no options")
    try:
        if args.command in WITH_OPTIONS:
            COMMANDS[args.command](Settings.from_env(), args.options)
        else:
            COMMANDS[args.command](Settings.from_env())
    except SettingsError as error:  # a sentence for the operator, not a traceback
        raise SystemExit(f"saksflyt {args.command}: {error}") from error


if __name__ == "__main__":
    main()
