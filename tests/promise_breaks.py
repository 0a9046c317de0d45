"""Break each rule README promises, one at a time, and check that the test keeping it fails.

    .venv/bin/python -m tests.promise_breaks            # every promise (a few minutes, SQLite)
    .venv/bin/python -m tests.promise_breaks csv vetting  # only the promises whose name has a word

Each entry names the promise, the change that removes the rule (a piece of source replaced by
another, as a person removing the rule would write it), and the tests that keep the promise.
First the tests run on the code as it is and must pass; then, for each break, the file is
changed, the tests run (they must fail), and the file is put back, whatever happens. A break
whose tests still pass is a promise no test keeps: the run ends with a non-zero status.

This is a hand-written mutation pass over the guards that matter most (mutmut's random
mutants, `make mutate`, find the rest). It changes files of the work tree while it runs: do not
edit them meanwhile.
"""

import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Break:
    promise: str
    path: str
    old: str
    new: str
    tests: str  # pytest's arguments: a file, and often -k with the keeping tests' names


MEMBERSHIP = "tests/onboarding/test_membership.py"
ONE_POSITION = "tests/onboarding/test_one_position.py"

BREAKS = (
    Break(
        "vetting: a circular's messages reach vetted staff only",
        "circulars/services.py",
        "            Role.objects.vetted()\n            .filter(kind=kind,",
        "            Role.objects.all()\n            .filter(kind=kind,",
        f"{MEMBERSHIP} -k only_vetted_staff_of_an_lao_get_the_letter",
    ),
    Break(
        "vetting: reminders reach vetted staff only",
        "notifications/reminders.py",
        "staff = Role.objects.vetted().filter(kind=RoleKind.LAO_STAFF,",
        "staff = Role.objects.filter(kind=RoleKind.LAO_STAFF,",
        f"{MEMBERSHIP} -k staff_get_no_reminder_in_the_daily_pass",
    ),
    Break(
        "vetting: the late list and its exports list vetted staff only",
        "compliance/stats.py",
        "            listed.vetted()\n            .filter(kind=RoleKind.LAO_STAFF)",
        "            listed.all()\n            .filter(kind=RoleKind.LAO_STAFF)",
        f"{MEMBERSHIP} -k not_contacts_in_the_late_list_csv",
    ),
    Break(
        "second factor: an officer page needs a session that used it",
        "accounts/access.py",
        "    next_url = next_url or request.get_full_path()\n"
        "    if session_used_thaid_mfa(request):",
        "    next_url = next_url or request.get_full_path()\n    if True:",
        "tests/compliance/test_views.py tests/circulars/test_chain.py"
        " -k without_the_second_factor or did_not_use_the_second_factor",
    ),
    Break(
        "unit gate: unit staff stopped before 4 April 00:00",
        "maintenance/gate.py",
        "if decision is None or decision.allowed:",
        "if True:",
        "tests/accounts/test_unit_login.py",
    ),
    Break(
        "unit gate: the end of a rule is exclusive (23:59:59 in, 00:00 out)",
        "maintenance/policy.py",
        "self.ends_at is None or at < self.ends_at",
        "self.ends_at is None or at <= self.ends_at",
        "tests/maintenance/test_policy_boundaries.py",
    ),
    Break(
        "flags before publishing",
        "circulars/intake/drafts.py",
        "    if flags:\n",
        "    if False and flags:\n",
        "tests/circulars/test_intake_review.py -k flag",
    ),
    Break(
        "one transaction: publishing a circular",
        "circulars/services.py",
        "@transaction.atomic\ndef publish_circular(",
        "def publish_circular(",
        "tests/circulars/test_chain.py -k the_database_refuses_the_outbox_rows",
    ),
    Break(
        "one transaction: a reviewer's decision and its message",
        "onboarding/services.py",
        "    at = clock.now()\n    with transaction.atomic():\n        _require_reviewer(",
        "    at = clock.now()\n    if True:\n        _require_reviewer(",
        "tests/test_promises.py -k outbox_refuses_a_decisions_message",
    ),
    Break(
        "scope: an officer sees requests of their own area only",
        "onboarding/models.py",
        "            Q(requester=user)\n            | Q(organization__district__province_id__in",
        "            Q(pk__isnull=False)\n            | Q(organization__district__province_id__in",
        "tests/onboarding/test_access_matrix.py",
    ),
    Break(
        "scope: only provincial and DLA officers review (district officers follow)",
        "onboarding/models.py",
        "officer_area(user, REVIEWER_KINDS)\n        if national:\n            return self.all()\n"
        "        return self.filter(organization__district__province_id__in=provinces)",
        "officer_area(user, OFFICER_KINDS)\n        if national:\n            return self.all()\n"
        "        return self.filter(Q(organization__district__province_id__in=provinces)"
        " | Q(organization__district_id__in=_districts))",
        "tests/onboarding/test_access_matrix.py",
    ),
    Break(
        "scope: a district officer's organisations are their district's",
        "registry/models.py",
        "            q |= Q(district_id__in=area.district_ids)",
        "            q |= Q(district__province__districts__in=area.district_ids)",
        "tests/onboarding/test_access_matrix.py -k status_the_scope_rules_give",
    ),
    Break(
        "CSV escaping: a formula-like cell gets a quote",
        "core/csvsafe.py",
        "    if text.startswith(FORMULA_STARTS):",
        "    if False:",
        "tests/compliance/test_csv_injection.py",
    ),
    Break(
        "CSV escaping: a cell starting with '-' too",
        "core/csvsafe.py",
        'FORMULA_STARTS = ("=", "+", "-", "@", "\\t", "\\r")',
        'FORMULA_STARTS = ("=", "+", "@", "\\t", "\\r")',
        "tests/compliance/test_csv_injection.py",
    ),
    Break(
        "national ID checksum",
        "core/national_id.py",
        "    return check_digit(digits[:12]) == digits[12]",
        "    return True",
        "tests/core/test_national_id.py",
    ),
    Break(
        "one person, one position: a new request",
        "onboarding/services.py",
        "            _one_position_per_person(vr)\n            proven = _check_form_proof(",
        "            proven = _check_form_proof(",
        ONE_POSITION,
    ),
    Break(
        "one person, one position: submitting a draft",
        "onboarding/services.py",
        "        _one_position_per_person(vr)\n        _require_evidence(vr)",
        "        _require_evidence(vr)",
        ONE_POSITION,
    ),
    Break(
        "nothing twice in the outbox: a row is claimed by one worker only",
        "notifications/delivery.py",
        "            if Notification.objects.filter(pk=pk, status=Status.PENDING).update(",
        "            if Notification.objects.filter(pk=pk).update(",
        "tests/test_promises.py tests/notifications/test_delivery.py -k another_worker or once",
    ),
    Break(
        "nothing twice in the outbox: the daily pass run again sends nothing",
        "notifications/reminders.py",
        "        return self.day.isoformat()",
        "        return dt.datetime.now().isoformat()",
        "tests/notifications/test_reminders.py -k creates_nothing or nothing_twice",
    ),
    Break(
        "nothing twice in the outbox: a decision's message is keyed by the request's version",
        "onboarding/notices.py",
        '        f"v{vr.version}",',
        '        f"v{vr.version}-{dt.datetime.now().isoformat()}",',
        "tests/onboarding/test_decisions.py -k sends_nothing_twice",
    ),
)


def arguments(tests: str) -> list[str]:
    """pytest's arguments from "file [file…] [-k expression]"."""
    files, _k, expression = tests.partition(" -k ")
    return files.split() + (["-k", expression] if expression else [])


def run(tests: list[str]) -> tuple[int, float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return done.returncode, time.monotonic() - started


def main(words) -> int:
    chosen = [b for b in BREAKS if not words or any(w in b.promise for w in words)]
    failing, seconds = [], 0.0
    for tests in sorted({b.tests for b in chosen}):
        code, took = run(arguments(tests))
        seconds += took
        if code != 0:
            failing.append(tests)
            print(f"intact code fails: {tests} (exit {code})")
    print(f"intact code: {'FAIL' if failing else 'pass'} ({seconds:.0f} s)")
    if failing:
        return 2
    kept = 0
    for b in chosen:
        path = ROOT / b.path
        source = path.read_text(encoding="utf-8")
        if source.count(b.old) != 1:
            print(f"?  {b.promise}: the rule is no longer written as expected in {b.path}")
            continue
        try:
            path.write_text(source.replace(b.old, b.new), encoding="utf-8")
            code, seconds = run(arguments(b.tests))
        finally:
            path.write_text(source, encoding="utf-8")
        fails = code == 1
        kept += fails
        print(f"{'kept' if fails else 'NOT KEPT'}  {b.promise} ({seconds:.0f} s, exit {code})")
    print(f"{kept} of {len(chosen)} promises fail their tests when broken")
    return 0 if kept == len(chosen) else 1


if __name__ == "__main__":
    # Stopped with SIGTERM, still put the file back (the `finally` above runs on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main(sys.argv[1:]))
