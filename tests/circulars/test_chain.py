"""Circulars travel the chain: DLA publishes to every province, a province forwards to its districts
and directly to its PAO and city and town municipalities, a district to the other LAOs in it;
each recipient's people are notified in the same transaction and acknowledge (รับทราบ).

The small registry: Nakhon Phanom (48) with districts 4801 (SAO 6480199 with a unit, a PAO, a town
municipality, a subdistrict municipality), 4802 (SAO 6480299) and 4803 (no LAO); Chiang Mai (50)
with district 5001 (SAO 6500199, a city municipality); Ubon Ratchathani (34) with one district.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from circulars import services
from circulars.models import Circular, CircularReference, Delivery
from circulars.services import ChainError, acknowledge, forward_circular, publish_circular
from core.scoping import Action
from core.thai import BANGKOK
from maintenance.models import Discrepancy
from notifications.models import Notification
from registry.models import District, Organization, Province
from tests.actors import ACTOR_NAMES, login, make_user
from tests.conftest import registry_dir, require_registry

BEFORE_THE_WINDOW = "2025-04-03T09:00:00+07:00"


@dataclass
class Registry:
    pao: Organization  # PAO of Nakhon Phanom, district 4801
    town: Organization  # town municipality, 4801
    subdistrict_muni: Organization  # subdistrict municipality, 4801
    city_elsewhere: Organization  # city municipality of Chiang Mai, 5001
    district3: District  # 4803, no LAO
    ubon: Province  # 34, one district, no LAO


@pytest.fixture
def registry(places, nakhon_phanom):
    return make_registry(places, nakhon_phanom)


def make_registry(places, nakhon_phanom) -> Registry:
    d4801 = places.lao.district
    district3 = District.objects.create(code="4803", province=nakhon_phanom, name_th="ท่าอุเทน")
    ubon = Province.objects.create(code="34", name_th="อุบลราชธานี", name_en="Ubon Ratchathani")
    District.objects.create(code="3401", province=ubon, name_th="เมืองอุบลราชธานี")
    return Registry(
        pao=Organization.objects.create(
            kind="PAO", dla_code="2480101", name_th="นครพนม", district=d4801
        ),
        town=Organization.objects.create(
            kind="TOWN_MUNI", dla_code="4480101", name_th="นครพนม", district=d4801
        ),
        subdistrict_muni=Organization.objects.create(
            kind="SUBDISTRICT_MUNI", dla_code="5480101", name_th="หนองญาติ", district=d4801
        ),
        city_elsewhere=Organization.objects.create(
            kind="CITY_MUNI",
            dla_code="3500101",
            name_th="เชียงใหม่",
            district=places.lao_elsewhere.district,
        ),
        district3=district3,
        ubon=ubon,
    )


@pytest.fixture
def dla_letter(circulars):
    return circulars["dla"]


@pytest.fixture
def people(actors, registry):
    """The actors, and staff of the PAO and the subdistrict municipality (recipients too)."""
    return make_people(actors, registry)


def make_people(actors, registry) -> dict:
    return {
        **actors,
        "pao_clerk": make_user(
            "pao-clerk@test.example",
            kind="lao_staff",
            organization=registry.pao,
            position="finance_director",
        ),
        "muni_clerk": make_user(
            "muni-clerk@test.example",
            kind="lao_staff",
            organization=registry.subdistrict_muni,
            position="permanent_secretary",
        ),
    }


def forward_as_province(source, officer, number="นพ ๐๐๒๓.๕/ว ๑๖๐๐", **extra):
    values = {
        "issued_on": dt.date(2025, 4, 9),
        "subject": source.subject,
        "body": "จึงเรียนมาเพื่อทราบ",
    }
    values.update(extra)
    return forward_circular(source, actor=officer, number=number, **values)


def forward_as_district(source, officer, number="นพ ๐๐๒๓.๑๗/ว ๕๐๐", **extra):
    values = {"issued_on": dt.date(2025, 4, 10), "subject": source.subject}
    values.update(extra)
    return forward_circular(source, actor=officer, number=number, **values)


@pytest.fixture
def chain(dla_letter, people, registry, places):
    """DLA's letter published; Nakhon Phanom's forwarding letter; district 4801's after it."""
    return make_chain(dla_letter, people)


def make_chain(dla_letter, people) -> dict:
    publish_circular(dla_letter, actor=people["dla_officer"])
    province_letter = forward_as_province(dla_letter, people["province_officer"]).circular
    district_letter = forward_as_district(province_letter, people["district_officer"]).circular
    return {"dla": dla_letter, "province": province_letter, "district": district_letter}


def recipients(circular):
    out = set()
    for d in circular.deliveries.all():
        out.add(
            ("province", d.province.code)
            if d.province_id
            else ("district", d.district.code)
            if d.district_id
            else ("organization", d.organization.dla_code)
        )
    return out


# --- publishing ----------------------------------------------------------------------------------


def test_publishing_dlas_letter_delivers_it_once_to_every_province(dla_letter, people, registry):
    result = publish_circular(dla_letter, actor=people["dla_officer"])

    assert recipients(dla_letter) == {("province", "48"), ("province", "50"), ("province", "34")}
    assert result.deliveries_created == 3
    dla_letter.refresh_from_db()
    assert dla_letter.published_at is not None and dla_letter.published_by == people["dla_officer"]
    assert all(d.acknowledged_at is None for d in dla_letter.deliveries.all())


def test_publishing_twice_creates_nothing(dla_letter, people, registry):
    publish_circular(dla_letter, actor=people["dla_officer"])
    dla_letter.refresh_from_db()
    before = (
        Delivery.objects.count(),
        Notification.objects.count(),
        Circular.history.count(),
        dla_letter.published_at,
    )

    result = publish_circular(dla_letter, actor=people["dla_officer"])

    dla_letter.refresh_from_db()
    after = (
        Delivery.objects.count(),
        Notification.objects.count(),
        Circular.history.count(),
        dla_letter.published_at,
    )
    assert after == before
    assert (
        result.deliveries_created,
        result.deliveries_existing,
        result.notifications_created,
    ) == (0, 3, 0)


def test_publishing_again_reaches_only_a_province_added_since(dla_letter, people, registry):
    publish_circular(dla_letter, actor=people["dla_officer"])
    Province.objects.create(code="10", name_th="กรุงเทพมหานคร")

    result = publish_circular(dla_letter, actor=people["dla_officer"])

    assert result.deliveries_created == 1
    assert ("province", "10") in recipients(dla_letter) and dla_letter.deliveries.count() == 4


def test_the_database_refuses_a_second_delivery_to_the_same_province(dla_letter, people, registry):
    publish_circular(dla_letter, actor=people["dla_officer"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            circular=dla_letter,
            level="province",
            province=registry.ubon,
            delivered_at=dla_letter.published_at,
        )


def test_a_delivery_names_exactly_the_recipient_of_its_level(dla_letter, registry, places):
    from django.utils import timezone

    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            circular=dla_letter,
            level="province",
            province=registry.ubon,
            district=registry.district3,
            delivered_at=timezone.now(),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            circular=dla_letter,
            level="organization",
            district=registry.district3,
            delivered_at=timezone.now(),
        )


@pytest.mark.parametrize("actor", [a for a in ACTOR_NAMES if a != "dla_officer"])
def test_only_dla_officers_publish_dlas_letter(dla_letter, people, registry, actor):
    with pytest.raises(PermissionDenied):
        publish_circular(dla_letter, actor=people[actor])
    dla_letter.refresh_from_db()
    assert dla_letter.published_at is None
    assert not Delivery.objects.exists() and not Notification.objects.exists()


def test_a_provincial_officer_publishes_a_letter_of_their_own_province_and_no_other(
    circulars, people, registry
):
    province_letter = circulars["province"]  # นพ ๐๐๒๓.๕/ว ๑๕๗๘, as loaded
    for actor in ("other_province_officer", "district_officer", "dla_officer"):
        with pytest.raises(PermissionDenied):
            publish_circular(province_letter, actor=people[actor])
    publish_circular(province_letter, actor=people["province_officer"])
    assert recipients(province_letter) == {
        ("district", "4801"),
        ("district", "4802"),
        ("district", "4803"),
        ("organization", "2480101"),
        ("organization", "4480101"),
    }


# --- forwarding -----------------------------------------------------------------------------------


def test_nakhon_phanom_forwards_to_its_districts_pao_and_town_municipality_not_to_its_saos(
    dla_letter, people, registry, places
):
    publish_circular(dla_letter, actor=people["dla_officer"])

    result = forward_as_province(dla_letter, people["province_officer"])

    letter = result.circular
    assert recipients(letter) == {
        ("district", "4801"),
        ("district", "4802"),
        ("district", "4803"),
        ("organization", "2480101"),
        ("organization", "4480101"),
    }
    assert letter.authority == 2 and letter.province.code == "48" and letter.district is None
    assert letter.forwards == dla_letter and letter.published_at is not None
    assert (
        letter.issued_on == dt.date(2025, 4, 9) and letter.number_normalized == "นพ 0023.5/ว 1600"
    )
    enclosure = letter.references.get()
    assert enclosure.kind == CircularReference.Kind.ENCLOSURE and enclosure.target == dla_letter
    assert enclosure.cited_number == dla_letter.number and "มท ๐๘๐๘.๔/ว ๑๕๔๑" in enclosure.text
    # Chiang Mai's city municipality is not Nakhon Phanom's to tell
    assert not Delivery.objects.filter(organization=registry.city_elsewhere).exists()
    # forwarding is a receipt: the province's own delivery is acknowledged by the forwarder
    own = dla_letter.deliveries.get(province__code="48")
    assert own.acknowledged_by == people["province_officer"] and own.acknowledged_at is not None


def test_a_district_forwards_to_the_other_laos_in_it(chain, registry, places):
    letter = chain["district"]
    assert letter.authority == 1 and letter.district.code == "4801" and letter.province is None
    assert letter.forwards == chain["province"]
    assert letter.references.get(kind="enclosure").target == chain["province"]
    # the SAO and the subdistrict municipality; the PAO and the town municipality had the province's
    # letter directly; units and the other district's SAO are not addressed
    assert recipients(letter) == {("organization", "6480199"), ("organization", "5480101")}


@pytest.mark.parametrize(
    ("letter", "actor"),
    [
        ("dla", "district_officer"),  # DLA's letter reaches provinces, not districts
        ("dla", "dla_officer"),
        ("dla", "lao_clerk"),
        ("dla", "unit_clerk"),
        ("province", "province_officer"),  # its own letter is not delivered to the province
        ("province", "other_province_officer"),
        ("province", "lao_clerk"),
        ("district", "district_officer"),
        ("district", "lao_clerk"),  # LAOs are the end of the chain
        ("district", "province_officer"),
    ],
)
def test_only_the_officers_of_a_recipient_area_forward(chain, people, letter, actor):
    before = (Circular.objects.count(), Delivery.objects.count(), Notification.objects.count())
    with pytest.raises(PermissionDenied):
        forward_circular(
            chain[letter],
            actor=people[actor],
            number="ที่ทดสอบ ๑",
            issued_on=dt.date(2025, 4, 11),
            subject="ทดสอบ",
        )
    assert (
        Circular.objects.count(),
        Delivery.objects.count(),
        Notification.objects.count(),
    ) == before


def test_a_province_cannot_forward_a_letter_not_yet_published(dla_letter, people, registry):
    with pytest.raises(PermissionDenied):
        forward_as_province(dla_letter, people["province_officer"])


def test_another_province_forwards_dlas_letter_to_its_own_area(chain, people, registry):
    letter = forward_as_province(
        chain["dla"], people["other_province_officer"], number="ชม ๐๐๒๓.๓/ว ๗๗"
    ).circular
    assert letter.province.code == "50"
    assert recipients(letter) == {("district", "5001"), ("organization", "3500101")}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"number": "   "}, "Give the number of your letter"),
        ({"subject": ""}, "Give the subject of your letter"),
        ({"issued_on": dt.date(2025, 4, 1)}, "cannot be dated before the letter it forwards"),
        ({"issued_on": None}, "Give the date of your letter"),
        ({"issued_on": dt.date(2115, 4, 9)}, "more than a year ahead"),
        (
            {"number": "นพ 0023.5/ว 1578"},
            "already in the portal",
        ),  # the reference letter, same date
        ({"rules": [{"clause": "ข้อ ๑", "action": "fly", "effect": "allow"}]}, "Rule 1"),
        ({"rules": [{"clause": "ข้อ ๑", "colour": "red"}]}, "unknown fields colour"),
        (
            {
                "rules": [
                    {
                        "clause": "ข้อ ๑",
                        "action": "verify_identity",
                        "effect": "allow",
                        "reason_th": "x",
                        "reason_en": "x",
                        "starts_at": "2025-04-22T00:00:00+07:00",
                        "ends_at": "2025-04-05T00:00:00+07:00",
                    }
                ]
            },
            "Rule 1",
        ),
    ],
)
def test_bad_input_to_a_forward_stores_nothing_and_says_why(
    dla_letter, people, registry, changes, message
):
    publish_circular(dla_letter, actor=people["dla_officer"])
    before = (
        Circular.objects.count(),
        Delivery.objects.count(),
        Notification.objects.count(),
        CircularReference.objects.count(),
    )
    with translation.override("en"), pytest.raises(ChainError) as caught:
        forward_as_province(dla_letter, people["province_officer"], **changes)
    assert message in caught.value.message
    after = (
        Circular.objects.count(),
        Delivery.objects.count(),
        Notification.objects.count(),
        CircularReference.objects.count(),
    )
    assert after == before
    assert dla_letter.deliveries.get(province__code="48").acknowledged_at is None


def test_the_discrepancy_check_applies_to_a_rule_the_forwarding_letter_carries(
    dla_letter, people, registry
):
    publish_circular(dla_letter, actor=people["dla_officer"])
    rule = {
        "clause": "ข้อ ๑",
        "entity_type": "lao",
        "identity_verified": False,
        "action": "verify_identity",
        "effect": "allow",
        "starts_at": "2025-04-04T00:00:00+07:00",
        "ends_at": "2025-04-22T00:00:00+07:00",
        "reason_th": "อปท. ที่ยังไม่ได้ยืนยันตัวตน ยืนยันตัวตนได้ 4–21 เมษายน 2568",
        "reason_en": "LAOs not yet verified may verify from 4 to 21 April 2025.",
    }

    letter = forward_as_province(dla_letter, people["province_officer"], rules=[rule]).circular

    found = Discrepancy.objects.get(forwarding_circular=letter)
    assert found.source_circular == dla_letter and found.field == "starts_at"
    assert found.forwarding_value.astimezone(BANGKOK).date() == dt.date(2025, 4, 4)
    assert found.source_value.astimezone(BANGKOK).date() == dt.date(2025, 4, 5)


# --- acknowledging --------------------------------------------------------------------------------

# Who acknowledges which delivery: the province's (DLA's letter), district 4801's (the province's
# letter), the SAO 6480199's (the district's letter).
ACKNOWLEDGERS = {
    "province": {"province_officer"},
    "district": {"district_officer"},
    "organization": {"lao_clerk"},
}


def delivery_of(chain, level):
    return {
        "province": lambda: chain["dla"].deliveries.get(province__code="48"),
        "district": lambda: chain["province"].deliveries.get(district__code="4801"),
        "organization": lambda: chain["district"].deliveries.get(organization__dla_code="6480199"),
    }[level]()


@pytest.fixture(scope="class")
def chain_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """`chain` and `people` written once for a class of tests, each test in a savepoint
    (tests/conftest.py built_once): the same rows as the per-test fixtures write."""
    from tests.actors import make_actors, make_places
    from tests.conftest import (
        built_once,
        make_circulars,
        make_nakhon_phanom,
        make_sao_elsewhere,
        make_sao_in_nakhon_phanom,
    )

    with built_once(django_db_blocker, tmp_path_factory.mktemp("chain")):
        province = make_nakhon_phanom()
        places = make_places(make_sao_in_nakhon_phanom(province), make_sao_elsewhere(), province)
        people = make_people(make_actors(places), make_registry(places, province))
        chain = make_chain(make_circulars()["dla"], people)
        yield chain, people


class TestAcknowledging:
    @pytest.fixture
    def chain(self, chain_once, db):
        return chain_once[0]

    @pytest.fixture
    def people(self, chain_once, db):
        return chain_once[1]

    @pytest.mark.parametrize("level", ACKNOWLEDGERS)
    @pytest.mark.parametrize("actor", ACTOR_NAMES)
    def test_only_the_recipients_people_acknowledge(self, chain, people, level, actor):
        only_the_recipients_people_acknowledge(chain, people, level, actor)


def only_the_recipients_people_acknowledge(chain, people, level, actor):
    delivery = delivery_of(chain, level)
    Delivery.objects.filter(pk=delivery.pk).update(acknowledged_at=None, acknowledged_by=None)
    if actor in ACKNOWLEDGERS[level]:
        assert acknowledge(delivery, user=people[actor]) is True
        delivery.refresh_from_db()
        assert delivery.acknowledged_by == people[actor] and delivery.acknowledged_at is not None
    else:
        with pytest.raises(PermissionDenied):
            acknowledge(delivery, user=people[actor])
        delivery.refresh_from_db()
        assert delivery.acknowledged_at is None and delivery.acknowledged_by is None


def test_a_second_acknowledgement_changes_nothing(chain, people, portal_clock):
    delivery = delivery_of(chain, "organization")
    portal_clock("2025-04-11T09:00:00+07:00")
    assert acknowledge(delivery, user=people["lao_clerk"]) is True
    delivery.refresh_from_db()
    first = (delivery.acknowledged_at, delivery.acknowledged_by_id)
    colleague = make_user(
        "lao-colleague@test.example",
        kind="lao_staff",
        organization=delivery.organization,
        position="finance_director",
    )
    portal_clock("2025-04-12T09:00:00+07:00")

    assert acknowledge(delivery, user=colleague) is False
    assert acknowledge(delivery, user=people["lao_clerk"]) is False
    delivery.refresh_from_db()
    assert (delivery.acknowledged_at, delivery.acknowledged_by_id) == first


def test_acknowledging_marks_the_persons_notification_read(chain, people):
    delivery = delivery_of(chain, "organization")
    note = Notification.objects.get(
        recipient=people["lao_clerk"], subject_key=f"delivery:{delivery.pk}"
    )
    assert note.read_at is None
    acknowledge(delivery, user=people["lao_clerk"])
    note.refresh_from_db()
    assert note.read_at is not None


# --- notifications --------------------------------------------------------------------------------


def notified(circular):
    return {
        (n.recipient.email, n.subject_key)
        for n in Notification.objects.filter(
            kind="circular", period=f"circular:{circular.pk}"
        ).select_related("recipient")
    }


def test_each_delivery_notifies_its_recipients_people(chain, people, registry):
    dla, province, district = chain["dla"], chain["province"], chain["district"]

    def key(letter, **where):
        return f"delivery:{letter.deliveries.get(**where).pk}"

    assert notified(dla) == {
        ("province-officer@test.example", key(dla, province__code="48")),
        ("other-province-officer@test.example", key(dla, province__code="50")),
    }
    assert notified(province) == {
        ("district-officer@test.example", key(province, district__code="4801")),
        ("district2-officer@test.example", key(province, district__code="4802")),
        ("pao-clerk@test.example", key(province, organization=registry.pao)),
    }
    assert notified(district) == {
        ("lao-clerk@test.example", key(district, organization__dla_code="6480199")),
        ("muni-clerk@test.example", key(district, organization=registry.subdistrict_muni)),
    }
    # unit staff, DLA, and the other LAO of the province are never told by these letters
    assert not Notification.objects.filter(
        recipient__in=[people["unit_clerk"], people["dla_officer"], people["other_lao_clerk"]]
    ).exists()
    note = Notification.objects.get(recipient=people["lao_clerk"])
    assert note.circular == district and note.kind == "circular"


def test_the_message_says_what_to_do_by_when_why_and_cites_the_letter(
    dla_letter, people, registry, portal_clock
):
    portal_clock(BEFORE_THE_WINDOW)
    publish_circular(dla_letter, actor=people["dla_officer"])
    note = Notification.objects.get(recipient=people["province_officer"])

    assert "มท ๐๘๐๘.๔/ว ๑๕๔๑" in note.title_th and "รับทราบ" in note.title_th
    assert "please acknowledge" in note.title_en
    text = note.body_text
    assert "สิ่งที่ต้องทำ: รับทราบ" in text and "แจ้งเวียนต่อ" in text  # what to do
    assert (
        "ภายในวันที่ ๒๑ เมษายน ๒๕๖๘" in text and "When: by 21 April 2025" in text
    )  # by when: ข้อ ๑ of DLA
    assert "5 to 21 April 2025" in text  # why: the rule's reason
    assert "อ้างถึง: หนังสือกรมส่งเสริมการปกครองท้องถิ่น ที่ มท ๐๘๐๘.๔/ว ๑๕๔๑ ลงวันที่ ๒ เมษายน ๒๕๖๘" in text
    assert f"/circulars/{dla_letter.pk}/" in text
    assert "มท ๐๘๐๘.๔/ว ๑๕๔๑" in note.body_html and "<strong>กำหนด:</strong>" in note.body_html
    assert text.startswith("เรียน ")  # greeted by name


def test_a_forwarding_letters_message_cites_its_source_and_the_lao_is_told_to_act(chain, people):
    note = Notification.objects.get(recipient=people["lao_clerk"])
    assert "ซึ่งส่งต่อหนังสือศาลากลางจังหวัดนครพนม ที่ นพ ๐๐๒๓.๕/ว ๑๖๐๐" in note.body_text
    assert "ถือปฏิบัติตามหนังสือ" in note.body_text and "act on it" in note.body_text


def test_a_letter_whose_dates_have_passed_gives_no_date(dla_letter, people, registry, portal_clock):
    portal_clock("2025-05-01T09:00:00+07:00")
    publish_circular(dla_letter, actor=people["dla_officer"])
    text = Notification.objects.get(recipient=people["province_officer"]).body_text
    assert "กำหนด: โดยเร็ว (หนังสือไม่มีกำหนดวันที่ยังมาไม่ถึง)" in text and "no date still ahead" in text


def test_deliveries_and_notifications_are_written_in_one_transaction(dla_letter, people, registry):
    with pytest.raises(RuntimeError), transaction.atomic():
        publish_circular(dla_letter, actor=people["dla_officer"])
        assert Delivery.objects.count() == 3 and Notification.objects.count() == 2
        raise RuntimeError("the caller's transaction fails after publishing")
    assert not Delivery.objects.exists() and not Notification.objects.exists()
    dla_letter.refresh_from_db()
    assert dla_letter.published_at is None


def test_when_the_outbox_fails_no_delivery_is_left(dla_letter, people, registry, monkeypatch):
    import circulars.services

    def broken(*args, **kwargs):
        raise IntegrityError("the outbox refused the rows")

    monkeypatch.setattr(circulars.services, "queue", broken)  # the outbox, as the chain calls it
    with pytest.raises(IntegrityError):
        publish_circular(dla_letter, actor=people["dla_officer"])
    assert not Delivery.objects.exists() and not Notification.objects.exists()
    dla_letter.refresh_from_db()
    assert dla_letter.published_at is None


@pytest.mark.django_db(transaction=True)
def test_when_the_database_refuses_the_outbox_rows_nothing_of_the_publication_remains(
    dla_letter, people, registry, outbox_refusing_rows
):
    """Publishing is one transaction of its own: nothing around it here (each statement would
    commit at once), so only publish_circular's transaction can undo the deliveries and the
    publication written before the outbox refused its rows."""
    with pytest.raises(IntegrityError, match=outbox_refusing_rows):
        publish_circular(dla_letter, actor=people["dla_officer"])

    assert not Delivery.objects.exists() and not Notification.objects.exists()
    dla_letter.refresh_from_db()
    assert dla_letter.published_at is None and dla_letter.published_by is None


def test_when_a_forward_fails_neither_the_letter_nor_its_deliveries_remain(
    dla_letter, people, registry, monkeypatch
):
    publish_circular(dla_letter, actor=people["dla_officer"])
    before = (Circular.objects.count(), Delivery.objects.count(), Notification.objects.count())

    def broken():
        raise RuntimeError("the discrepancy check failed")

    monkeypatch.setattr(services, "record_discrepancies", broken)
    with pytest.raises(RuntimeError):
        forward_as_province(dla_letter, people["province_officer"])
    assert (
        Circular.objects.count(),
        Delivery.objects.count(),
        Notification.objects.count(),
    ) == before


# --- scoping --------------------------------------------------------------------------------------

# What each actor sees of the whole chain: p = province, d = district, o = organisation deliveries.
VISIBLE = {
    "lao_clerk": {"o:6480199"},
    "other_lao_clerk": set(),  # its district (4802) has not forwarded
    "unit_clerk": set(),
    # the PAO and the town municipality stand in 4801: in its officer's area, though the province
    # told them
    "district_officer": {"d:4801", "o:6480199", "o:5480101", "o:2480101", "o:4480101"},
    "other_district_officer": {"d:4802"},
    "province_officer": {
        "p:48",
        "d:4801",
        "d:4802",
        "d:4803",
        "o:2480101",
        "o:4480101",
        "o:6480199",
        "o:5480101",
    },
    "other_province_officer": {"p:50"},
}


def labels(qs):
    return {
        f"p:{d.province.code}"
        if d.province_id
        else f"d:{d.district.code}"
        if d.district_id
        else f"o:{d.organization.dla_code}"
        for d in qs
    }


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_each_actor_sees_the_deliveries_of_their_area(chain, people, actor):
    seen = labels(Delivery.objects.restrict(people[actor], Action.VIEW))
    if actor == "dla_officer":
        assert seen == labels(Delivery.objects.all()) and "p:34" in seen
    else:
        assert seen == VISIBLE[actor]


def test_addressed_to_is_what_the_person_acknowledges(chain, people):
    assert labels(Delivery.objects.restrict(people["province_officer"], Action.ACKNOWLEDGE)) == {
        "p:48"
    }
    assert labels(Delivery.objects.restrict(people["district_officer"], Action.ACKNOWLEDGE)) == {
        "d:4801"
    }
    assert labels(Delivery.objects.restrict(people["lao_clerk"], Action.ACKNOWLEDGE)) == {
        "o:6480199"
    }
    assert labels(Delivery.objects.restrict(people["dla_officer"], Action.ACKNOWLEDGE)) == set()
    assert labels(Delivery.objects.restrict(people["unit_clerk"], Action.ACKNOWLEDGE)) == set()


# --- the national registry ------------------------------------------------------------------------


def test_on_the_national_registry_dla_reaches_77_provinces_and_nakhon_phanom_its_12_districts(
    circulars,
):
    require_registry()
    call_command("load_registry", str(registry_dir()), verbosity=0)
    dla_officer = make_user("dla@test.example", kind="dla_officer")
    nakhon_phanom = Province.objects.get(code="48")
    officer = make_user("np@test.example", kind="province_officer", province=nakhon_phanom)
    mueang = District.objects.get(code="4801")
    district_officer = make_user("np-mueang@test.example", kind="district_officer", district=mueang)

    result = publish_circular(circulars["dla"], actor=dla_officer)
    assert result.deliveries_created == 77 == Province.objects.count()
    assert circulars["dla"].deliveries.filter(level="province").count() == 77

    letter = forward_as_province(circulars["dla"], officer).circular
    by_level = {
        lv: letter.deliveries.filter(level=lv).count() for lv in ("district", "organization")
    }
    assert by_level == {
        "district": 12,
        "organization": 2,
    }  # 12 districts; the PAO and one town municipality
    assert {d.organization.kind for d in letter.deliveries.filter(level="organization")} == {
        "PAO",
        "TOWN_MUNI",
    }

    district_letter = forward_as_district(letter, district_officer).circular
    expected = Organization.objects.filter(
        district=mueang, kind__in=["SUBDISTRICT_MUNI", "SAO"]
    ).count()
    assert expected > 0 and district_letter.deliveries.count() == expected
    assert (
        Notification.objects.filter(kind="circular").count() == 1 + 1
    )  # one officer each for 48 and 4801


# --- pages ----------------------------------------------------------------------------------------

ACTORS = ("anonymous",) + ACTOR_NAMES

# Columns: anonymous, lao_clerk (SAO 6480199 in 4801), other_lao_clerk (SAO in 4802), unit_clerk,
# district_officer (4801), other_district_officer (4802), province_officer (Nakhon Phanom),
# other_province_officer (Chiang Mai), dla_officer. The letters: "publish" an unpublished DLA
# letter; "forward" DLA's published letter (delivered to 48 and 50); "forward district" Nakhon
# Phanom's letter (delivered to 4801, 4802...); "acknowledge lao" the SAO 6480199's delivery of
# district 4801's letter; "acknowledge province" Nakhon Phanom's delivery of DLA's letter.
# fmt: off
MATRIX = {
    #                        method  anon  lao  lao2  unit  dist  dist2  prov  prov2  dla
    "inbox":                 ("GET",  302,  200, 200,  200,  200,  200,   200,  200,   200),
    "detail":                ("GET",  200,  200, 200,  200,  200,  200,   200,  200,   200),
    "publish":               ("POST", 302,  403, 403,  403,  403,  403,   403,  403,   302),
    "forward":               ("POST", 302,  403, 403,  403,  403,  403,   302,  302,   403),
    "forward district":      ("POST", 302,  403, 403,  403,  302,  302,   403,  403,   403),
    "acknowledge lao":       ("POST", 302,  302, 404,  404,  403,  404,   403,  404,   403),
    "acknowledge province":  ("POST", 302,  404, 404,  404,  404,  404,   302,  404,   403),
}
# fmt: on

CASES = [
    pytest.param(name, actor, row[0], status, id=f"{name.replace(' ', '_')}-{actor}-{status}")
    for name, row in MATRIX.items()
    for actor, status in zip(ACTORS, row[1:], strict=True)
]


@pytest.fixture
def scene(chain, people):
    return make_scene(chain, people)


def make_scene(chain, people) -> dict:
    unpublished = Circular.objects.create(
        number="มท ๐๘๐๘.๔/ว ๒๐๐๐",
        authority=3,
        issuer_name="กรมส่งเสริมการปกครองท้องถิ่น",
        issued_on=dt.date(2025, 4, 20),
        subject="ทดสอบ",
        recipients="ผู้ว่าราชการจังหวัด ทุกจังหวัด",
    )
    lao_delivery = chain["district"].deliveries.get(organization__dla_code="6480199")
    province_delivery = chain["dla"].deliveries.get(province__code="48")
    Delivery.objects.filter(pk=province_delivery.pk).update(
        acknowledged_at=None, acknowledged_by=None
    )
    urls = {
        "inbox": reverse("circulars:inbox"),
        "detail": reverse("circulars:detail", args=[chain["dla"].pk]),
        "publish": reverse("circulars:publish", args=[unpublished.pk]),
        "forward": reverse("circulars:forward", args=[chain["dla"].pk]),
        "forward district": reverse("circulars:forward", args=[chain["province"].pk]),
        "acknowledge lao": reverse("circulars:acknowledge", args=[lao_delivery.pk]),
        "acknowledge province": reverse("circulars:acknowledge", args=[province_delivery.pk]),
    }
    return {
        "urls": urls,
        "unpublished": unpublished,
        "lao_delivery": lao_delivery,
        "province_delivery": province_delivery,
        **chain,
    }


def test_the_matrix_names_every_url_of_the_circulars_app():
    from circulars.urls import urlpatterns

    public = {"list"}
    # The intake pages have their own matrix (tests/circulars/test_intake_review.py), and so has
    # the scan a letter was taken in from (tests/circulars/test_intake_review_work.py).
    intake = {p.name for p in urlpatterns if p.name.startswith("intake")} | {"scan"}
    assert {p.name for p in urlpatterns} - public - intake == {label.split()[0] for label in MATRIX}


class TestTheMatrix:
    @pytest.fixture
    def people(self, chain_once, db):
        return chain_once[1]

    @pytest.fixture
    def scene(self, chain_once, people):
        return make_scene(chain_once[0], people)

    @pytest.mark.parametrize(("name", "actor", "method", "expected"), CASES)
    def test_each_actor_gets_the_status_the_scope_rules_give(
        self, client, scene, people, name, actor, method, expected
    ):
        the_status_the_scope_rules_give(client, scene, people, name, actor, method, expected)


def the_status_the_scope_rules_give(client, scene, people, name, actor, method, expected):
    if actor != "anonymous":
        login(client, people[actor])
    data = None
    if name.startswith("forward"):
        data = {
            "number": f"ที่ ทดสอบ/ว {ACTORS.index(actor)}",
            "issued_on": "11/4/2568",
            "subject": "ส่งต่อ",
        }
    before = Circular.objects.count()
    response = getattr(client, method.lower())(scene["urls"][name], data)

    assert response.status_code == expected, f"{actor} {method} {name}"
    if expected == 302 and actor == "anonymous":
        assert response["Location"].startswith("/accounts/login/?next=")
    elif expected == 302 and name.startswith("forward"):
        letter = Circular.objects.get(number=data["number"])
        assert response["Location"] == letter.get_absolute_url()
        assert Circular.objects.count() == before + 1
    elif expected == 302:
        assert response["Location"] in (
            scene["urls"]["detail"],
            scene["unpublished"].get_absolute_url(),
            scene["district"].get_absolute_url(),
        )
    else:
        assert Circular.objects.count() == before
    scene["unpublished"].refresh_from_db()
    assert (scene["unpublished"].published_at is not None) == (
        name == "publish" and actor == "dla_officer"
    )
    lao_delivery = Delivery.objects.get(pk=scene["lao_delivery"].pk)
    assert (lao_delivery.acknowledged_at is not None) == (
        name == "acknowledge lao" and expected == 302 and actor != "anonymous"
    )
    province_delivery = Delivery.objects.get(pk=scene["province_delivery"].pk)
    assert (province_delivery.acknowledged_by == people["province_officer"]) == (
        name in ("acknowledge province", "forward") and actor == "province_officer"
    )


WRONG_METHODS = [
    ("inbox", "post", "lao_clerk"),
    ("inbox", "put", "lao_clerk"),
    ("inbox", "delete", "province_officer"),
    ("detail", "post", "dla_officer"),
    ("detail", "put", "dla_officer"),
    ("detail", "delete", "lao_clerk"),
    ("publish", "get", "dla_officer"),
    ("publish", "put", "dla_officer"),
    ("publish", "delete", "dla_officer"),
    ("forward", "get", "province_officer"),
    ("forward", "put", "province_officer"),
    ("forward district", "get", "district_officer"),
    ("acknowledge lao", "get", "lao_clerk"),
    ("acknowledge lao", "put", "lao_clerk"),
    ("acknowledge province", "get", "province_officer"),
    ("acknowledge province", "delete", "province_officer"),
]


def say_th(msgid, **params):
    with translation.override("th"):
        text = translation.gettext(msgid)
    assert text != msgid, f"not translated into Thai yet: {msgid!r}"
    return text % params if params else text


def table_of(page, level_label):
    return page.split(f"<h3>{level_label}")[1].split("</table>")[0]


class TestThePages:
    """The circulars' pages as each person uses them, on the chain written once for the class
    (`chain_once`), each test in a savepoint."""

    @pytest.fixture
    def people(self, chain_once, db):
        return chain_once[1]

    @pytest.fixture
    def scene(self, chain_once, people):
        return make_scene(chain_once[0], people)

    @pytest.mark.parametrize(
        ("name", "method", "actor"),
        WRONG_METHODS,
        ids=[f"{n}-{m}-{a}" for n, m, a in WRONG_METHODS],
    )
    def test_a_wrong_method_gets_405_and_changes_nothing(
        self, client, scene, people, name, method, actor
    ):
        login(client, people[actor])
        before = (
            Circular.objects.count(),
            Delivery.objects.filter(acknowledged_at__isnull=False).count(),
        )
        assert getattr(client, method)(scene["urls"][name]).status_code == 405
        assert (
            Circular.objects.count(),
            Delivery.objects.filter(acknowledged_at__isnull=False).count(),
        ) == before
        scene["unpublished"].refresh_from_db()
        assert scene["unpublished"].published_at is None

    @pytest.mark.parametrize("actor", ["province_officer", "district_officer", "dla_officer"])
    def test_an_officer_whose_session_did_not_use_the_second_factor_changes_nothing(
        self, client, scene, people, actor
    ):
        client.force_login(people[actor], backend="elaas_portal.backends.ModelBackend")
        for name in (
            "publish",
            "forward",
            "acknowledge lao",
        ):  # the LAO's delivery is in each one's area
            response = client.post(
                scene["urls"][name], {"number": "x", "issued_on": "11/4/2568", "subject": "x"}
            )
            assert response.status_code == 302 and response["Location"].startswith(
                "/accounts/2fa/reauthenticate/"
            )
        assert Delivery.objects.get(pk=scene["lao_delivery"].pk).acknowledged_at is None
        scene["unpublished"].refresh_from_db()
        assert scene["unpublished"].published_at is None
        page = client.get(scene["urls"]["detail"]).content.decode()
        assert 'id="deliveries"' not in page and "/2fa/reauthenticate/" in page

    def test_an_officer_acknowledging_without_the_second_factor_comes_back_to_the_letter(
        self, client, scene, people
    ):
        client.force_login(people["province_officer"], backend="elaas_portal.backends.ModelBackend")
        response = client.post(
            scene["urls"]["acknowledge province"], {"next": scene["urls"]["detail"]}
        )
        assert response["Location"] == "/accounts/2fa/reauthenticate/?next=" + scene["urls"][
            "detail"
        ].replace("/", "%2F")

    def test_the_dla_officer_publishes_from_the_letters_page(self, client, scene, people):
        login(client, people["dla_officer"])
        url = scene["unpublished"].get_absolute_url()
        page = client.get(url).content.decode()
        assert scene["urls"]["publish"] in page and say_th("Publish") in page
        assert (
            say_th("Publishing sends it to every province; their provincial officers are notified.")
            in page
        )

        response = client.post(scene["urls"]["publish"], follow=True)

        assert response.redirect_chain == [(url, 302)]
        page = response.content.decode()
        assert (
            say_th(
                "Published: sent to %(n)s recipients; %(people)s people were notified.",
                n=3,
                people=2,
            )
            in page
        )
        assert scene["urls"]["publish"] not in page  # published: no button any more
        assert scene["unpublished"].deliveries.count() == 3
        again = client.post(scene["urls"]["publish"], follow=True).content.decode()
        assert (
            say_th("This letter was already published: there was nobody new to send it to.")
            in again
        )

    def test_the_publish_button_is_only_for_those_who_may_publish(self, client, scene, people):
        url = scene["unpublished"].get_absolute_url()
        for actor in ("province_officer", "other_district_officer", "lao_clerk"):
            login(client, people[actor])
            assert scene["urls"]["publish"] not in client.get(url).content.decode()
        client.logout()
        assert scene["urls"]["publish"] not in client.get(url).content.decode()

    def test_a_provincial_officer_forwards_from_the_letters_page_with_a_buddhist_era_date(
        self, client, scene, people
    ):
        login(client, people["other_province_officer"])
        page = client.get(scene["urls"]["detail"]).content.decode()
        assert scene["urls"]["forward"] in page and 'name="issued_on"' in page
        assert (
            say_th(
                "Your province's own letter, with this one enclosed, goes to every district of "
                "the province and directly to its PAO and city and town municipalities; their "
                "officers and staff are notified."
            )
            in page
        )

        response = client.post(
            scene["urls"]["forward"],
            {
                "number": "ชม ๐๐๒๓.๓/ว ๑๒๓",
                "issued_on": "๙/๔/๒๕๖๘",
                "subject": "ส่งต่อหนังสือกรม",
                "body": "เพื่อทราบ",
            },
        )

        letter = Circular.objects.get(number="ชม ๐๐๒๓.๓/ว ๑๒๓")
        assert response.status_code == 302 and response["Location"] == letter.get_absolute_url()
        assert (
            letter.issued_on == dt.date(2025, 4, 9)
            and letter.province.code == "50"
            and letter.forwards == scene["dla"]
        )
        assert recipients(letter) == {("district", "5001"), ("organization", "3500101")}

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"issued_on": "31/2/2568"}, "is not a date that exists"),
            ({"issued_on": ""}, "This field is required."),
            ({"number": ""}, "This field is required."),
            (
                {"issued_on": "1/4/2568"},
                "Your letter cannot be dated before the letter it forwards.",
            ),
            (
                {"number": "นพ ๐๐๒๓.๕/ว ๑๖๐๐"},
                "A letter with this number and date is already in the portal.",
            ),
            ({"subject": "x" * 501}, "Ensure this value has at most 500 characters"),
        ],
    )
    def test_bad_input_on_the_forward_form_says_why_and_stores_nothing(
        self, client, scene, people, data, message
    ):
        login(client, people["province_officer"])
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        before = (Circular.objects.count(), Delivery.objects.count())
        form = {"number": "นพ ๐๐๒๓.๕/ว ๑๗๐๐", "issued_on": "9/4/2568", "subject": "ส่งต่อ", **data}
        response = client.post(scene["urls"]["forward"], form)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert (Circular.objects.count(), Delivery.objects.count()) == before

    def test_forwarding_through_a_delivery_of_another_area_is_refused(self, client, scene, people):
        login(client, people["province_officer"])
        chiang_mai = scene["dla"].deliveries.get(province__code="50")
        response = client.post(
            scene["urls"]["forward"],
            {
                "number": "นพ ๐๐๒๓.๕/ว ๑๗๐๑",
                "issued_on": "9/4/2568",
                "subject": "ส่งต่อ",
                "delivery": chiang_mai.pk,
            },
        )
        assert response.status_code == 400
        assert not Circular.objects.filter(number="นพ ๐๐๒๓.๕/ว ๑๗๐๑").exists()

    def test_a_provincial_officer_follows_the_chain_in_their_province_only(
        self, client, scene, people
    ):
        login(client, people["province_officer"])
        page = client.get(scene["urls"]["detail"]).content.decode()
        assert 'id="deliveries"' in page
        assert "จังหวัดนครพนม" in page and "จังหวัดเชียงใหม่" not in page.split('id="deliveries"')[1]
        for name in (
            "อำเภอเมืองนครพนม",
            "อำเภอปลาปาก",
            "อำเภอท่าอุเทน",
            "อบจ.นครพนม",
            "อบต.ทดสอบ ",
            "ทต.หนองญาติ",
        ):
            assert name in page, name
        assert (
            say_th("not acknowledged yet") in page
        )  # 4802, 4803 and most LAOs have not acknowledged

    def test_the_dla_officer_follows_every_province(self, client, scene, people):
        login(client, people["dla_officer"])
        page = client.get(scene["urls"]["detail"]).content.decode().split('id="deliveries"')[1]
        for name in (
            "จังหวัดนครพนม",
            "จังหวัดเชียงใหม่",
            "จังหวัดอุบลราชธานี",
            "อำเภอเมืองนครพนม",
            "อบต.ทดสอบ ",
        ):
            assert name in page, name
        counts = "%(ack)s of %(total)s acknowledged, %(waiting)s not yet"
        assert (
            say_th(counts, ack=0, total=3, waiting=3) in page
        )  # provinces (the scene took 48's back)
        assert say_th(counts, ack=1, total=3, waiting=2) in page  # districts: 4801 forwarded

    def test_an_lao_clerk_sees_only_their_own_delivery_and_acknowledges_it_from_the_inbox(
        self, client, scene, people
    ):
        login(client, people["lao_clerk"])
        detail = client.get(scene["district"].get_absolute_url()).content.decode()
        assert 'id="deliveries"' not in detail and scene["urls"]["acknowledge lao"] in detail

        inbox = client.get(scene["urls"]["inbox"]).content.decode()
        assert scene["district"].number in inbox and scene["urls"]["acknowledge lao"] in inbox
        assert 'class="responsive"' in inbox and 'data-label="' in inbox

        response = client.post(
            scene["urls"]["acknowledge lao"], {"next": scene["urls"]["inbox"]}, follow=True
        )
        assert response.redirect_chain == [(scene["urls"]["inbox"], 302)]
        page = response.content.decode()
        assert say_th("Acknowledged: %(number)s.", number=scene["district"].number) in page
        assert scene["urls"]["acknowledge lao"] not in page
        assert (
            Delivery.objects.get(pk=scene["lao_delivery"].pk).acknowledged_by == people["lao_clerk"]
        )

    def test_an_acknowledgement_never_leads_off_the_site(self, client, scene, people):
        login(client, people["lao_clerk"])
        response = client.post(scene["urls"]["acknowledge lao"], {"next": "https://evil.example/"})
        assert response["Location"] == scene["district"].get_absolute_url()

    @pytest.mark.parametrize("target", ["-1", "%", "²", "0001-01-01", "inbox"])
    def test_an_acknowledgement_with_a_next_that_is_no_path_goes_back_to_the_letter(
        self, client, scene, people, target
    ):
        """`redirect()` took such a `next` for the name of a view and answered 500 (fuzz tests)."""
        login(client, people["lao_clerk"])
        response = client.post(scene["urls"]["acknowledge lao"], {"next": target})
        assert response.status_code == 302
        assert response["Location"] == scene["district"].get_absolute_url()

    def test_the_inbox_lists_only_letters_to_the_persons_area(self, client, scene, people):
        login(client, people["other_lao_clerk"])
        page = client.get(scene["urls"]["inbox"]).content.decode()
        assert (
            scene["district"].number not in page
            and say_th("No circular has been sent to you.") in page
        )
        login(client, people["district_officer"])
        page = client.get(scene["urls"]["inbox"]).content.decode()
        assert (
            scene["province"].number in page and scene["district"].number not in page
        )  # not its own letter
        # district 4801 acknowledged the province's letter by forwarding it: nothing waits
        waiting = client.get(scene["urls"]["inbox"], {"waiting": "1"}).content.decode()
        assert (
            scene["province"].number not in waiting
            and say_th("No letter waits for your acknowledgement.") in waiting
        )

    def test_the_pages_are_in_thai_first(self, client, scene, people):
        login(client, people["province_officer"])
        page = client.get(scene["urls"]["detail"]).content.decode()
        for msgid in (
            "Deliveries",
            "Recipient",
            "Delivered on",
            "Acknowledged",
            "Forward this letter",
            "Forward",
        ):
            assert say_th(msgid) in page
        inbox = client.get(scene["urls"]["inbox"]).content.decode()
        assert say_th("Circulars for me") in inbox and say_th("Acknowledge (รับทราบ)") in inbox


# --- at once (PostgreSQL: SQLite serialises every writer) -----------------------------------------


def _at_once(*calls):
    """Run the calls in threads started together; each result or the exception's class name."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test compares
            results[i] = type(exc).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def _postgres_only():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite has no SELECT ... FOR UPDATE and serialises all writers"
        )


@pytest.mark.django_db(transaction=True)
def test_two_dla_officers_publishing_at_once_deliver_once(circulars, people, registry):
    _postgres_only()
    second = make_user("dla2@test.example", kind="dla_officer")
    letter = circulars["dla"]
    results = _at_once(
        lambda: publish_circular(letter, actor=people["dla_officer"]).deliveries_created,
        lambda: publish_circular(letter, actor=second).deliveries_created,
    )
    assert sorted(results) == [0, 3], results
    assert letter.deliveries.count() == 3
    assert Notification.objects.filter(kind="circular").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_colleagues_acknowledging_at_once_record_one_acknowledgement(chain, people):
    _postgres_only()
    delivery = delivery_of(chain, "organization")
    colleague = make_user(
        "lao-colleague@test.example",
        kind="lao_staff",
        organization=delivery.organization,
        position="finance_director",
    )
    results = _at_once(
        lambda: acknowledge(delivery, user=people["lao_clerk"]),
        lambda: acknowledge(delivery, user=colleague),
    )
    assert sorted(results) == [False, True], results
    delivery.refresh_from_db()
    winner = people["lao_clerk"] if results[0] is True else colleague
    assert delivery.acknowledged_by == winner


def test_an_officer_of_two_provinces_chooses_which_one_forwards(client, scene, people, places):
    from accounts.models import Role

    officer = people["province_officer"]
    Role.objects.create(
        user=officer, kind="province_officer", province=places.lao_elsewhere.district.province
    )
    chiang_mai = scene["dla"].deliveries.get(province__code="50")
    login(client, officer)
    page = client.get(scene["urls"]["detail"]).content.decode()
    assert '<select name="delivery"' in page and "จังหวัดเชียงใหม่" in page

    form = {
        "number": "ชม ๐๐๒๓.๓/ว ๙",
        "issued_on": "10/4/2568",
        "subject": "ส่งต่อ",
        "delivery": chiang_mai.pk,
    }
    response = client.post(scene["urls"]["forward"], form)

    letter = Circular.objects.get(number="ชม ๐๐๒๓.๓/ว ๙")
    assert response.status_code == 302 and letter.province.code == "50"
    assert Delivery.objects.get(pk=chiang_mai.pk).acknowledged_by == officer
