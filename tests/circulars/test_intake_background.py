"""In the embedded default (no REDIS_URL: Celery runs tasks eagerly, in the calling process) a
letter taken in is read in the reading thread, never in the upload request: the request returns
at once, the review page shows the pages read so far, and the draft is ready when the thread is
done. With a worker the reading is the worker's task (tests/circulars/test_intake_review.py).
"""

import threading

import pytest

from circulars import tasks
from circulars.intake import drafts
from circulars.models import CircularDraft, IntakeStatus
from tests.actors import login
from tests.notifications.support import celery_app

from .test_intake_review import REFERENCE


@pytest.fixture
def reading_held(monkeypatch):
    """The reading thread waits at its start until the test lets it go: the test sees the draft
    while it is being read, whatever the speed of the machine."""
    monkeypatch.setattr(tasks, "READ_IN_THREAD", True)
    release = threading.Event()
    real = drafts.extract

    def held(data, **kwargs):
        assert release.wait(60), "the test never released the reading"
        return real(data, **kwargs)

    monkeypatch.setattr(drafts, "extract", held)
    yield release
    release.set()


def wait_for_the_reading_thread():
    """One reader, first in first out: once a later job is done, every reading before it is."""
    tasks._reader.submit(lambda: None).result(timeout=60)


@pytest.mark.django_db(transaction=True)
def test_an_upload_returns_before_its_reading_and_the_review_page_follows_it(
    client, actors, nakhon_phanom, reading_held
):
    login(client, actors["province_officer"])
    with celery_app(eager=True):
        response = client.post("/circulars/intake/", {"text": REFERENCE.read_text("utf-8")})
    assert response.status_code == 302
    draft = CircularDraft.objects.get()
    assert draft.status == IntakeStatus.READING  # the request did not read it
    assert any(t.name.startswith("intake-reading") for t in threading.enumerate())
    page = client.get(draft.get_absolute_url())
    assert page["Refresh"] == "5"  # the page follows the reading without script too
    assert 'id="intake-progress"' in page.content.decode()
    progress = client.get(f"/circulars/intake/{draft.pk}/progress").json()
    assert progress["status"] == IntakeStatus.READING

    reading_held.set()
    wait_for_the_reading_thread()
    draft.refresh_from_db()
    assert draft.status == IntakeStatus.REVIEW and len(draft.parsed["letters"]) == 2
    page = client.get(draft.get_absolute_url())
    assert "Refresh" not in page
    assert client.get(f"/circulars/intake/{draft.pk}/progress").json()["pages_done"] == 1


@pytest.mark.django_db(transaction=True)
def test_a_reading_that_breaks_in_the_thread_leaves_the_draft_failed(
    client, actors, nakhon_phanom, monkeypatch
):
    monkeypatch.setattr(tasks, "READ_IN_THREAD", True)

    def broken(*args, **kwargs):
        raise RuntimeError("the parser broke")

    monkeypatch.setattr(drafts, "propose", broken)
    login(client, actors["province_officer"])
    with celery_app(eager=True):
        client.post("/circulars/intake/", {"text": REFERENCE.read_text("utf-8")})
    wait_for_the_reading_thread()
    draft = CircularDraft.objects.get()
    assert draft.status == IntakeStatus.FAILED and draft.error == drafts.READING_BROKE


@pytest.mark.django_db
def test_the_page_being_read_says_how_many_pages_of_how_many_are_read(client, actors, places):
    login(client, actors["province_officer"])
    draft = CircularDraft.objects.create(
        created_by=actors["province_officer"],
        province=actors["province_officer"].roles.get().province,
        file_name="scan.pdf",
        content_type="application/pdf",
        data=b"%PDF-1.4",
        status=IntakeStatus.READING,
        pages_done=2,
        pages_total=5,
    )
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "อ่านแล้ว 2 จาก 5 หน้า" in page
    assert 'data-template="อ่านแล้ว {done} จาก {total} หน้า"' in page


def test_with_a_worker_the_reading_is_the_worker_s_task(monkeypatch):
    """Tasks not eager (REDIS_URL set): the draft's id goes to the broker, no thread starts."""
    sent = []
    monkeypatch.setattr(tasks, "READ_IN_THREAD", True)
    monkeypatch.setattr(tasks.read_draft_task, "delay", sent.append)
    with celery_app(eager=False):
        assert tasks.start_reading(41) is None
    assert sent == [41]
