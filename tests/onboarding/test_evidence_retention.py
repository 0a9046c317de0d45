"""Evidence of withdrawn and rejected requests is deleted EVIDENCE_RETENTION_DAYS after they
closed: by a service function, a daily Celery beat task and `manage.py purge_evidence`."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from maintenance.services import parse_instant
from onboarding import services
from onboarding.models import Evidence, VerificationRequest
from onboarding.retention import purge_evidence
from tests.actors import make_user

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
FILED = "2025-04-07T09:00:00+07:00"
CLOSED = "2025-04-10T09:00:00+07:00"
# Valid numbers, worked out by hand (tests/onboarding/test_national_id.py shows the arithmetic).
NUMBERS = ["1101700230708", "3100000000004", "1200000000007", "1000000000009"]


def files_on_disk() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def requests_in_every_state(actors, places, portal_clock, circulars, settings):
    """Four people of one LAO, each with a request filed on 7 April with two files; on 10 April
    one is withdrawn, one rejected, one returned, one left waiting."""
    settings.EVIDENCE_RETENTION_DAYS = 30
    portal_clock(FILED)
    positions = ["permanent_secretary", "finance_director", "finance_officer", "chief_executive"]
    people = [actors["lao_clerk"]] + [
        make_user(
            f"staff{i}@test.example", kind="lao_staff", organization=places.lao, position=position
        )
        for i, position in enumerate(positions[1:])
    ]
    filed = {}
    for person, position, number, name in zip(
        people, positions, NUMBERS, ["withdrawn", "rejected", "returned", "submitted"], strict=True
    ):
        filed[name] = services.create_request(
            requester=person,
            organization=places.lao,
            data=services.RequestData(
                full_name=person.full_name,
                national_id=number,
                position=position,
                appointment_order_number="123/2567",
                appointment_date=dt.date(2024, 10, 1),
                consent=True,
            ),
            files=[SimpleUploadedFile(f"{name}-{i}.pdf", PDF, "application/pdf") for i in (1, 2)],
            submit=True,
        )
    portal_clock(CLOSED)
    officer = actors["province_officer"]
    vr = filed["withdrawn"]
    services.withdraw_request(vr.pk, actor=vr.requester, expected_version=vr.version)
    vr = filed["rejected"]
    services.reject_request(vr.pk, actor=officer, expected_version=vr.version, reason="ไม่ใช่ตัวจริง")
    vr = filed["returned"]
    services.return_request(vr.pk, actor=officer, expected_version=vr.version, remarks="แนบบัตร")
    return filed


def at(text, days=0):
    return parse_instant(text) + dt.timedelta(days=days)


def evidence_of(vr) -> int:
    return Evidence.objects.filter(request=vr).count()


def test_nothing_is_deleted_before_the_retention_period_is_over(requests_in_every_state):
    before = files_on_disk()
    assert len(before) == 8

    result = purge_evidence(now=at(CLOSED, days=30) - dt.timedelta(seconds=1))

    assert result == {"requests": 0, "files": 0, "retention_days": 30}
    assert files_on_disk() == before and Evidence.objects.count() == 8


def test_after_the_period_the_files_of_withdrawn_and_rejected_requests_are_gone(
    requests_in_every_state,
):
    filed = requests_in_every_state
    kept_paths = {
        Path(e.file.path)
        for e in Evidence.objects.filter(request__in=[filed["returned"], filed["submitted"]])
    }

    result = purge_evidence(now=at(CLOSED, days=30) + dt.timedelta(seconds=1))

    assert result == {"requests": 2, "files": 4, "retention_days": 30}
    assert set(files_on_disk()) == kept_paths
    assert [evidence_of(filed[s]) for s in ("withdrawn", "rejected", "returned", "submitted")] == [
        0,
        0,
        2,
        2,
    ]
    # the requests themselves and their history stay: the record of what happened
    assert VerificationRequest.objects.count() == 4
    assert VerificationRequest.objects.get(pk=filed["rejected"].pk).remarks == "ไม่ใช่ตัวจริง"


def test_a_second_run_finds_nothing_to_do(requests_in_every_state):
    later = at(CLOSED, days=31)
    purge_evidence(now=later)
    left = files_on_disk()

    assert purge_evidence(now=later) == {"requests": 0, "files": 0, "retention_days": 30}
    assert files_on_disk() == left


def test_a_run_stopped_after_deleting_a_file_is_finished_by_the_next(requests_in_every_state):
    filed = requests_in_every_state
    first = Evidence.objects.filter(request=filed["withdrawn"]).first()
    Path(first.file.path).unlink()  # the file went, the process died before its row did

    result = purge_evidence(now=at(CLOSED, days=31))

    assert result["files"] == 4
    assert evidence_of(filed["withdrawn"]) == 0


def test_the_period_is_a_setting(requests_in_every_state, settings):
    settings.EVIDENCE_RETENTION_DAYS = 0
    assert purge_evidence(now=at(CLOSED) + dt.timedelta(seconds=1))["files"] == 4


def test_the_command_runs_it_and_says_what_it_did(requests_in_every_state, portal_clock):
    portal_clock("2025-05-11T09:00:00+07:00")
    out = io.StringIO()
    call_command("purge_evidence", stdout=out)
    assert json.loads(out.getvalue()) == {"requests": 2, "files": 4, "retention_days": 30}
    out = io.StringIO()
    call_command("purge_evidence", stdout=out)
    assert json.loads(out.getvalue()) == {"requests": 0, "files": 0, "retention_days": 30}


def test_the_celery_task_runs_it_every_day(requests_in_every_state, portal_clock):
    from onboarding.tasks import purge_evidence as task

    entry = settings.CELERY_BEAT_SCHEDULE["purge-evidence"]
    assert entry["task"] == "onboarding.tasks.purge_evidence" == task.name
    portal_clock("2025-05-11T09:00:00+07:00")
    assert task.apply().get() == {"requests": 2, "files": 4, "retention_days": 30}
