"""Evidence storage is bounded (issue 26, finding 3): filing ten 5 MB files and withdrawing, in a
loop, kept every file 30 days. A request withdrawn before it was submitted loses its files at
once; requests and evidence bytes are limited per person and per LAO in a Bangkok day."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from onboarding import services
from onboarding.models import Evidence
from tests import keyspace
from tests.actors import make_user

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def files_on_disk() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def data(person, number="1101700230708"):
    return services.RequestData(
        full_name=person.full_name,
        national_id=number,
        position="permanent_secretary",
        appointment_order_number="123/2567",
        appointment_date=dt.date(2024, 10, 1),
        consent=True,
    )


def draft(person, org, n_files=2):
    files = [SimpleUploadedFile(f"f{i}.pdf", PDF, "application/pdf") for i in range(n_files)]
    return services.create_request(
        requester=person, organization=org, data=data(person), files=files, submit=False
    )


def withdraw(vr):
    services.withdraw_request(vr.pk, actor=vr.requester, expected_version=vr.version)


@pytest.fixture
def clerk(actors, places, portal_clock, circulars):
    keyspace.clear("default")  # this run's keys only (tests/keyspace.py)
    portal_clock("2025-04-10T09:00:00+07:00")
    yield actors["lao_clerk"]
    keyspace.clear("default")


def test_a_draft_withdrawn_before_submission_loses_its_files_at_once(
    clerk, places, django_capture_on_commit_callbacks
):
    vr = draft(clerk, places.lao)
    assert len(files_on_disk()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(vr)
    assert files_on_disk() == []
    assert not Evidence.objects.filter(request=vr).exists()
    vr.refresh_from_db()
    assert vr.state == "withdrawn"  # the request and its history stay


def test_a_submitted_request_withdrawn_keeps_its_files_for_the_retention_days(
    clerk, places, django_capture_on_commit_callbacks
):
    vr = services.create_request(
        requester=clerk,
        organization=places.lao,
        data=data(clerk),
        files=[SimpleUploadedFile("f.pdf", PDF, "application/pdf")],
        submit=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(vr)
    assert len(files_on_disk()) == 1  # a reviewer may have seen it: purge_evidence decides


def test_the_file_and_withdraw_loop_stops_at_the_days_requests_until_00_00_bangkok(
    clerk, places, portal_clock, settings
):
    settings.EVIDENCE_DAILY_REQUESTS_PER_PERSON = 3
    for _ in range(3):
        withdraw(draft(clerk, places.lao, n_files=1))
    portal_clock("2025-04-10T23:59:59+07:00")
    with translation.override("th"), pytest.raises(services.VerificationError) as refused:
        draft(clerk, places.lao)
    assert "พรุ่งนี้" in refused.value.message  # Thai: come back tomorrow
    assert Evidence.objects.count() == 0
    portal_clock("2025-04-11T00:00:00+07:00")
    assert draft(clerk, places.lao).pk


def test_an_lao_gets_at_most_its_days_requests_from_all_its_staff(clerk, places, settings):
    settings.EVIDENCE_DAILY_REQUESTS_PER_LAO = 2
    withdraw(draft(clerk, places.lao, n_files=0))
    colleague = make_user(
        "colleague@test.example",
        kind="lao_staff",
        organization=places.lao,
        position="finance_officer",
    )
    withdraw(draft(colleague, places.lao, n_files=0))
    third = make_user(
        "third@test.example", kind="lao_staff", organization=places.lao, position="finance_officer"
    )
    with pytest.raises(services.VerificationError):
        draft(third, places.lao, n_files=0)


def test_evidence_bytes_beyond_the_persons_day_are_refused_and_nothing_is_stored(
    clerk, places, settings
):
    settings.EVIDENCE_DAILY_BYTES_PER_PERSON = 3 * len(PDF)
    vr = draft(clerk, places.lao, n_files=2)
    with translation.override("th"), pytest.raises(services.VerificationError) as refused:
        services.update_request(
            vr.pk,
            actor=clerk,
            expected_version=vr.version,
            data=data(clerk),
            files=[SimpleUploadedFile(f"g{i}.pdf", PDF, "application/pdf") for i in range(2)],
            submit=False,
        )
    assert "พรุ่งนี้" in refused.value.message
    assert Evidence.objects.filter(request=vr).count() == 2
    assert len(files_on_disk()) == 2
    # A removed file still counts: removing and uploading again does not reset the day.
    vr.refresh_from_db()
    services.update_request(
        vr.pk,
        actor=clerk,
        expected_version=vr.version,
        data=data(clerk),
        remove_evidence=list(Evidence.objects.filter(request=vr).values_list("pk", flat=True)),
        submit=False,
    )
    vr.refresh_from_db()
    with pytest.raises(services.VerificationError):
        services.update_request(
            vr.pk,
            actor=clerk,
            expected_version=vr.version,
            data=data(clerk),
            files=[SimpleUploadedFile("h.pdf", PDF, "application/pdf") for _ in range(2)],
            submit=False,
        )


def test_the_byte_counters_keep_counting_in_the_database_while_redis_is_down(
    clerk, places, settings, caplog
):
    from onboarding import quota
    from tests.accounts.test_login_limits import closed_port, resilient

    settings.CACHES = resilient(f"redis://127.0.0.1:{closed_port()}/0", settings)
    settings.EVIDENCE_DAILY_BYTES_PER_PERSON = 100
    at = services.clock.now()
    quota.charge_upload(uploader=clerk, organization=places.lao, size=60, at=at)
    with pytest.raises(quota.QuotaExceeded):
        quota.charge_upload(uploader=clerk, organization=places.lao, size=60, at=at)
    quota.charge_upload(uploader=clerk, organization=places.lao, size=40, at=at)  # up to 100
