"""Identity verification: requests by LAO staff, their evidence, and the officers' review."""

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import OFFICER_KINDS, REVIEWER_KINDS, Position, RoleKind
from accounts.scope import officer_area, staff_roles
from core.history import EventHistory
from core.scoping import Action, RestrictQuerySet, rule
from registry.models import Organization


class RequestState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, waiting for review")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATES = (RequestState.DRAFT, RequestState.SUBMITTED, RequestState.RETURNED)
# The requester may still change these.
EDITABLE_STATES = (RequestState.DRAFT, RequestState.RETURNED)
# Closed for good: no change leads out of these.
CLOSED_STATES = (RequestState.WITHDRAWN, RequestState.REJECTED)
# An officer's decision.
DECIDED_STATES = (RequestState.APPROVED, RequestState.REJECTED)


class VerificationRequestQuerySet(RestrictQuerySet):
    def _visible_to(self, user):
        """Requests whose page the user may open: their own, and those in an officer's area."""

        if not user.is_authenticated:
            return self.none()
        national, provinces, districts = officer_area(user, OFFICER_KINDS)
        if national:
            return self.all()
        return self.filter(
            Q(requester=user)
            | Q(organization__district__province_id__in=provinces)
            | Q(organization__district_id__in=districts)
        )

    def _reviewable_by(self, user):
        """Requests the user may approve, return or reject (provincial and DLA officers)."""

        if not user.is_authenticated:
            return self.none()
        national, provinces, _districts = officer_area(user, REVIEWER_KINDS)
        if national:
            return self.all()
        return self.filter(organization__district__province_id__in=provinces)

    def _followed_by(self, user):
        """Requests of the LAOs the user is an active member of (their organisation's page lists
        who filed for which position): not the requests' own pages, which `_visible_to` keeps."""

        laos = [r.organization_id for r in staff_roles(user, RoleKind.LAO_STAFF)]
        return self.filter(organization_id__in=laos)

    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def search(self, text: str):
        """Requests of the LAOs found by `text`: words of the LAO's or its district's name, or its
        DLA code in Thai or Arabic digits (`registry.models.OrganizationQuerySet.search`)."""
        if not (text or "").strip():
            return self
        return self.filter(organization__in=Organization.objects.search(text).values("pk"))

    def in_queue_order(self):
        """The reviewers' queue: each request with `first_submitted_at` (when it first came to
        be reviewed) and `resubmitted` (it was returned for correction and came back), oldest
        waiting first. A corrected request keeps the place it took when first submitted instead
        of going to the end of the queue behind everything filed while it was being corrected.

        Both come from the request's history (every state change writes a row): a request written
        without one (the generated demo data) counts as first submitted when it was submitted."""
        history = VerificationRequest.history.model.objects.filter(id=OuterRef("pk"))
        first = history.filter(state=RequestState.SUBMITTED).order_by("history_date")
        return self.annotate(
            first_submitted_at=Coalesce(
                Least(Subquery(first.values("history_date")[:1]), "submitted_at"), "submitted_at"
            ),
            resubmitted=Exists(history.filter(state=RequestState.RETURNED)),
        ).order_by(models.F("first_submitted_at").asc(nulls_last=True), "created_at", "id")


rule("onboarding.VerificationRequest", Action.VIEW)(VerificationRequestQuerySet._visible_to)
rule("onboarding.VerificationRequest", Action.REVIEW)(VerificationRequestQuerySet._reviewable_by)
rule("onboarding.VerificationRequest", Action.FOLLOW)(VerificationRequestQuerySet._followed_by)


class VerificationRequest(models.Model):
    """One LAO staff member's request to have their identity verified for New e-LAAS.

    The national ID number is never stored: only a keyed hash (to find duplicates) and its last
    four digits (to show). Every change goes through `onboarding.services` and is in the history.
    """

    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="verification_requests",
        verbose_name=_("organisation"),
    )
    requester = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="verification_requests",
        verbose_name=_("requester"),
    )
    full_name = models.CharField(_("full name"), max_length=200)
    national_id_hash = models.CharField(_("national ID (keyed hash)"), max_length=64)
    national_id_last4 = models.CharField(_("national ID (last four digits)"), max_length=4)
    position = models.CharField(_("position"), max_length=30)
    appointment_order_number = models.CharField(_("appointment order number"), max_length=100)
    appointment_date = models.DateField(_("appointment order date"))
    consent_at = models.DateTimeField(_("PDPA consent given at"))
    state = models.CharField(
        _("state"), max_length=20, choices=RequestState.choices, default=RequestState.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    remarks = models.TextField(_("officer's remarks or reason"), blank=True)
    # Set when a ThaID sign-in of the requester (at THAID_MIN_IAL or above) named the same national
    # ID: evidence of identity becomes optional; the reviewer still confirms the position.
    thaid_proven_at = models.DateTimeField(_("identity proven by ThaID at"), null=True, blank=True)
    thaid_ial = models.CharField(_("ThaID identity assurance level"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("created at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    history = HistoricalRecords(
        excluded_fields=["national_id_hash"],
        history_change_reason_field=models.TextField(null=True),
        bases=[EventHistory],
    )

    objects = VerificationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("identity verification request")
        verbose_name_plural = _("identity verification requests")
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "organization"],
                condition=Q(state__in=OPEN_STATES),
                name="one_open_verification_request_per_person_and_org",
            ),
            models.CheckConstraint(
                name="verification_request_state_is_known",
                condition=Q(state__in=[s.value for s in RequestState]),
            ),
            models.CheckConstraint(
                name="verification_request_last4_is_digits",
                condition=Q(national_id_last4__regex=r"^[0-9]{4}$"),
            ),
        ]
        indexes = [
            models.Index(
                fields=["submitted_at"],
                condition=Q(state=RequestState.SUBMITTED),
                name="verification_waiting_idx",
            ),
            models.Index(fields=["organization", "state"], name="verification_org_state_idx"),
        ]

    def __str__(self):
        return f"{self.full_name} — {self.organization.display_name} ({self.get_state_display()})"

    def get_absolute_url(self):
        return reverse("onboarding:request", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_editable(self) -> bool:
        """Whether the requester may still change it (a draft, or returned for correction)."""
        return self.state in EDITABLE_STATES

    @property
    def identity_proven_by_thaid(self) -> bool:
        return self.thaid_proven_at is not None

    @property
    def masked_national_id(self) -> str:
        """As on the card (1-2345-67890-12-3), with only the last four digits: X-XXXX-XXXX0-12-3."""
        d = self.national_id_last4
        if len(d) != 4:
            return "X-XXXX-XXXXX-XX-X"
        return f"X-XXXX-XXXX{d[0]}-{d[1:3]}-{d[3]}"

    def get_position_display(self) -> str:

        return dict(Position.choices).get(self.position, self.position)


def evidence_path(instance, filename):

    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
        instance.content_type, "bin"
    )
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class PrivateStorage(FileSystemStorage):
    """Evidence storage under settings.PRIVATE_MEDIA_ROOT, read at each use; no public URL.

    Files are written 0600 and the folders it creates 0700: only the portal's own user reads them.
    """

    @property
    def file_permissions_mode(self):
        return 0o600

    @property
    def directory_permissions_mode(self):
        return 0o700

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def private_storage():
    return PrivateStorage()


class Evidence(models.Model):
    """A file attached to a verification request (PDF, JPEG or PNG, judged by its content).

    Stored under PRIVATE_MEDIA_ROOT with a random name; served only through an authorised view.
    """

    request = models.ForeignKey(
        VerificationRequest,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("request"),
    )
    file = models.FileField(
        _("file"), upload_to=evidence_path, storage=private_storage, max_length=200
    )
    original_name = models.CharField(_("file name as uploaded"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("onboarding:evidence", args=[self.request_id, self.pk])

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
