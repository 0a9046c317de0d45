"""The positions of LAO staff. A module of its own, with no model, so that settings can check
IDENTITY_REQUIRED_POSITIONS against it; `accounts.models` gives it too."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Position(models.TextChoices):
    """An LAO staff member's position, as the verification request names it."""

    CHIEF_EXECUTIVE = "chief_executive", _("Chief executive (นายก/ผู้บริหาร)")
    PERMANENT_SECRETARY = "permanent_secretary", _("Permanent secretary (ปลัด)")
    FINANCE_DIRECTOR = "finance_director", _("Finance director (ผู้อำนวยการกองคลัง)")
    FINANCE_OFFICER = "finance_officer", _("Finance officer (เจ้าหน้าที่การเงิน)")
