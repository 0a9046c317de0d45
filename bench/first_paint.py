#!/usr/bin/env python3
"""First contentful paint of a province dashboard on a throttled 3G line (issue 23, item 5).

    nice -n 10 .venv/bin/python bench/first_paint.py [--province 30] [--runs 5] [--no-setup]

Starts the morning benchmark's stack (bench/morning.py: nginx with TLS on 127.0.0.1:9443 in
front of two portal gunicorns on 9001 and 9002, production settings; its database
`elaas_morning`, built unless --no-setup), makes the province's generated provincial officer a
session with the second factor (as bench/morning.py does), then opens
/compliance/province/<code>/ in Debian's Chromium (/usr/bin/chromium, headless, through
Playwright) with that session's cookies and the network throttled through the DevTools protocol
(Network.emulateNetworkConditions: 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up: "Fast
3G" as Lighthouse simulates it). Each run is a new browser context (empty cache: the first
visit of the morning) and, in the same context, a second visit (stylesheet and scripts kept:
the reload). Prints, per run, first-contentful-paint, the HTML's first byte, DOMContentLoaded
and load (ms from navigation start) and the bytes transferred; the medians at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import morning  # noqa: E402
import run  # noqa: E402
from run import HOST, ROOT, BenchError, log  # noqa: E402

FAST_3G = {
    "offline": False,
    "latency": 150,  # ms, round trip
    "downloadThroughput": 1.6e6 / 8,  # bytes/s
    "uploadThroughput": 750e3 / 8,
}
CHROMIUM = "/usr/bin/chromium"
TIMINGS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const bytes = performance.getEntriesByType('resource')
      .reduce((n, r) => n + r.transferSize, nav.transferSize);
  return {origin: performance.timeOrigin, fcp: fcp ? fcp.startTime : null,
          ttfb: nav.responseStart,
          dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, bytes: bytes,
          resources: performance.getEntriesByType('resource').length};
}"""


def visit(page, url: str) -> dict:
    """The page's timings, and `fcp_wall`: first contentful paint counted from the moment the
    browser was told to go (Chromium applies the emulated latency before the navigation's own
    clock starts, so `fcp`, from navigation start, leaves it out)."""
    t0 = time.time() * 1000
    response = page.goto(url, wait_until="load")
    if response is None or response.status != 200:
        raise BenchError(f"{url}: {response.status if response else 'no answer'}")
    if page.locator("#lao-total").count() != 1:
        raise BenchError(f"{url}: not the dashboard (logged out?): {page.url}")
    page.wait_for_timeout(200)  # the paint entries are queued after the frame
    timings = page.evaluate(TIMINGS)
    timings["fcp_wall"] = timings["origin"] + timings["fcp"] - t0 if timings["fcp"] else None
    return timings


def measure(base: str, officer: dict, runs: int, throttle: bool = True) -> list[dict]:
    from playwright.sync_api import sync_playwright

    url = f"{base}/compliance/province/{officer['province']}/"
    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            for i in range(runs):
                context = browser.new_context(ignore_https_errors=True, locale="th-TH")
                context.add_cookies(
                    [
                        {"name": name, "value": value, "url": base, "secure": True}
                        for name, value in (
                            ("sessionid", officer["session"]),
                            ("csrftoken", officer["csrf"]),
                        )
                    ]
                )
                page = context.new_page()
                # Chromium applies the emulated line only once the page has been to the origin:
                # first the liveness check (plain text, no stylesheet, nothing cached for the
                # dashboard; its TLS connection may be reused, so the handshake is not counted).
                page.goto(f"{base}/healthz/")
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                if throttle:
                    cdp.send("Network.emulateNetworkConditions", FAST_3G)
                first = visit(page, url)
                again = visit(page, url)
                context.close()
                out.append({"first": first, "again": again})
                log(
                    f"run {i + 1}: first visit FCP {first['fcp_wall']:.0f} ms from the click, "
                    f"{first['fcp']:.0f} from navigation start (HTML first byte "
                    f"{first['ttfb']:.0f}, DOMContentLoaded {first['dcl']:.0f}, load "
                    f"{first['load']:.0f}; {first['bytes']:,} bytes, {first['resources']} "
                    f"files); again FCP {again['fcp_wall']:.0f} ms ({again['bytes']:,} bytes)"
                )
        finally:
            browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    def options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--province", default="30", help="the province of the dashboard")
        p.add_argument("--runs", type=int, default=5)
        p.add_argument("--queue", type=int, default=64)
        p.add_argument(
            "--no-throttle", action="store_true", help="the same without the 3G line (control)"
        )

    args = run.parse_args(
        argv,
        description=__doc__.splitlines()[0],
        db_name=morning.DB_NAME,
        redis_db=morning.REDIS_DB,
        add_options=options,
    )
    args.officers = 78  # the DLA officer and the 77 provincial officers
    morning.RUN_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PORTAL_URL", f"https://{HOST}:{morning.HTTPS_PORT}")
    os.environ.setdefault("EMAIL_URL", "console")
    env = run.child_env(args, db_name=morning.DB_NAME, redis_db=morning.REDIS_DB)
    env["REGISTRY_DATA_DIR"] = os.environ.get(
        "REGISTRY_DATA_DIR", str((ROOT.parent / "shared" / "data" / "registry").resolve())
    )
    if not args.no_setup:
        run.setup_national(args, env, morning.DB_NAME)
    info = morning.officers_in(args, env)
    officer = next(
        (o for o in info["officers"] if o["area"] == "province" and o["province"] == args.province),
        None,
    )
    if officer is None:
        print(f"ERROR: no provincial officer of province {args.province}", file=sys.stderr)
        return 2
    stack = morning.Stack(args, env)
    try:
        stack.start()
        results = measure(
            f"https://{HOST}:{morning.HTTPS_PORT}", officer, args.runs, not args.no_throttle
        )
    except BenchError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 2
    finally:
        stack.stop()
    summary = {
        visit: {
            key: statistics.median(r[visit][key] for r in results)
            for key in ("fcp_wall", "fcp", "ttfb", "dcl", "load", "bytes")
        }
        for visit in ("first", "again")
    }
    log(f"medians of {args.runs} runs (ms, bytes): {json.dumps(summary)}")
    out = morning.BENCH_DIR / "results" / "first-paint.json"
    out.write_text(json.dumps({"network": FAST_3G, "runs": results, "median": summary}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
