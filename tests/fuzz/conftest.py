"""The scene the fuzz tests play on, and the tally they print at the end of the session.

The scene: the actors and their places (tests/actors.py), the reference circulars, the portal's
clock inside the window (5–21 April 2568: LAOs may verify, units may use the system). The LAO
clerk also works for the other LAO and for the LAO in Chiang Mai, so that each of the
requester's forms is open to them: a submitted request with a PDF at the first (for the
reviewers), a draft at the second (to edit), none at the third (to file). DLA's letter is
published, forwarded by the province and by the district (deliveries down to the LAO, messages);
an invitation, a password reset key and an e-mail confirmation key. Every id and key of it is
offered to the fuzzers alongside junk, and the values its forms take (`values`).
"""

import datetime as dt
import logging

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Invitation, Role
from accounts.services import token_hash
from circulars.intake.drafts import save_draft
from circulars.intake.extract import extract as intake_extract
from circulars.intake.parse import parse
from circulars.intake.rules import propose
from circulars.models import Circular, CircularDraft, Delivery, DraftPage
from circulars.services import forward_circular, publish_circular
from core import clock
from core.national_id import with_check_digit
from notifications.models import Notification
from onboarding import services
from onboarding.models import Evidence, VerificationRequest
from registry.models import District, Organization, Province
from tests.actors import PASSWORD
from tests.circulars.scans import REFERENCE as INTAKE_REFERENCE

IN_THE_WINDOW = "2025-04-10T09:00:00+07:00"
INVITATION_TOKEN = "fuzz-invitation-token-0123456789abcdef"


def _request(clerk, org, position, *, submit, first12="110170020345"):
    data = services.RequestData(
        full_name=clerk.full_name,
        national_id=with_check_digit(first12),
        position=position,
        appointment_order_number="123/2567",
        appointment_date=dt.date(2024, 10, 1),
        consent=True,
    )
    pdf = SimpleUploadedFile("order.pdf", b"%PDF-1.4 appointment order", "application/pdf")
    return services.create_request(
        requester=clerk, organization=org, data=data, files=[pdf], submit=submit
    )


@pytest.fixture
def scene(actors, places, circulars, portal_clock):
    portal_clock(IN_THE_WINDOW)
    clerk = actors["lao_clerk"]
    for org in (places.other_lao, places.lao_elsewhere):
        Role.objects.create(
            user=clerk, kind="lao_staff", organization=org, position="finance_officer"
        )
    _request(clerk, places.lao, "permanent_secretary", submit=True)
    _request(clerk, places.other_lao, "finance_officer", submit=False, first12="310170020345")
    _request(
        actors["other_lao_clerk"],
        places.other_lao,
        "finance_director",
        submit=False,
        first12="510170020345",
    )
    publish_circular(circulars["dla"], actor=actors["dla_officer"])
    province_letter = forward_circular(
        circulars["dla"],
        actor=actors["province_officer"],
        number="นพ ๐๐๒๓.๕/ว ๑๖๐๐",
        issued_on=dt.date(2025, 4, 9),
        subject=circulars["dla"].subject,
    ).circular
    forward_circular(
        province_letter,
        actor=actors["district_officer"],
        number="นพ ๐๐๒๓.๑๗/ว ๕๐๐",
        issued_on=dt.date(2025, 4, 10),
        subject=province_letter.subject,
    )
    # A letter taken in by the province, waiting for review, with a page (its number is its id).
    text = INTAKE_REFERENCE.read_bytes()
    extracted = intake_extract(text)
    draft = save_draft(
        data=text,
        name="reference.txt",
        extracted=extracted,
        proposal=propose(parse(extracted.text, extracted.source)),
        user=actors["province_officer"],
    )
    DraftPage.objects.create(draft=draft, number=1, image=b"\x89PNG\r\n\x1a\n", text="")
    now = clock.now()
    Invitation.objects.create(
        email="new-clerk@test.example",
        organization=places.lao,
        position="finance_director",
        token_hash=token_hash(INVITATION_TOKEN),
        invited_by=actors["province_officer"],
        created_at=now,
        expires_at=now + dt.timedelta(days=14),
    )
    unverified = EmailAddress.objects.create(
        user=clerk, email="lao-clerk-2@test.example", verified=False, primary=False
    )
    ids = {
        model.__name__: [
            str(pk) for pk in model.objects.order_by("pk").values_list("pk", flat=True)
        ]
        for model in (
            Circular,
            CircularDraft,
            DraftPage,
            Delivery,
            Organization,
            VerificationRequest,
            Evidence,
            Notification,
            Province,
            District,
            Role,
        )
    }
    every_id = sorted({pk for pks in ids.values() for pk in pks}, key=int)
    known = {
        "code": ["48", "4801", "4802", "50", "5001", "๔๘", "๔๘๐๑"],
        "dla_code": ["6480199", "6480299", "6500199", "๖๔๘๐๑๙๙"],
        "table": ["late", "summary"],
        "fmt": ["csv", "xlsx"],
        "token": [INVITATION_TOKEN],
        "uidb36": [user_pk_to_url_str(clerk)],
        "key": [
            default_token_generator.make_token(clerk),
            EmailConfirmationHMAC(unverified).key,
        ],
        "app_label": ["accounts", "notifications", "auth", "account", "mfa"],
    }
    values = {
        "version": ["1", "2", "0"],
        "province": ["48", "50", "๔๘"],
        "district": ["4801", "4802", "5001"],
        "in_district": ["4801", "4802"],
        "org": ids["Organization"],
        "organization": ids["Organization"],
        "organization_code": ["6480199", "6480299", "6500199", *ids["Organization"]],
        "delivery": ids["Delivery"],
        "remove_evidence": ids["Evidence"],
        "consent": ["on", "true"],
        "national_id": [with_check_digit("710170020345"), "1-1017-00203-45-0"],
        "appointment_date": ["1/10/2567", "2024-10-01", "๑/๑๐/๒๕๖๗"],
        "issued_on": ["9/4/2568", "10 เม.ย. 2568"],
        "number": ["นพ ๐๐๒๓.๑๗/ว ๖๐๐", "ที่ 1/2568"],
        "subject": ["เรื่อง การยืนยันตัวตน"],
        "full_name": ["สมศรี ใจดี"],
        "appointment_order_number": ["123/2567"],
        "email": ["new-clerk@test.example", "lao-clerk@test.example"],
        "password": [PASSWORD],
        "password1": [PASSWORD],
        "password2": [PASSWORD],
        "oldpassword": [PASSWORD],
        "next": ["/my/", "/review/", "https://evil.example/", "//evil.example/"],
        "page": ["1", "2", "last", "0", "-1"],
        "q": ["นคร", "6480199", "๖๔๘", "ทดสอบ"],
        "date": ["5/4/2568", "2025-04-05", "๕ เม.ย. ๒๕๖๘"],
        "order": ["name", "state", "activity", "district"],
        "waiting": ["1"],
        "download": ["1"],
        "submit": ["1"],
        "language": ["th", "en"],
        "at": ["2025-04-21T23:59:59+07:00", "2568-04-04T00:00:00"],
        "identity_verified": ["true", "false"],
    }
    return {
        "actors": actors,
        "places": places,
        "ids": every_id,
        "ids_by_model": ids,
        "known": known,
        "values": values,
    }


@pytest.fixture
def quiet_request_log():
    """4xx answers are what the fuzzers expect: log only errors (a 500 still logs)."""
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    yield
    for lg, level in zip(loggers, levels, strict=True):
        lg.setLevel(level)
