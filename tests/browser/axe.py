"""axe-core in the browser tests: installed from npm (never a CDN), injected with Playwright.

`axe_path()` gives the package's axe.min.js, installing `axe-core@4` with npm into var/node when
it is missing (`make test` and .ci/run install it first). `check(page)` runs it on the page as it
stands and returns the violations. Each role's crawl records what it found in var/axe/<role>.json;
`python -m tests.browser.axe` prints the table (violations by impact, per role), as
`pytest_terminal_summary` does at the end of a run.
"""

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE_PREFIX = ROOT / "var" / "node"
AXE_JS = NODE_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
RESULTS = ROOT / "var" / "axe"
AXE_PACKAGE = "axe-core@4"
IMPACTS = ("critical", "serious", "moderate", "minor")
FAILING = ("critical", "serious")
# WCAG 2.1 A and AA, and axe's best practices (landmarks, headings): all recorded; critical and
# serious ones fail the suite.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_path() -> Path:
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            message = f"npm is needed to install {AXE_PACKAGE} for the accessibility tests"
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(message)
            pytest.skip(message)
        subprocess.run(  # noqa: S603 - a fixed command line
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(NODE_PREFIX), AXE_PACKAGE],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return AXE_JS


def _script() -> str:
    # Wrapped in a function, as a tester's console would run it: the portal's CSP (script-src
    # 'self', nothing inline) rightly blocks the <script> add_script_tag writes.
    return f"(() => {{ {axe_path().read_text()}\n}})()"


def add_to(context) -> None:
    """axe-core in every page `context` opens, as an init script: each top-level document gets
    it before its own scripts run, from the browser, so that a crawl sends its half megabyte
    over the DevTools protocol once per context instead of once per page checked (`check` then
    finds it there). Frames get none, as `check` gives them none."""
    context.add_init_script(script=f"if (window === window.top) {_script()};")


# One round trip per page: what a person can open is opened (the tables folded under the charts,
# for one), axe-core runs, and only what `check` reports comes back (not each element's HTML and
# failure summary); null where axe-core is not in the page.
RUN = """async tags => {
    document.querySelectorAll('details:not([open])').forEach(d => d.open = true);
    if (typeof window.axe === 'undefined') return null;
    const result = await axe.run(
        document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => ({target: n.target})),
    }));
}"""


def check(page) -> list[dict]:
    """axe's violations on the page as it is now: [{id, impact, help, nodes: [target…]}]."""
    violations = page.evaluate(RUN, TAGS)
    if violations is None:  # a context without `add_to`
        page.evaluate(_script())  # through the DevTools protocol
        violations = page.evaluate(RUN, TAGS)
    return [
        {
            "id": v["id"],
            "impact": v["impact"] or "minor",
            "help": v["help"],
            "nodes": [" ".join(map(str, n["target"])) for n in v["nodes"]][:5],
            "count": len(v["nodes"]),
        }
        for v in violations
    ]


def failing(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in FAILING]


def describe(pages: dict[str, list[dict]]) -> str:
    """The failing violations of a crawl, a line per page and rule."""
    lines = []
    for url, violations in pages.items():
        for v in failing(violations):
            lines.append(f"{url}: {v['impact']} {v['id']} ({v['count']}×) {v['help']} {v['nodes']}")
    return "\n".join(lines)


RECORDED: list[str] = []  # the roles this session checked


def record(role: str, pages: dict[str, list[dict]]) -> None:
    RECORDED.append(role)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{role}.json").write_text(
        json.dumps(pages, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def table(directory: Path = RESULTS) -> list[str]:
    """Per role: pages checked, then violations by impact (rules × pages, and elements)."""
    rows = []
    for path in sorted(directory.glob("*.json")):
        pages = json.loads(path.read_text(encoding="utf-8"))
        rules, nodes = Counter(), Counter()
        for violations in pages.values():
            for v in violations:
                rules[v["impact"]] += 1
                nodes[v["impact"]] += v["count"]
        cells = "".join(f"{rules[i]:>6} ({nodes[i]:>4})" for i in IMPACTS)
        rows.append(f"{path.stem:<26}{len(pages):>6}{cells}")
    if not rows:
        return []
    head = f"{'role':<26}{'pages':>6}" + "".join(f"{i:>13}" for i in IMPACTS)
    return [head, *rows, "(rule violations on a page, and in brackets the elements)"]


if __name__ == "__main__":
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS
    print("\n".join(table(directory)) or f"no results in {directory}")
