"""The UI test server itself: a browser that hangs up mid-download leaves no file open.

Werkzeug's handler skipped closing the response when the client reset the connection, and the
unclosed static file surfaced later as a ResourceWarning in whichever UI test was running.
"""

from __future__ import annotations

import gc
import socket
import struct
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.harness import running_server

pytestmark = pytest.mark.ui

BIG_ASSET = "/assets/vendor/axe.min.js"


@pytest.fixture
def unraisable() -> Iterator[list[str]]:
    seen: list[str] = []
    previous = sys.unraisablehook

    def record(report: Any) -> None:
        seen.append(repr(report.exc_value))

    sys.unraisablehook = record
    try:
        yield seen
    finally:
        sys.unraisablehook = previous


def test_a_client_that_resets_the_connection_mid_download_leaves_no_file_open(
    tmp_path: Path, unraisable: list[str]
) -> None:
    with running_server(tmp_path) as server:
        port = int(server.url.rsplit(":", 1)[1])
        for attempt in range(40):
            client = socket.create_connection(("127.0.0.1", port))
            # Unread bytes after the request make the server read again after writing.
            client.sendall(f"GET {BIG_ASSET} HTTP/1.1\r\nHost: x\r\n\r\nrest".encode())
            time.sleep((attempt % 8) * 0.001)
            # Linger 0: close() sends a reset instead of a polite FIN.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
        time.sleep(0.5)
    gc.collect()
    assert [seen for seen in unraisable if "ResourceWarning" in seen] == []
