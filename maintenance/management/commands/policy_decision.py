from django.core.management.base import BaseCommand, CommandError

from maintenance.services import QuestionError, decision_payload, parse_question, render_payload


class Command(BaseCommand):
    help = (
        "Ask the access policy, as GET /api/policy/decision does, and print the same JSON. "
        "Example: --entity-type lao --action verify_identity --at 2025-04-21T23:59:59+07:00 "
        "--identity-verified no"
    )

    def add_arguments(self, parser):
        parser.add_argument("--entity-type", dest="entity_type", help="lao or unit")
        parser.add_argument("--action", required=True, help="verify_identity or use_system")
        parser.add_argument(
            "--at", help="ISO 8601; without an offset it is Bangkok time; default now"
        )
        parser.add_argument("--identity-verified", dest="identity_verified", help="yes/no (LAOs)")
        parser.add_argument("--org", help="a 7-digit DLA code, instead of --entity-type")

    def handle(self, *args, **options):
        params = {
            k: options.get(k) for k in ("entity_type", "action", "at", "identity_verified", "org")
        }
        try:
            question = parse_question(params)
        except QuestionError as exc:
            raise CommandError(f"--{exc.param.replace('_', '-')}: {exc.message}") from None
        self.stdout.write(render_payload(decision_payload(question)))
