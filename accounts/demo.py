"""Demo accounts for `make run`: created only outside production (settings.DEMO_FEATURES)."""

from allauth.account.models import EmailAddress
from django.db import transaction

from .models import User

DEMO_PASSWORD = "elaas-demo-2568"  # noqa: S105 - documented in README.md, never used in production
DEMO_ACCOUNTS = [
    # (e-mail, full name, is site administrator)
    ("admin@demo.test", "ผู้ดูแลระบบ (demo)", True),
]


@transaction.atomic
def create_demo_accounts() -> list[str]:
    created = []
    for email, name, is_admin in DEMO_ACCOUNTS:
        user, was_created = User.objects.get_or_create(
            email=email, defaults={"full_name": name, "is_staff": is_admin, "is_superuser": is_admin}
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            created.append(email)
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    return created
