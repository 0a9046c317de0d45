"""Invite a province's list of officers (CSV or XLSX) by e-mail, as `/officers/invite/` does.

    manage.py invite_officers raychue-nakhonphanom.xlsx
    manage.py invite_officers officers.csv --check      # read and report only; nothing written

Each good row gets an account, its role and a one-time link by e-mail (the outbox); each bad row
is reported, in Thai, with its row number and what is wrong, and nothing is done for it. Rows
whose person already has the role change nothing, so the corrected file can be sent again.
The exit status is 1 when a row was bad.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.roster import RosterError, read_roster
from core.mail import where_mail_went
from onboarding import officers


class Command(BaseCommand):
    help = "Invite officers from a CSV or XLSX list (Thai headers); bad rows reported in Thai."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--check", action="store_true", help="read and report; write nothing")

    def handle(self, *args, path, check, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"ไม่พบไฟล์ {path} / no file {path}")
        try:
            roster = read_roster(file.read_bytes(), file.name)
        except RosterError as exc:
            raise CommandError(f"{exc.th} / {exc.en}") from None
        placed = [] if check else officers.invite_officers(roster.rows)
        with translation.override("th"):
            for p in placed:
                self.stdout.write(f"{p.user.email}\t{p.role}\t{p.outcome.label}")
        counts = {o: sum(1 for p in placed if p.outcome == o) for o in officers.Outcome}
        self.stdout.write(
            f"แถวที่ถูกต้อง {len(roster.rows)} แถว"
            + (
                ""
                if check
                else f": เชิญ {counts[officers.Outcome.INVITED]}"
                f" เพิ่มบทบาท {counts[officers.Outcome.ROLE_ADDED]}"
                f" มีอยู่แล้ว {counts[officers.Outcome.EXISTS]}"
            )
            + f"; แถวที่ไม่ถูกต้อง {len(roster.problems)} แถว (ไม่ได้ดำเนินการ)"
        )
        for problem in roster.problems:
            self.stdout.write(f"แถวที่ {problem.line}: {'; '.join(problem.th)}")
        notice = where_mail_went()
        if notice and counts[officers.Outcome.INVITED]:
            self.stdout.write(notice)
        if roster.problems:
            raise SystemExit(1)
