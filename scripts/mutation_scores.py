"""The mutation score of each module `make mutate` mutates, from mutmut's results in mutants/.

    .venv/bin/python scripts/mutation_scores.py [--survivors]

Per module: mutants checked, killed (a test failed), survived (every test passed: a rule no test
keeps, or an equivalent change), without a test reaching them, timed out; the score is killed
over checked with a test. `--survivors` lists the surviving mutants' names (`mutmut show NAME`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ("killed", "survived", "no tests", "timeout")


def results(mutants: Path) -> dict[str, dict[str, str]]:
    """{module path: {mutant name: status}} for the mutants mutmut has checked."""
    found = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        module = str(meta.relative_to(mutants))[: -len(".meta")]
        found[module] = {
            name: status_by_exit_code[code] for name, code in codes.items() if code is not None
        }
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--survivors", action="store_true")
    parser.add_argument("--mutants", type=Path, default=ROOT / "mutants")
    args = parser.parse_args()
    found = results(args.mutants)
    if not found:
        print(f"no results in {args.mutants}: run make mutate first", file=sys.stderr)
        return 1
    print(f"{'module':34} {'checked':>8} " + " ".join(f"{c:>9}" for c in COLUMNS) + "   score")
    for module, statuses in found.items():
        counts = Counter(statuses.values())
        tested = counts["killed"] + counts["survived"] + counts["timeout"]
        score = f"{100 * (counts['killed'] + counts['timeout']) / tested:5.1f} %" if tested else "-"
        print(
            f"{module:34} {len(statuses):>8} "
            + " ".join(f"{counts[c]:>9}" for c in COLUMNS)
            + f"   {score}"
        )
        if args.survivors:
            for name, status in statuses.items():
                if status == "survived":
                    print(f"    {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
