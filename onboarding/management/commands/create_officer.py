"""The first DLA officer or administrator of a new portal (or any one officer), by the operator.

    manage.py create_officer --email somchai@dla.go.th --name "สมชาย ใจดี" --role dla_officer
    manage.py create_officer --email admin@dla.go.th --name "ผู้ดูแลระบบ" --role ผู้ดูแลระบบ --password

Without --password the person gets a one-time link (printed here, and sent through the outbox:
inbox and e-mail) to set their password; with it, the password is typed here (twice, hidden; or
one line on standard input when that is not a terminal). Either way they set up an authenticator
app (TOTP) at their first login before any officer page or the admin opens. Run again with the
same person and role, it changes nothing (`scripts/prod.sh` runs it on every start when
FIRST_OFFICER_EMAIL is set); --resend makes a new link for someone who has not used theirs.
"""

import getpass
import sys

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import RoleKind, User
from accounts.roster import Places, role_from_word
from core.mail import where_mail_went
from onboarding import officers


class Command(BaseCommand):
    help = "Create an officer or administrator who sets a password by a one-time link, or here."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="", help="full name (ชื่อ-สกุล)")
        parser.add_argument(
            "--role",
            default=RoleKind.DLA_OFFICER.value,
            help="dla_officer (default), site_admin, province_officer, district_officer, or "
            "the Thai words (เจ้าหน้าที่ สถ., ผู้ดูแลระบบ, เจ้าหน้าที่จังหวัด, เจ้าหน้าที่อำเภอ)",
        )
        parser.add_argument("--province", default="", help="name or code (provincial officer)")
        parser.add_argument("--district", default="", help="name or code (district officer)")
        parser.add_argument(
            "--password", action="store_true", help="type the password here instead of a link"
        )
        parser.add_argument(
            "--resend", action="store_true", help="a new link for someone who has not used theirs"
        )

    def handle(self, *args, email, name, role, province, district, password, resend, **options):
        email = email.strip().lower()
        if resend:
            return self._resend(email)
        kind = role_from_word(role)
        if kind is None:
            raise CommandError(
                f"ไม่รู้จักบทบาท {role!r} / unknown role {role!r}: dla_officer, site_admin, "
                "province_officer or district_officer"
            )
        if kind in (RoleKind.LAO_STAFF, RoleKind.UNIT_STAFF):
            raise CommandError("LAO and unit staff sign up or are invited by an officer.")
        where = self._area(kind, province, district)
        typed = self._read_password(email, name) if password else None
        placed = officers.place_officer(
            full_name=name or email, email=email, kind=kind, password=typed, **where
        )
        if placed.outcome == officers.Outcome.EXISTS:
            self.stdout.write(f"{email} is already {placed.role}: nothing changed.")
            return
        self.stdout.write(f"{email}: {placed.role} ({placed.outcome}).")
        if placed.link:
            self._tell_link(placed.link)
        else:
            self.stdout.write(
                "They log in with that password and set up an authenticator app (TOTP) first."
            )

    def _resend(self, email):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account {email}.")
        if user.has_usable_password():
            raise CommandError(f"{email} has set a password already: they log in.")
        self._tell_link(officers.resend(user))

    def _tell_link(self, link):
        self.stdout.write(
            "One-time link to set the password (also sent through the outbox; valid until the "
            f"end of the {settings.OFFICER_INVITATION_DAYS}th day, Bangkok time):"
        )
        self.stdout.write(f"  {link}")
        notice = where_mail_went()
        if notice:
            self.stdout.write(notice)

    def _area(self, kind, province, district):
        places = Places()
        if kind == RoleKind.PROVINCE_OFFICER:
            found = places.province(province)
            if found is None:
                raise CommandError(f"--province {province!r}: no such province in the registry.")
            return {"province": found}
        if kind == RoleKind.DISTRICT_OFFICER:
            matches = places.district(district, places.province(province) if province else None)
            if len(matches) != 1:
                raise CommandError(
                    f"--district {district!r}: {'several' if matches else 'no'} such district "
                    "in the registry (give its 4-digit code, or --province too)."
                )
            return {"district": matches[0]}
        return {}

    def _read_password(self, email, name):
        if sys.stdin.isatty():
            first = getpass.getpass("Password: ")
            if first != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ: nothing was created.")
        else:
            first = sys.stdin.readline().rstrip("\n")
        try:
            validate_password(first, User(email=email, full_name=name))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        return first
