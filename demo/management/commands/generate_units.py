"""python manage.py generate_units [--per-lao N | --national] [--seed S] [--province CODE]"""

import re
import time

from django.core.management.base import BaseCommand, CommandError

from demo.units import generate_units
from registry.models import Organization, Province


class Command(BaseCommand):
    help = (
        "Create realistic generated units (schools, child development centres, other units) "
        "under LAOs, marked is_generated. Deterministic with --seed; an LAO that already has "
        "generated units gets none. Default: the national profile by LAO kind (--national)."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--per-lao", type=int, metavar="N", help="exactly N units under each selected LAO"
        )
        mode.add_argument(
            "--national",
            action="store_true",
            help="about 22,000 units over all LAOs, more under PAOs and city municipalities "
            "(the default profile)",
        )
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument("--province", metavar="CODE", help="only LAOs of this province")

    def handle(self, *args, per_lao=None, national=False, seed=0, province=None, **options):
        verbosity = options["verbosity"]
        if per_lao is not None and not 0 <= per_lao <= 500:
            raise CommandError("--per-lao must be between 0 and 500.")
        if province is not None:
            if not re.fullmatch(r"[0-9]{1,2}", province):
                raise CommandError(f"--province {province!r}: give a 2-digit province code.")
            province = province.zfill(2)
            if not Province.objects.filter(code=province).exists():
                raise CommandError(f"--province {province}: no such province in the registry.")
        if not Organization.objects.laos().exists():
            raise CommandError(
                "There are no LAOs yet: run load_registry or generate_demo_registry first."
            )
        started = time.monotonic()

        def progress(message):
            self.stderr.write(f"[{time.monotonic() - started:6.1f}s] {message}")

        result = generate_units(
            per_lao=per_lao,
            seed=seed,
            province=province,
            progress=progress if verbosity >= 1 else None,
        )
        self.stdout.write(result.summary())
