"""How long an officer's upload request takes in the embedded default (no REDIS_URL: Celery runs
tasks eagerly), with the reading in the request (before) and in the reading thread (now), and
how the progress the review page reads moves while the thread reads.

    .venv/bin/python bench/intake_upload.py              # both ways (OCR twice: minutes)
    .venv/bin/python bench/intake_upload.py --thread-only

The letter is the reference pair rendered with Garuda 12 pt at 300 dpi as a scanned PDF (no text
layer), as tests/circulars/scans.py makes it. Uses a SQLite file of its own under a temporary
folder (the reading thread needs committed rows), never var/db.sqlite3.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elaas_portal.settings.local")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402
from django.conf import settings  # noqa: E402

WORK = Path(tempfile.mkdtemp(prefix="bench-intake-upload-"))
django.setup()
settings.DATABASES["default"]["NAME"] = str(WORK / "db.sqlite3")
settings.ALLOWED_HOSTS = ["*"]

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from circulars import tasks  # noqa: E402
from circulars.models import CircularDraft  # noqa: E402
from registry.models import Province  # noqa: E402
from tests.actors import login, make_user  # noqa: E402
from tests.circulars.scans import REFERENCE, render_pages, scanned_pdf  # noqa: E402


def upload(client, pdf: bytes, name: str) -> tuple[float, CircularDraft]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    started = time.monotonic()
    response = client.post("/circulars/intake/", {"file": SimpleUploadedFile(name, pdf)})
    seconds = time.monotonic() - started
    assert response.status_code == 302, response.status_code
    return seconds, CircularDraft.objects.latest("id")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--thread-only", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    province = Province.objects.create(code="48", name_th="นครพนม", name_en="Nakhon Phanom")
    officer = make_user("bench-officer@test.example", kind="province_officer", province=province)
    client = Client()
    login(client, officer)
    pdf = scanned_pdf(render_pages(REFERENCE.read_text(encoding="utf-8"), WORK))
    print(f"letter: {len(pdf)} bytes, scanned PDF, no text layer")

    if not args.thread_only:
        tasks.READ_IN_THREAD = False
        seconds, draft = upload(client, pdf, "before.pdf")
        print(f"before: the upload request took {seconds:.1f} s (draft {draft.status})")

    tasks.READ_IN_THREAD = True
    seconds, draft = upload(client, pdf, "now.pdf")
    print(f"now: the upload request took {seconds:.2f} s (draft {draft.status})")
    started, seen = time.monotonic(), None
    while True:
        draft.refresh_from_db()
        shown = (draft.status, draft.pages_done, draft.pages_total)
        if shown != seen:
            print(f"  {time.monotonic() - started:6.1f} s: {shown[0]}, {shown[1]} of {shown[2]}")
            seen = shown
        if draft.status != "reading":
            break
        time.sleep(0.5)
    page = client.get(draft.get_absolute_url())
    print(f"review page after reading: {page.status_code}")


if __name__ == "__main__":
    main()
