"""How many fuzz cases ran, per role and kind, and which answered a server error.

Filled by the fuzz tests; `conftest.py` prints it at the end of the session and writes it to
var/fuzz-summary.json, where the closing note of a run can quote it.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field


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


def summary() -> dict:
    """Cases and failures per kind and role."""
    return {
        f"{kind} / {role}": {
            "cases": t.cases,
            "server_errors": len(t.server_errors),
            "other_failures": len(t.other_failures),
        }
        for (kind, role), t in sorted(TALLIES.items())
    }
