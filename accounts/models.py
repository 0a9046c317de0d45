"""The portal's user: identified by e-mail address, as allauth logs people in."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.history import EventHistory
from core.scoping import RestrictQuerySet

from .positions import Position


class EmailUserManager(UserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person using the portal: LAO or unit staff, an officer, or an administrator."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.email


class RoleKind(models.TextChoices):
    LAO_STAFF = "lao_staff", _("LAO staff")
    UNIT_STAFF = "unit_staff", _("Unit staff")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    PROVINCE_OFFICER = "province_officer", _("Provincial officer")
    DLA_OFFICER = "dla_officer", _("DLA officer")
    SITE_ADMIN = "site_admin", _("Site administrator")


OFFICER_KINDS = frozenset(
    {RoleKind.DISTRICT_OFFICER, RoleKind.PROVINCE_OFFICER, RoleKind.DLA_OFFICER}
)
REVIEWER_KINDS = frozenset({RoleKind.PROVINCE_OFFICER, RoleKind.DLA_OFFICER})
STAFF_KINDS = frozenset({RoleKind.LAO_STAFF, RoleKind.UNIT_STAFF})


class MembershipStatus(models.TextChoices):
    """Where a role stands. Only an active role grants anything.

    Signing up for an organisation asks for a membership (pending) that someone with authority over
    the organisation approves (active) or refuses; left undecided it expires
    (`onboarding.membership`). Roles given by an invitation, the admin or the demo are active.
    """

    PENDING = "pending", _("Waiting for approval")
    ACTIVE = "active", _("Active")
    REFUSED = "refused", _("Refused")
    EXPIRED = "expired", _("Expired without a decision")


class RoleQuerySet(RestrictQuerySet):
    def active(self):
        """Roles that grant what they say: approved, invited or given by an administrator."""
        return self.filter(status=MembershipStatus.ACTIVE)

    def pending(self):
        return self.filter(status=MembershipStatus.PENDING)

    def confirmed(self):
        """Roles of users who confirmed their e-mail address (allauth's `EmailAddress.verified`)."""
        return self.filter(
            Exists(EmailAddress.objects.filter(user_id=OuterRef("user_id"), verified=True))
        )

    def vetted(self):
        """The staff and officers who count: an active role of an active user whose e-mail address
        is confirmed. Every query that lists, counts, exports or messages people by role starts
        here."""
        return self.active().filter(user__is_active=True).confirmed()


class Role(models.Model):
    """What a user is, and where: staff of an organisation, or an officer of an area.

    LAO and unit staff carry their organisation (LAO staff also a position); a district officer
    a district; a provincial officer a province; DLA officers and site administrators the country.
    A user may hold several roles. A role grants nothing until it is active (`status`): one asked
    for at sign-up waits for approval (`onboarding.membership`).
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("user")
    )
    kind = models.CharField(_("role"), max_length=20, choices=RoleKind.choices)
    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_roles",
        verbose_name=_("organisation"),
    )
    position = models.CharField(_("position"), max_length=30, choices=Position.choices, blank=True)
    district = models.ForeignKey(
        "registry.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officer_roles",
        verbose_name=_("district"),
    )
    province = models.ForeignKey(
        "registry.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officer_roles",
        verbose_name=_("province"),
    )
    invited_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    status = models.CharField(
        _("membership"),
        max_length=10,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
    )
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    history = HistoricalRecords(
        history_change_reason_field=models.TextField(null=True), bases=[EventHistory]
    )

    objects = RoleQuerySet.as_manager()

    class Meta:
        ordering = ["user_id", "kind", "id"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        indexes = [
            models.Index(
                fields=["requested_at"],
                condition=Q(status=MembershipStatus.PENDING),
                name="role_pending_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="role_status_is_known",
                condition=Q(status__in=[s.value for s in MembershipStatus]),
            ),
            models.CheckConstraint(
                name="role_only_staff_wait_for_approval",
                condition=Q(status=MembershipStatus.ACTIVE)
                | Q(kind__in=[RoleKind.LAO_STAFF, RoleKind.UNIT_STAFF], requested_at__isnull=False),
            ),
            models.CheckConstraint(
                name="role_scope_matches_kind",
                condition=(
                    Q(
                        kind=RoleKind.LAO_STAFF,
                        organization__isnull=False,
                        district__isnull=True,
                        province__isnull=True,
                    )
                    & ~Q(position="")
                    | Q(
                        kind=RoleKind.UNIT_STAFF,
                        organization__isnull=False,
                        district__isnull=True,
                        province__isnull=True,
                        position="",
                    )
                    | Q(
                        kind=RoleKind.DISTRICT_OFFICER,
                        organization__isnull=True,
                        district__isnull=False,
                        province__isnull=True,
                        position="",
                    )
                    | Q(
                        kind=RoleKind.PROVINCE_OFFICER,
                        organization__isnull=True,
                        district__isnull=True,
                        province__isnull=False,
                        position="",
                    )
                    | Q(
                        kind__in=[RoleKind.DLA_OFFICER, RoleKind.SITE_ADMIN],
                        organization__isnull=True,
                        district__isnull=True,
                        province__isnull=True,
                        position="",
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=Q(organization__isnull=False),
                name="role_one_per_user_and_organization",
            ),
            models.UniqueConstraint(
                fields=["user", "district"],
                condition=Q(district__isnull=False),
                name="role_one_per_user_and_district",
            ),
            models.UniqueConstraint(
                fields=["user", "province"],
                condition=Q(province__isnull=False),
                name="role_one_per_user_and_province",
            ),
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(kind__in=[RoleKind.DLA_OFFICER, RoleKind.SITE_ADMIN]),
                name="role_one_national_role_of_each_kind",
            ),
        ]

    def __str__(self):
        where = self.organization or self.district or self.province or _("the country")
        return f"{self.get_kind_display()}: {where}"

    @property
    def is_officer(self) -> bool:
        return self.kind in OFFICER_KINDS


class Invitation(models.Model):
    """An officer's invitation to a member of an organisation's staff to sign up.

    Only a hash of the token is stored; the link in the e-mail carries the token itself.
    Accepting it (signing up with the same e-mail address) gives the role it names.
    """

    email = models.EmailField(_("e-mail address"))
    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    position = models.CharField(_("position"), max_length=30, choices=Position.choices, blank=True)
    token_hash = models.CharField(_("token (hash)"), max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["email", "organization"],
                condition=Q(accepted_at__isnull=True),
                name="invitation_one_pending_per_email_and_organization",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.organization}"


class OfficerInvitation(models.Model):
    """A one-time link by which an officer or administrator created by someone else (the
    operator's `create_officer`, or a DLA officer's bulk invitation) sets their password.

    The account and its role exist already; the person has no usable password until they follow
    the link, which works once and until the end of the OFFICER_INVITATION_DAYS-th Bangkok day
    after the day it was made (`onboarding.officers`). Only a hash of the token is stored. Then
    the portal asks them to set up their authenticator app before any officer page opens.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="officer_invitations", verbose_name=_("user")
    )
    token_hash = models.CharField(_("token (hash)"), max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
        help_text=_("Empty: created by the operator's command."),
    )
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("officer invitation")
        verbose_name_plural = _("officer invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(used_at__isnull=True),
                name="officer_invitation_one_open_per_user",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.created_at:%Y-%m-%d})"


class LimitCacheEntry(models.Model):
    """A login rate-limit counter or a used second-factor code, kept in the database while Redis
    is unreachable, so that the limits stay on (core/cache.py). Written and read only
    through settings.CACHES["limits"], Django's database cache, whose table layout this is."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("limit kept while Redis is down")
        verbose_name_plural = _("limits kept while Redis is down")

    def __str__(self):
        return self.cache_key
