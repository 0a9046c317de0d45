"""Letters of every kind can be reviewed and published (issue 21): an announcement (ประกาศ) and
an order (คำสั่ง) are held to the parts their kind has (circulars/intake/layouts.py), not to an
external letter's number and เรียน line; their public page shows those parts and invents none.
The texts are cut from the corpus (tests/circulars/corpus, where each came from is in its JSON)."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from circulars.intake import drafts
from circulars.models import Circular, CircularDraft, IntakeStatus
from tests.actors import login

CORPUS = Path(__file__).resolve().parent / "corpus"


def _corpus_text(slug: str, first: int, last: int) -> str:
    lines = (CORPUS / f"{slug}.txt").read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[first:last]) + "\n"


# downmerng.blogspot.com's copy of a Bureau of the Royal Household announcement (2554): title,
# เรื่อง, body, the office and the date at its foot. No number, no เรียน line.
ANNOUNCEMENT = _corpus_text("downmerng-palace-announcement-2554", 1, 8)
# tlhr.org's list of NCPO head orders (2558), its first: title, ฉบับที่ 6/2558, เรื่อง; the
# text does not give the order's date.
ORDER = _corpus_text("tlhr-ncpo-orders-news-2558", 6, 7)


def clear(client, draft, field, value, letter=0):
    return client.post(
        f"/circulars/intake/{draft.pk}/field", {"letter": letter, "field": field, "value": value}
    )


def publish(client, draft):
    response = client.post(f"/circulars/intake/{draft.pk}/publish")
    draft.refresh_from_db()
    return response


@pytest.fixture
def officer(client, actors):
    login(client, actors["dla_officer"])
    return actors["dla_officer"]


def lacks(draft, user) -> str:
    """Why publishing the draft is refused, in English."""
    with translation.override("en"), pytest.raises(drafts.ReviewError) as refused:
        drafts.publish_draft(draft.pk, user=user)
    return str(refused.value.message)


def pasted(client, paste, text) -> CircularDraft:
    assert paste(client, text).status_code == 302
    return CircularDraft.objects.get()


def test_each_kind_asks_for_the_parts_it_has_and_old_drafts_for_an_external_letter_s():
    assert drafts.required_fields({"kind": "announcement"}) == (
        "date",
        "subject",
        "issuer_name",
        "authority",
    )
    assert drafts.required_fields({"kind": "stamped"}) == (
        "number",
        "date",
        "recipients",
        "issuer_name",
        "authority",
    )
    assert drafts.required_fields({"kind": "order"}) == (
        "number",
        "date",
        "subject",
        "issuer_name",
        "authority",
    )
    legacy = ("number", "date", "subject", "recipients", "issuer_name", "authority")
    assert drafts.required_fields({}) == legacy  # stored before letters had a kind
    assert drafts.required_fields({"kind": "memo"}) == legacy


def test_an_announcement_without_number_or_recipients_is_published_with_its_own_parts(
    client, officer, paste
):
    draft = pasted(client, paste, ANNOUNCEMENT)
    (letter,) = draft.parsed["letters"]
    assert letter["kind"] == "announcement"
    assert drafts.open_flags(draft.parsed) == []

    assert lacks(draft, officer) == "Letter 1 lacks: authority."  # not number, not recipients
    page = client.get(publish(client, draft).url).content.decode()
    assert "หนังสือฉบับที่ 1 ยังขาด: authority" in page
    assert draft.status == IntakeStatus.REVIEW and not Circular.objects.exists()

    clear(client, draft, "authority", "dla")
    response = publish(client, draft)
    circular = Circular.objects.get()
    assert response.url == circular.get_absolute_url()
    assert draft.status == IntakeStatus.PUBLISHED
    assert circular.kind == "announcement"
    assert (circular.number, circular.recipients) == ("", "")
    assert circular.issuer_name == "สำนักพระราชวัง"
    assert circular.subject == "งดการไว้ทุกข์ในราชสำนัก"
    assert circular.issued_on == dt.date(2011, 8, 4)

    client.logout()
    public = client.get(circular.get_absolute_url()).content.decode()
    assert "<dd>ประกาศ</dd>" in public and "งดการไว้ทุกข์ในราชสำนัก" in public
    assert "<dt>ที่</dt>" not in public and "<dt>เรียน</dt>" not in public  # no empty rows
    listing = client.get(reverse("circulars:list")).content.decode()
    assert f'<a href="{circular.get_absolute_url()}">ประกาศ</a>' in listing  # named by its kind


def test_two_announcements_of_one_day_without_numbers_are_both_published(client, officer, paste):
    for subject in ("งดการไว้ทุกข์ในราชสำนัก", "การแต่งกายไว้ทุกข์"):
        draft = pasted(client, paste, ANNOUNCEMENT.replace("งดการไว้ทุกข์ในราชสำนัก", subject))
        clear(client, draft, "authority", "dla")
        publish(client, draft)
        assert draft.status == IntakeStatus.PUBLISHED
        CircularDraft.objects.all().delete()
    assert Circular.objects.filter(number_normalized="", issued_on=dt.date(2011, 8, 4)).count() == 2


def test_an_order_is_asked_for_its_date_not_recipients_and_published(client, officer, paste):
    draft = pasted(client, paste, ORDER)
    (letter,) = draft.parsed["letters"]
    assert letter["kind"] == "order"
    assert letter["fields"]["number"]["value"] == "6/2558"

    assert lacks(draft, officer) == "Letter 1 lacks: date, authority."  # not recipients
    assert not Circular.objects.exists()

    clear(client, draft, "authority", "dla")
    # The text does not say the order's date: the officer types it from the order itself.
    clear(client, draft, "date", "๒๑ เมษายน ๒๕๕๘")
    clear(client, draft, "number", "๖/๒๕๕๘")  # an order's number is accepted as one
    publish(client, draft)
    circular = Circular.objects.get()
    assert draft.status == IntakeStatus.PUBLISHED
    assert circular.kind == "order" and circular.recipients == ""
    assert circular.number_normalized == "6/2558"
    assert circular.issuer_name == "หัวหน้าคณะรักษาความสงบแห่งชาติ"

    client.logout()
    public = client.get(circular.get_absolute_url()).content.decode()
    assert "<dd>คำสั่ง</dd>" in public and "<dt>ที่</dt>" in public
    assert "<dt>เรียน</dt>" not in public
