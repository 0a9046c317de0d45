"""The first officer and officers in bulk (issue 22, item 1).

The operator's `create_officer` makes the first DLA officer or administrator; `invite_officers`
(and /officers/invite/) invite a province's list. Each invitation is a message in the outbox with
a one-time link that expires at the end of the OFFICER_INVITATION_DAYS-th Bangkok day; following
it sets the password, and the officer pages then ask for an authenticator app first.
"""

import io
import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import MembershipStatus, OfficerInvitation, Role, RoleKind, User
from notifications.models import Kind, Notification
from onboarding import officers
from tests.actors import login

NEW_PASSWORD = "ตั้งรหัสผ่านใหม่-2568-long"  # noqa: S105 - a test password
LINK = re.compile(r"https?://\S+/officers/welcome/[\w-]+/")


@pytest.fixture
def portal_at(settings):
    settings.PORTAL_URL = "http://testserver"
    settings.OFFICER_INVITATION_DAYS = 7


def run(*args, stdin: str | None = None, monkeypatch=None) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def link_in(text: str) -> str:
    found = LINK.search(text)
    assert found, text
    return found.group(0)


# --- The first officer ----------------------------------------------------------------------
def test_the_first_dla_officer_gets_a_one_time_link_in_the_outbox_and_on_the_terminal(
    db, portal_at
):
    said = run(
        "create_officer", "--email", "Somchai@DLA.go.th", "--name", "สมชาย ใจดี", "--role", "dla"
    )
    user = User.objects.get(email="somchai@dla.go.th")
    assert not user.has_usable_password()
    role = Role.objects.get(user=user)
    assert role.kind == RoleKind.DLA_OFFICER and role.status == MembershipStatus.ACTIVE
    [note] = Notification.objects.filter(recipient=user, kind=Kind.OFFICER_INVITATION)
    link = link_in(said)
    assert link in note.body_text and f'href="{link}"' in note.body_html
    assert link.startswith("http://testserver/")


def test_creating_the_same_officer_again_changes_nothing(db, portal_at):
    run("create_officer", "--email", "a@dla.go.th", "--name", "ก", "--role", "เจ้าหน้าที่ สถ.")
    again = run("create_officer", "--email", "a@dla.go.th", "--name", "ก", "--role", "dla_officer")
    assert "nothing changed" in again
    assert OfficerInvitation.objects.count() == 1
    assert Notification.objects.count() == 1 and Role.objects.count() == 1


def test_an_administrator_is_staff_of_the_admin_site(db, portal_at):
    run("create_officer", "--email", "admin@dla.go.th", "--name", "ผู้ดูแล", "--role", "ผู้ดูแลระบบ")
    user = User.objects.get(email="admin@dla.go.th")
    assert user.is_staff and user.is_superuser
    assert Role.objects.get(user=user).kind == RoleKind.SITE_ADMIN


def test_a_password_typed_by_the_operator_needs_no_link(db, portal_at, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{NEW_PASSWORD}\n"))
    said = run("create_officer", "--email", "b@dla.go.th", "--name", "ข", "--password")
    user = User.objects.get(email="b@dla.go.th")
    assert user.check_password(NEW_PASSWORD) and not LINK.search(said)
    assert EmailAddress.objects.get(user=user).verified
    assert not Notification.objects.exists() and not OfficerInvitation.objects.exists()


def test_a_weak_typed_password_creates_nothing(db, portal_at, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("12345\n"))
    with pytest.raises(CommandError):
        run("create_officer", "--email", "c@dla.go.th", "--name", "ค", "--password")
    assert not User.objects.exists()


def test_an_unknown_role_or_province_creates_nothing(db, portal_at, places):
    with pytest.raises(CommandError, match="unknown role"):
        run("create_officer", "--email", "d@dla.go.th", "--role", "นายก")
    with pytest.raises(CommandError, match="province"):
        run("create_officer", "--email", "d@dla.go.th", "--role", "จังหวัด", "--province", "ไม่มี")
    assert not User.objects.exists()


def test_a_provincial_officer_by_thai_digits_code(db, portal_at, places):
    run("create_officer", "--email", "p@dla.go.th", "--role", "สถจ.", "--province", "๔๘")
    role = Role.objects.get(user__email="p@dla.go.th")
    assert role.kind == RoleKind.PROVINCE_OFFICER and role.province.code == "48"


# --- Following the link ----------------------------------------------------------------------
def test_the_link_sets_the_password_then_the_officer_must_set_up_totp(client, db, portal_at):
    link = link_in(run("create_officer", "--email", "e@dla.go.th", "--name", "จ"))
    path = link.removeprefix("http://testserver")
    page = client.get(path)
    assert page.status_code == 200 and "e@dla.go.th" in page.content.decode()
    done = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"].startswith(reverse("mfa_activate_totp"))
    user = User.objects.get(email="e@dla.go.th")
    assert user.check_password(NEW_PASSWORD) and EmailAddress.objects.get(user=user).verified
    # Logged in, but every officer page sends them to the authenticator first.
    review = client.get(reverse("onboarding:review_queue"))
    assert review.status_code == 302 and review["Location"].startswith(reverse("mfa_activate_totp"))
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    assert not Authenticator.objects.filter(user=user).exists()


def test_the_link_works_once(client, db, portal_at):
    link = link_in(run("create_officer", "--email", "f@dla.go.th", "--name", "ฉ"))
    path = link.removeprefix("http://testserver")
    form = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post(path, form).status_code == 302
    client.logout()
    assert client.get(path).status_code == 404
    assert client.post(path, form | {"new_password1": "x" + NEW_PASSWORD}).status_code == 404


def test_a_bad_password_at_the_link_changes_nothing(client, db, portal_at):
    link = link_in(run("create_officer", "--email", "g@dla.go.th", "--name", "ช"))
    path = link.removeprefix("http://testserver")
    response = client.post(path, {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 400
    assert not User.objects.get(email="g@dla.go.th").has_usable_password()
    assert OfficerInvitation.objects.get().used_at is None


@pytest.mark.parametrize(
    ("now", "works"),
    [
        ("2025-04-08T23:59:59+07:00", True),  # sent 1 April, 7 days: the last second
        ("2025-04-09T00:00:00+07:00", False),  # midnight after the 7th day
    ],
)
def test_the_link_expires_at_midnight_after_the_last_day(
    client, db, portal_at, portal_clock, now, works
):
    portal_clock("2025-04-01T00:00:00+07:00")
    link = link_in(run("create_officer", "--email", "h@dla.go.th", "--name", "ซ"))
    path = link.removeprefix("http://testserver")
    portal_clock(now)
    assert client.get(path).status_code == (200 if works else 404)
    form = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post(path, form).status_code == (302 if works else 404)


def test_a_link_sent_at_2359_on_1_april_counts_from_1_april(db, portal_at, portal_clock):
    from core.clock import parse_instant

    sent = portal_clock("2025-04-01T23:59:59+07:00")
    run("create_officer", "--email", "i@dla.go.th", "--name", "ฌ")
    invitation = OfficerInvitation.objects.get()
    assert sent <= invitation.created_at < parse_instant("2025-04-02T00:00:00+07:00")
    assert invitation.expires_at == parse_instant("2025-04-09T00:00:00+07:00")


def test_resend_makes_a_new_link_and_the_old_one_stops_working(client, db, portal_at):
    old = link_in(run("create_officer", "--email", "j@dla.go.th", "--name", "ญ"))
    new = link_in(run("create_officer", "--email", "j@dla.go.th", "--resend"))
    assert old != new
    assert client.get(old.removeprefix("http://testserver")).status_code == 404
    assert client.get(new.removeprefix("http://testserver")).status_code == 200


# --- Inviting a province's list --------------------------------------------------------------
ROSTER_CSV = """\
บัญชีรายชื่อเจ้าหน้าที่ผู้ใช้งานระบบ จังหวัดนครพนม
ลำดับ,ชื่อ-สกุล,อีเมล,ตำแหน่ง/บทบาท,จังหวัด,อำเภอ,โทรศัพท์
๑,นางสาวสมใจ รักงาน,somjai@nakhonphanom.go.th,ท้องถิ่นจังหวัดนครพนม,นครพนม,,๐๔๒-๕๑๑-๐๐๐
๒,นายสมศักดิ์ ตั้งใจ,somsak@nakhonphanom.go.th,เจ้าหน้าที่อำเภอ,จ.นครพนม,อำเภอเมืองนครพนม,
๓,นายวิชัย ปลาปาก,wichai@nakhonphanom.go.th,district officer,,๔๘๐๒,
๔,นางมาลี ไม่มีเมล,,เจ้าหน้าที่อำเภอ,นครพนม,เมืองนครพนม,
๕,นายดำ ผิดอำเภอ,dam@nakhonphanom.go.th,เจ้าหน้าที่อำเภอ,นครพนม,เมืองเชียงใหม่,
๖,นายแดง บทบาทแปลก,daeng@nakhonphanom.go.th,นายกเทศมนตรี,นครพนม,,
๗,นายซ้ำ อีเมลซ้ำ,SOMJAI@nakhonphanom.go.th,เจ้าหน้าที่จังหวัด,นครพนม,,
"""


def test_a_roster_with_thai_headers_and_digits_invites_the_good_rows_and_names_the_bad(
    db, portal_at, places, tmp_path
):
    file = tmp_path / "nakhonphanom.csv"
    file.write_text(ROSTER_CSV, encoding="utf-8-sig")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("invite_officers", str(file), stdout=out)
    said = out.getvalue()
    assert exited.value.code == 1
    roles = {r.user.email: r for r in Role.objects.select_related("user", "district", "province")}
    assert set(roles) == {
        "somjai@nakhonphanom.go.th",
        "somsak@nakhonphanom.go.th",
        "wichai@nakhonphanom.go.th",
    }
    assert roles["somjai@nakhonphanom.go.th"].province.code == "48"
    assert roles["somsak@nakhonphanom.go.th"].district.code == "4801"
    assert roles["wichai@nakhonphanom.go.th"].district.code == "4802"
    assert Notification.objects.filter(kind=Kind.OFFICER_INVITATION).count() == 3
    # Rows 6-9 of the sheet (a title row and the header above), each with its reason in Thai.
    assert "แถวที่ 6: ไม่มีอีเมล" in said
    assert "แถวที่ 7: ไม่พบอำเภอ “เมืองเชียงใหม่” ในจังหวัดนครพนม" in said
    assert "แถวที่ 8: ไม่รู้จักบทบาท “นายกเทศมนตรี”" in said
    assert "แถวที่ 9: อีเมล somjai@nakhonphanom.go.th ซ้ำกับแถวที่ 3" in said
    assert not User.objects.filter(email__in=["dam@nakhonphanom.go.th", "daeng@nakhonphanom.go.th"])

    # The corrected file sent again invites nobody twice.
    with pytest.raises(SystemExit):
        call_command("invite_officers", str(file), stdout=io.StringIO())
    assert Notification.objects.filter(kind=Kind.OFFICER_INVITATION).count() == 3
    assert OfficerInvitation.objects.count() == 3


def test_a_roster_saved_by_thai_excel_as_windows_874_is_read(db, portal_at, places, tmp_path):
    file = tmp_path / "roster.csv"
    file.write_bytes(
        "ชื่อ - นามสกุล;อีเมล์;บทบาท;จังหวัด\nนายทดสอบ หนึ่ง;one@np.go.th;สถจ.;48\n".encode("cp874")
    )
    call_command("invite_officers", str(file), stdout=io.StringIO())
    role = Role.objects.get(user__email="one@np.go.th")
    assert role.kind == RoleKind.PROVINCE_OFFICER and role.user.full_name == "นายทดสอบ หนึ่ง"


def test_an_xlsx_roster_with_numbers_as_codes_is_read(db, portal_at, places, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["รายชื่อผู้ใช้งาน อำเภอในจังหวัดนครพนม"])
    sheet.append([])
    sheet.append(["ที่", "ชื่อ-สกุล", "E-mail", "ตำแหน่ง", "จังหวัด", "อำเภอ"])
    sheet.append([1, "นายหนึ่ง อำเภอ", "one@np.go.th", "ท้องถิ่นอำเภอเมืองนครพนม", 48, 4801])
    sheet.append([2, "นายสอง จังหวัด", "two@np.go.th", "Provincial officer", 48.0, None])
    sheet.append([3, "", "three@np.go.th", "district", 48, 4801])
    path = tmp_path / "roster.xlsx"
    book.save(path)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("invite_officers", str(path), stdout=out)
    kinds = dict(Role.objects.values_list("user__email", "kind"))
    assert kinds == {
        "one@np.go.th": RoleKind.DISTRICT_OFFICER,
        "two@np.go.th": RoleKind.PROVINCE_OFFICER,
    }
    assert "แถวที่ 6: ไม่มีชื่อ-สกุล" in out.getvalue()


def test_check_reads_and_reports_but_writes_nothing(db, portal_at, places, tmp_path):
    file = tmp_path / "roster.csv"
    file.write_text(ROSTER_CSV, encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("invite_officers", str(file), "--check", stdout=out)
    assert "แถวที่ถูกต้อง 3 แถว" in out.getvalue()
    assert not User.objects.exists() and not Notification.objects.exists()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"PK\x03\x04not really a workbook", "XLSX"),
        ("ชื่อ,โทรศัพท์\nก,1\n".encode(), "ไม่พบแถวหัวตาราง"),
        (b"name,email\n" + b"a," + b"x" * 200_000 + b"\n", "CSV"),
    ],
)
def test_an_unreadable_file_is_refused_whole(db, portal_at, tmp_path, content, says):
    file = tmp_path / ("roster.xlsx" if content.startswith(b"PK") else "roster.csv")
    file.write_bytes(content)
    with pytest.raises(CommandError, match=says):
        call_command("invite_officers", str(file), stdout=io.StringIO())
    assert not User.objects.exists()


def test_a_district_name_found_in_two_provinces_needs_the_province(db, portal_at, places):
    from accounts.roster import read_roster
    from registry.models import District

    District.objects.create(
        code="5099", province=places.lao_elsewhere.district.province, name_th="ปลาปาก"
    )
    roster = read_roster("ชื่อ-สกุล,อีเมล,อำเภอ\nนายก ข,k@np.go.th,ปลาปาก\n".encode(), "r.csv")
    [problem] = roster.problems
    assert "หลายจังหวัด" in problem.th[0] and not roster.rows


# --- The page -------------------------------------------------------------------------------
def test_a_dla_officer_invites_a_list_from_the_page(client, db, portal_at, actors, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MAIL_DESTINATION = "console"
    login(client, actors["dla_officer"])
    upload = SimpleUploadedFile("np.csv", ROSTER_CSV.encode(), content_type="text/csv")
    response = client.post(reverse("onboarding:officer_invite"), {"roster": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert Notification.objects.filter(kind=Kind.OFFICER_INVITATION).count() == 3
    assert (
        "นายกเทศมนตรี" in page and "เขียนไว้ในบันทึกของเซิร์ฟเวอร์" in page
    )  # where the mail went, in Thai
    role = Role.objects.get(user__email="somjai@nakhonphanom.go.th")
    assert role.invited_by == actors["dla_officer"]


@pytest.mark.parametrize("actor", ["province_officer", "district_officer", "lao_clerk"])
def test_only_dla_officers_and_administrators_open_the_invite_page(
    client, db, portal_at, actors, actor
):
    login(client, actors[actor])
    assert client.get(reverse("onboarding:officer_invite")).status_code == 403
    assert client.post(reverse("onboarding:officer_invite")).status_code == 403


def test_the_invite_page_sends_an_anonymous_visitor_to_log_in(client, db):
    response = client.get(reverse("onboarding:officer_invite"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_officer_cannot_invite_through_the_service_without_the_right(db, actors, places):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        officers.place_officer(
            full_name="x",
            email="x@np.go.th",
            kind=RoleKind.DLA_OFFICER,
            invited_by=actors["province_officer"],
        )
    assert not User.objects.filter(email="x@np.go.th").exists()


def test_a_district_code_of_another_province_is_named_and_nothing_done(db, places):
    from accounts.roster import read_roster

    roster = read_roster(
        "ชื่อ-สกุล,อีเมล,จังหวัด,อำเภอ\nนายก ข,k@np.go.th,นครพนม,๕๐๐๑\n".encode(), "r.csv"
    )
    [problem] = roster.problems
    assert problem.th == ["อำเภอ “5001” ไม่อยู่ในจังหวัดนครพนม"] and not roster.rows
