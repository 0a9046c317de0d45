"""Make the screenshots of docs/screenshots/: the pages issue 24 changed and each role's main
page, at 390 px (a phone) and 1366 px (a laptop), as PNG cropped to the window's height.

They are taken by the browser tests that walk those pages (tests/browser/test_thai_journeys.py,
each role's journey; tests/browser/test_thaid_browser.py, filing with ThaID in one go), so the
pictures show what the tests checked. Needs Debian's Chromium.

    REGISTRY_DATA_DIR=/path/to/registry .venv/bin/python scripts/screenshots.py [folder]

Prints each file and the total size (kept under 3 MB: no full-page shots).
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ["tests/browser/test_thai_journeys.py", "tests/browser/test_thaid_browser.py"]
LIMIT = 3 * 1024 * 1024


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs/screenshots").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    env = {**os.environ, "JOURNEY_SCREENSHOTS": str(folder)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TESTS],
        cwd=ROOT,
        env=env,
        check=False,
    )
    shots = sorted(folder.glob("*.png"))
    total = sum(p.stat().st_size for p in shots)
    for shot in shots:
        print(f"{shot.stat().st_size / 1024:7.0f} KB  {shot.relative_to(ROOT)}")
    print(f"{len(shots)} screenshots, {total / 1024 / 1024:.2f} MB")
    if total > LIMIT:
        print("more than 3 MB: take fewer pages (SHOT_PAGES)", file=sys.stderr)
        return 1
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
