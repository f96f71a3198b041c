"""Write the screenshots of docs/build-your-first-process.md from the browser test's own steps.

Run with `make screenshots` (python -m tests.ui.guide): a fresh server, then
tests.ui.test_new_process's journey with a screenshot at each named step.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from engine.settings import ROOT
from tests.ui.harness import launch, new_page, running_server
from tests.ui.test_new_process import build_and_deploy, run_as_demo_users

OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    """Build and run the leave request once, writing guide-*.png."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as directory, sync_playwright() as playwright:
        browser = launch(playwright)
        with running_server(Path(directory)) as server:
            page = new_page(browser, server.url, viewport={"width": 1280, "height": 860})

            def owner_shot(name: str) -> None:
                page.screenshot(path=OUT / f"guide-{name}.png")

            build_and_deploy(page, server, owner_shot)
            run_as_demo_users(
                browser,
                server,
                lambda name, shown: shown.screenshot(path=OUT / f"guide-{name}.png"),
            )
        browser.close()
    print(f"wrote {OUT}/guide-*.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
