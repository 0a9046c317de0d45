"""Fixtures of the circular tests."""

import json

import pytest

from circulars.models import Circular
from circulars.services import DEFAULT_DATA, load_circulars


@pytest.fixture
def dla_letter_only(nakhon_phanom, tmp_path):
    """DLA's reference letter in the portal, as DLA published it; the province's not yet."""
    data = json.loads(DEFAULT_DATA.read_text(encoding="utf-8"))
    data["circulars"] = [c for c in data["circulars"] if c["key"] == "dla-0808.4-w1541"]
    path = tmp_path / "dla.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    load_circulars(path)
    return Circular.objects.get()
