"""Fixtures of the circular tests."""

import json

import pytest

from circulars.models import Circular, CircularDraft
from circulars.services import DEFAULT_DATA, load_circulars
from tests.actors import login
from tests.notifications.support import celery_app

from .scans import REFERENCE


@pytest.fixture
def dla_letter_only(nakhon_phanom, tmp_path):
    """DLA's reference letter in the portal, as DLA published it; the province's not yet."""
    data = json.loads(DEFAULT_DATA.read_text(encoding="utf-8"))
    data["circulars"] = [c for c in data["circulars"] if c["key"] == "dla-0808.4-w1541"]
    path = tmp_path / "dla.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    load_circulars(path)
    return Circular.objects.get()


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    """Post the intake form; the reading task runs in this process once the upload commits (the
    embedded default)."""

    def post(data):
        with celery_app(eager=True), django_capture_on_commit_callbacks(execute=True):
            return client.post("/circulars/intake/", data)

    return post


@pytest.fixture
def paste(upload):
    return lambda client, text: upload({"text": text})


@pytest.fixture
def draft(client, actors, dla_letter_only, paste):
    login(client, actors["province_officer"])
    response = paste(client, REFERENCE.read_text(encoding="utf-8"))
    assert response.status_code == 302
    return CircularDraft.objects.get()
