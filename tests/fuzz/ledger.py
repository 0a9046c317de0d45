"""How many fuzz cases ran, per role and kind, and which answered a server error.

Filled by the fuzz tests; `conftest.py` prints it at the end of the session and writes it to
var/fuzz-summary.json, where the closing note of a run can quote it.
"""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Tally:
    cases: int = 0
    server_errors: list = field(default_factory=list)
    other_failures: list = field(default_factory=list)  # answers that break the OpenAPI document


TALLIES: dict[tuple[str, str], Tally] = defaultdict(Tally)
# What each role got from each page: {"role": {"GET /circulars/<pk>/": {"200": 3, "404": 2}}}
STATUSES: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))


def count(kind: str, role: str, *, where: str = "", status: int = 0) -> Tally:
    tally = TALLIES[kind, role]
    tally.cases += 1
    if where:
        STATUSES[role][where][str(status)] += 1
    return tally


# What other pytest-xdist workers counted (tests/conftest.py gathers it in the controller).
FROM_WORKERS: dict[str, Counter] = defaultdict(Counter)


def summary() -> dict:
    """Cases and failures per kind and role (this process's and the workers')."""
    rows = defaultdict(Counter, {k: Counter(v) for k, v in FROM_WORKERS.items()})
    for (kind, role), t in TALLIES.items():
        rows[f"{kind} / {role}"].update(
            cases=t.cases,
            server_errors=len(t.server_errors),
            other_failures=len(t.other_failures),
        )
    keys = ("cases", "server_errors", "other_failures")
    return {name: {k: rows[name][k] for k in keys} for name in sorted(rows)}


def from_worker(rows: dict, statuses: dict) -> None:
    """Add what one pytest-xdist worker counted (`summary()` and `STATUSES` of its own)."""
    for name, row in rows.items():
        FROM_WORKERS[name].update(row)
    for role, pages in statuses.items():
        for where, counts in pages.items():
            STATUSES[role][where].update(counts)


SUMMARY_FILE = Path(__file__).resolve().parents[2] / "var" / "fuzz-summary.json"


def report(terminalreporter) -> None:
    """The cases per role at the end of the session, also written to var/fuzz-summary.json."""
    rows = summary()
    if not rows:
        return
    terminalreporter.section("fuzz cases per role")
    for name, row in rows.items():
        other = f", {row['other_failures']} not as documented" if row["other_failures"] else ""
        terminalreporter.write_line(
            f"{name:<40} {row['cases']:>6} cases  {row['server_errors']:>3} server errors{other}"
        )
    total = sum(r["cases"] for r in rows.values())
    errors = sum(r["server_errors"] for r in rows.values())
    terminalreporter.write_line(f"{'total':<40} {total:>6} cases  {errors:>3} server errors")
    try:
        SUMMARY_FILE.parent.mkdir(exist_ok=True)
        written = {"cases": rows, "statuses": STATUSES}
        SUMMARY_FILE.write_text(json.dumps(written, indent=1, ensure_ascii=False) + "\n")
    except OSError as exc:  # a read-only checkout still prints the table
        terminalreporter.write_line(f"(not written to {SUMMARY_FILE}: {exc})")
