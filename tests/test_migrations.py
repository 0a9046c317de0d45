"""Models that moved between apps keep their tables and rows: a database filled at the old
schema (registry models in `onboarding`, the clock's setting in `maintenance`) migrates to the
new one, and every row is found through the new models, with their history and links."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

OLD = [
    ("onboarding", "0002_historicalorganization_first_login_at_and_more"),
    ("maintenance", "0002_clocksetting"),
    ("accounts", "0003_invitation"),
    ("circulars", "0003_published_and_deliveries"),
    ("registry", None),
    ("core", None),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_old_schema_keeps_its_rows_through_the_move():
    old = migrate(OLD)
    Province = old.get_model("onboarding", "Province")
    District = old.get_model("onboarding", "District")
    Organization = old.get_model("onboarding", "Organization")
    HistoricalOrganization = old.get_model("onboarding", "HistoricalOrganization")
    ClockSetting = old.get_model("maintenance", "ClockSetting")
    User = old.get_model("accounts", "User")
    Role = old.get_model("accounts", "Role")
    VerificationRequest = old.get_model("onboarding", "VerificationRequest")
    ContentType = old.get_model("contenttypes", "ContentType")

    province = Province.objects.create(code="48", name_th="นครพนม")
    district = District.objects.create(code="4801", province=province, name_th="เมืองนครพนม")
    lao = Organization.objects.create(
        kind="SAO", dla_code="6480101", name_th="หนองญาติ", district=district
    )
    unit = Organization.objects.create(
        kind="SCHOOL", name_th="โรงเรียนบ้านหนองญาติ", district=district, parent=lao
    )
    HistoricalOrganization.objects.create(
        id=lao.id,
        kind="SAO",
        dla_code="6480101",
        name_th="หนองญาติ (เดิม)",
        district_id=district.id,
        history_date=timezone.now(),
        history_type="+",
        is_generated=False,
        type_digit="",
        full_name_th="",
        name_en="",
        name_en_source="",
        office_district_th="",
    )
    set_to = dt.datetime(2025, 4, 3, 2, 0, tzinfo=dt.UTC)
    ClockSetting.objects.create(pk=1, set_to=set_to, set_at=timezone.now(), set_by="old")
    user = User.objects.create(email="clerk@example.test", password="!")
    Role.objects.create(user=user, kind="lao_staff", organization=lao, position="finance_director")
    VerificationRequest.objects.create(
        organization=lao,
        requester=user,
        full_name="สมชาย ใจดี",
        national_id_hash="0" * 64,
        national_id_last4="1234",
        position="finance_director",
        appointment_order_number="1/2568",
        appointment_date=dt.date(2025, 1, 1),
        consent_at=timezone.now(),
        created_at=timezone.now(),
    )
    # As in a database that never had the registry app (the test database has all of them).
    ContentType.objects.filter(app_label="registry").delete()
    ContentType.objects.get_or_create(app_label="onboarding", model="organization")

    new = migrate(
        MigrationExecutor(connection).loader.graph.leaf_nodes()
    )  # the newest state of every app
    NewOrganization = new.get_model("registry", "Organization")
    NewHistory = new.get_model("registry", "HistoricalOrganization")
    NewClock = new.get_model("core", "ClockSetting")
    NewRole = new.get_model("accounts", "Role")
    NewRequest = new.get_model("onboarding", "VerificationRequest")
    NewContentType = new.get_model("contenttypes", "ContentType")

    assert NewOrganization.objects.count() == 2
    moved_unit = NewOrganization.objects.get(pk=unit.pk)
    assert moved_unit.parent_id == lao.pk
    assert moved_unit.district.province.code == "48"
    assert NewHistory.objects.get(id=lao.id).name_th == "หนองญาติ (เดิม)"
    assert NewClock.objects.get(pk=1).set_to == set_to
    assert NewRole.objects.get(user__email="clerk@example.test").organization.dla_code == "6480101"
    assert NewRole.objects.get(user__email="clerk@example.test").status == "active"  # accounts 0007
    assert NewRequest.objects.get().organization.name_th == "หนองญาติ"
    assert NewContentType.objects.filter(app_label="registry", model="organization").exists()
    assert not NewContentType.objects.filter(app_label="onboarding", model="organization").exists()


@pytest.mark.django_db(transaction=True)
def test_stored_numbers_are_normalised_again_when_normalize_number_changes():
    """circulars 0008: rows stored before normalize_number folded กค405.4 to กค 405.4 and ว.617 to
    ว 617 get the new form (a search by either spelling finds them); a row that now repeats
    another's number and date keeps its old form, as the unique constraint forbids two alike."""
    old = migrate([("circulars", "0007_letter_kind")])
    Circular = old.get_model("circulars", "Circular")
    common = {"authority": 1, "issuer_name": "กรมบัญชีกลาง", "subject": "ทดสอบ", "recipients": "-"}
    stored = [
        ("กค405.4/ว.395", "กค405.4/ว.395", dt.date(2016, 2, 24)),
        ("มท 0810.5/ว.617", "มท 0810.5/ว.617", dt.date(2017, 3, 21)),
        ("มท 0810.5/ว 617", "มท 0810.5/ว 617", dt.date(2017, 3, 22)),
        ("มท0810.5/ว617", "มท0810.5/ว617", dt.date(2017, 3, 22)),  # repeats the row above
    ]
    ids = [
        Circular.objects.create(
            number=number,
            number_normalized=normalized,
            number_compact=normalized.replace(" ", ""),
            issued_on=day,
            **common,
        ).pk
        for number, normalized, day in stored
    ]

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    rows = new.get_model("circulars", "Circular").objects.in_bulk(ids)
    assert [(rows[i].number_normalized, rows[i].number_compact) for i in ids] == [
        ("กค 405.4/ว 395", "กค405.4/ว395"),
        ("มท 0810.5/ว 617", "มท0810.5/ว617"),
        ("มท 0810.5/ว 617", "มท0810.5/ว617"),
        ("มท0810.5/ว617", "มท0810.5/ว617"),
    ]


@pytest.mark.django_db(transaction=True)
def test_history_written_as_prose_becomes_events_in_either_language():
    """onboarding 0005, accounts 0010, registry 0002: reasons written as prose (Thai or English,
    with remarks after the label, ThaID's digits, the membership's days) become events with their
    data; prose no event matches is kept as a legacy note with its text; a withdrawn request's
    own reason is the requester's remarks; a loader's row without reason stays without event."""
    old = migrate(
        [
            ("onboarding", "0004_verificationrequest_thaid_proof"),
            ("accounts", "0009_officer_invitation"),
            ("registry", "0001_initial"),
        ]
    )
    History = old.get_model("onboarding", "HistoricalVerificationRequest")
    now = timezone.now()
    request = {
        "id": 1,
        "organization_id": 1,
        "requester_id": 1,
        "full_name": "สมหญิง ใจดี",
        "national_id_last4": "1234",
        "position": "clerk",
        "appointment_order_number": "1/2568",
        "appointment_date": dt.date(2025, 1, 2),
        "consent_at": now,
        "version": 1,
        "created_at": now,
        "history_date": now,
        "history_type": "~",
    }
    written = [
        ("submitted", "ยื่นคำขอ"),
        ("submitted", "Submitted"),
        ("draft", "บันทึกเป็นฉบับร่าง"),
        ("returned", "ส่งกลับให้แก้ไข: สำเนาบัตรไม่ชัด"),
        ("returned", "Returned for correction: copy unreadable"),
        ("approved", "อนุมัติ"),
        ("rejected", "ไม่อนุมัติ: ไม่ใช่ปลัด"),
        ("withdrawn", "ยื่นผิดตำแหน่ง"),
        ("withdrawn", "ผู้ยื่นคำขอถอนคำขอ"),
        (
            "draft",
            "ไม่รับการยืนยันตัวตนด้วย ThaID: เลขประจำตัวประชาชนจาก ThaID (ลงท้าย 9999) "
            "ไม่ตรงกับเลขในคำขอนี้ (ลงท้าย 1234)",
        ),
        ("draft", "Identity proven by ThaID (assurance level 2.3)"),
        ("submitted", "เอกสารเพิ่มเติม"),  # matches no event
        ("submitted", None),
    ]
    ids = [
        History.objects.create(state=state, history_change_reason=reason, **request).history_id
        for state, reason in written
    ]
    Role = old.get_model("accounts", "HistoricalRole")
    role = {"id": 1, "user_id": 1, "kind": "lao_staff", "created_at": now, "history_date": now}
    role_ids = [
        Role.objects.create(history_change_reason=reason, history_type="~", **role).history_id
        for reason in (
            "Membership requested at sign-up",
            "Membership refused: ไม่พบชื่อ",
            "Expired: not decided within 14 days",
            "Officer put in by chief@dla.go.th",
            "Officer put in by the operator",
            "generate_national_accounts",
        )
    ]
    Org = old.get_model("registry", "HistoricalOrganization")
    org = {"id": 1, "kind": "SAO", "name_th": "หนองญาติ", "history_date": now, "history_type": "~"}
    org_ids = [
        Org.objects.create(history_change_reason=reason, **org).history_id
        for reason in ("Identity verified: required positions approved", None)
    ]

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    def events(model, pks):
        rows = new.get_model(*model).objects.in_bulk(pks)
        return [(rows[pk].history_event, rows[pk].history_data) for pk in pks]

    assert events(("onboarding", "HistoricalVerificationRequest"), ids) == [
        ("submitted", {}),
        ("submitted", {}),
        ("saved_as_draft", {}),
        ("returned", {"remarks": "สำเนาบัตรไม่ชัด"}),
        ("returned", {"remarks": "copy unreadable"}),
        ("approved", {}),
        ("rejected", {"remarks": "ไม่ใช่ปลัด"}),
        ("withdrawn", {"remarks": "ยื่นผิดตำแหน่ง"}),
        ("withdrawn", {}),
        ("thaid_refused", {"theirs": "9999", "ours": "1234"}),
        ("thaid_proven", {"ial": "2.3"}),
        ("legacy_note", {"text": "เอกสารเพิ่มเติม"}),
        ("", {}),
    ]
    assert events(("accounts", "HistoricalRole"), role_ids) == [
        ("membership_requested", {}),
        ("membership_refused", {"remarks": "ไม่พบชื่อ"}),
        ("membership_expired", {"days": 14}),
        ("officer_placed", {"by": "chief@dla.go.th"}),
        ("officer_placed", {}),
        ("legacy_note", {"text": "generate_national_accounts"}),
    ]
    assert events(("registry", "HistoricalOrganization"), org_ids) == [
        ("identity_verified", {}),
        ("", {}),
    ]
