"""`saksflyt audit verify [--instance ID]`, `audit anchor`, `audit anonymise-expired`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from uuid import UUID

from engine.services.audit import chain as audit
from engine.services.audit import retention
from engine.services.wiring import Wiring, wire
from engine.settings import Settings
from engine.store.uow import UnitOfWork


def run(settings: Settings, options: Sequence[str]) -> None:
    """Run one audit action; `verify` exits 1 when a chain is broken."""
    parser = argparse.ArgumentParser(prog="saksflyt audit")
    actions = parser.add_subparsers(dest="action", required=True)
    check = actions.add_parser("verify", help="verify every hash chain and anchor")
    check.add_argument("--instance", help="verify one instance's chain only")
    actions.add_parser("anchor", help="seal every stream's head in a new anchor")
    actions.add_parser("anonymise-expired", help="anonymise instances past their retention")
    args = parser.parse_args(options)
    wiring = wire(settings)
    try:
        code = _act(wiring, args)
    finally:
        wiring.engine.dispose()
    if code:
        raise SystemExit(code)


def _act(wiring: Wiring, args: argparse.Namespace) -> int:
    if args.action == "verify":
        return _verify(wiring.new_uow, args.instance)
    if args.action == "anchor":
        row = audit.anchor(wiring.new_uow(), wiring.now())
        print(f"anchor {row.seq}: {row.stream_count} streams, {row.event_count} events")
        print(f"root {row.root}")
        return 0
    done = retention.anonymise_expired(
        wiring.new_uow, now=wiring.now(), default_days=wiring.settings.retention_days
    )
    print(f"anonymised {len(done)} instances")
    return 0


def _verify(new_uow: Callable[[], UnitOfWork], instance: str | None) -> int:
    uow = new_uow()
    try:
        instance_id = UUID(instance) if instance else None
    except ValueError:
        print(f"not an instance id: {instance}", file=sys.stderr)
        return 2
    report = audit.verify(uow, instance_id)
    print(
        f"checked {report.events} events in {report.streams} streams and "
        f"{report.anchors} anchors in {report.seconds:.1f} s"
    )
    if report.ok:
        print("ok: every chain is intact")
        return 0
    for item in report.breaks:
        print(f"BROKEN {item.stream} at event {item.seq}: {item.reason}")
    first = report.first_broken
    assert first is not None
    print(f"first broken link: {first.stream} event {first.seq}", file=sys.stderr)
    return 1
