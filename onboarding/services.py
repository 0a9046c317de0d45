"""Identity verification: every change of a request is a function here, in one transaction.

Each transition locks the request's row (SELECT ... FOR UPDATE), checks that the state and the
version the person saw are still current, writes the change with its actor and reason into the
history, and bumps the version. Two officers acting at once: the first wins, the second gets a
`StaleRequest` that says what happened. Submitting asks the access policy first.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from accounts.models import Position, RoleKind
from accounts.scope import staff_roles
from accounts.thaid import ial_enough
from accounts.thaid import is_configured as thaid_configured
from core import clock
from core.history import HistoryEvent, record
from core.national_id import NationalIdError, keyed_hash, normalize
from core.scoping import Action
from core.text import strip_invisible
from core.thai import format_datetime
from maintenance.access import may_submit_verification
from registry.models import Organization

from . import notices, quota
from .evidence import MAX_FILES, EvidenceError, inspect
from .models import (
    CLOSED_STATES,
    EDITABLE_STATES,
    OPEN_STATES,
    Evidence,
    RequestState,
    VerificationRequest,
    private_storage,
)
from .positions import LIVE_STATES, PositionRow, position_states


class VerificationError(Exception):
    """A change that cannot be made; `message` says why, in the user's language; `field` names
    the form field it is about (None: the whole request)."""

    field = None

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class NationalIdRefused(VerificationError):
    """The national ID is malformed, or already given for another position of the LAO."""

    field = "national_id"


class StaleRequest(VerificationError):
    """Someone changed the request since the form was shown; nothing was saved."""


class WindowClosed(VerificationError):
    def __init__(self, message, decision):
        super().__init__(message)
        self.decision = decision


class AlreadyOpen(VerificationError):
    def __init__(self, message, existing):
        super().__init__(message)
        self.existing = existing


@dataclass(frozen=True)
class RequestData:
    """What the requester types; the national ID already checked and normalised (13 digits),
    or empty when a correction keeps the number given before. Its repr leaves the number out
    (error reports show the local variables of each frame)."""

    full_name: str
    national_id: str = field(repr=False)
    position: str
    appointment_order_number: str
    appointment_date: dt.date
    consent: bool


# --- helpers ------------------------------------------------------------------------------------


def _lock(pk: int) -> VerificationRequest:
    return VerificationRequest.objects.select_for_update().get(pk=pk)


def _check_current(
    vr: VerificationRequest, expected_version: int | None, allowed_states: tuple[str, ...]
):
    if (
        expected_version is not None and vr.version != expected_version
    ) or vr.state not in allowed_states:
        raise StaleRequest(what_happened(vr))


def what_happened(vr: VerificationRequest) -> str:

    last = vr.history.order_by("-history_id").select_related("history_user").first()
    who = (
        (last.history_user.full_name or last.history_user.email)
        if last and last.history_user
        else _("someone")
    )
    when = format_datetime(last.history_date) if last else ""
    return _(
        "Nothing was saved: this request changed after you opened it. %(who)s made it "
        "“%(state)s” at %(when)s. Read it again below before you act."
    ) % {"who": who, "state": vr.get_state_display(), "when": when}


def _save(vr: VerificationRequest, *, actor, event: HistoryEvent, at: dt.datetime, **data) -> None:
    vr.version += 1
    record(vr, event, **data)
    vr._history_user = actor
    vr._history_date = at
    vr.save()


def _forget_decision(vr: VerificationRequest) -> None:
    """A resubmitted request shows its own state: the decision that returned it (time, officer,
    remarks) stays in its history, not beside "waiting for review"."""
    vr.decided_at, vr.decided_by, vr.remarks = None, None, ""


def _window_open(org: Organization, at: dt.datetime):
    decision = may_submit_verification(org, at)
    if not decision.allowed:
        raise WindowClosed(
            _("Requests cannot be submitted now: %(reason)s")
            % {"reason": decision.reason(_lang())},
            decision,
        )
    return decision


def _lang() -> str:

    return get_language() or "th"


@sensitive_variables("data", "digits")
def _apply(vr: VerificationRequest, data: RequestData, at: dt.datetime) -> None:

    if not data.consent:
        raise VerificationError(
            _("Give your consent to the processing of your personal data (PDPA) to go on.")
        )
    if data.position not in Position.values:
        raise VerificationError(_("Choose your position from the list."))
    vr.full_name = strip_invisible(data.full_name).strip()
    if not vr.full_name:
        raise VerificationError(_("Enter your full name as on your ID card."))
    if data.national_id:  # empty on a correction: the number given before is kept
        try:
            digits = normalize(data.national_id)
        except NationalIdError as exc:
            raise NationalIdRefused(exc.message) from None
        new_hash = keyed_hash(digits)
        if new_hash != vr.national_id_hash:  # another number: a ThaID proof was of the old one
            vr.thaid_proven_at, vr.thaid_ial = None, ""
        vr.national_id_hash = new_hash
        vr.national_id_last4 = digits[-4:]
    elif not vr.national_id_hash:
        raise VerificationError(_("Enter the 13-digit national ID number."))
    vr.position = data.position
    vr.appointment_order_number = data.appointment_order_number.strip()
    vr.appointment_date = data.appointment_date
    vr.consent_at = vr.consent_at or at


def _require_evidence(vr: VerificationRequest) -> None:
    """A request is submitted with evidence, or with its identity proven by ThaID (then the
    evidence of identity is optional; the reviewer still confirms the position)."""
    if vr.thaid_proven_at is None and not vr.evidence.exists():
        message = _("Attach at least one evidence file (PDF, JPEG or PNG) before submitting.")
        if thaid_configured():
            message += " " + _("Or prove your identity with ThaID: then evidence is optional.")
        raise VerificationError(message)


def _one_position_per_person(vr: VerificationRequest) -> None:
    """Refuse a national ID already given in another live request of the LAO for another position.

    One person holds one position per LAO: without this, one person could fill two required
    positions from two accounts. Withdrawn and rejected requests do not count. The LAO's row is
    locked first, so two requests racing with one number are decided one after the other.
    """
    list(Organization.objects.select_for_update().filter(pk=vr.organization_id).values_list("pk"))
    other = (
        VerificationRequest.objects.filter(
            organization_id=vr.organization_id, national_id_hash=vr.national_id_hash
        )
        .exclude(state__in=CLOSED_STATES)
        .exclude(position=vr.position)
        .exclude(pk=vr.pk)
        .order_by("created_at", "pk")
        .first()
    )
    if other is not None:
        raise NationalIdRefused(
            _(
                "This national ID number is already given in another request of this "
                "organisation, for the position “%(position)s” (%(state)s). One person may hold "
                "only one position per LAO: check the number, or have that request withdrawn first."
            )
            % {"position": other.get_position_display(), "state": other.get_state_display()}
        )


def _store_files(vr: VerificationRequest, files, *, actor, at: dt.datetime, written: list) -> None:
    files = list(files or [])
    if vr.pk and vr.evidence.count() + len(files) > MAX_FILES or len(files) > MAX_FILES:
        raise VerificationError(_("At most %(n)d files per request.") % {"n": MAX_FILES})
    checked = []
    for upload in files:
        try:
            checked.append((upload, *inspect(upload)))
        except EvidenceError as exc:
            raise VerificationError(exc.message) from None
    try:
        quota.charge_upload(
            uploader=actor,
            organization=vr.organization,
            size=sum(upload.size for upload, *_rest in checked),
            at=at,
        )
    except quota.QuotaExceeded as exc:
        raise VerificationError(exc.message) from None
    for upload, content_type, sha256 in checked:
        evidence = Evidence(
            request=vr,
            original_name=(strip_invisible(upload.name) or "evidence")[:255],
            content_type=content_type,
            size=upload.size,
            sha256=sha256,
            uploaded_at=at,
            uploaded_by=actor,
        )
        evidence.file.save("upload", upload, save=False)
        written.append(evidence.file.name)
        evidence.save()


def _remove_written(names: list) -> None:

    storage = private_storage()
    for name in names:
        storage.delete(name)


def _require_staff(actor, org: Organization) -> None:

    if not any(r.organization_id == org.pk for r in staff_roles(actor, RoleKind.LAO_STAFF)):
        raise PermissionDenied(_("Only staff of this LAO may file its requests."))


def _require_reviewer(actor, pk: int) -> None:
    if not VerificationRequest.objects.restrict(actor, Action.REVIEW).filter(pk=pk).exists():
        raise PermissionDenied(_("You do not review requests of this organisation."))


# --- the requester's changes --------------------------------------------------------------------


@sensitive_variables("thaid_proof")
def create_request(
    *,
    requester,
    organization: Organization,
    data: RequestData,
    files=(),
    submit: bool,
    thaid_proof: dict | None = None,
) -> VerificationRequest:
    """A new request for `requester` at `organization`, saved as a draft or submitted at once.

    `thaid_proof` (`thaid_proof_offered`, ticked on the form): the identity is proven by the
    ThaID sign-in of this session in the same step, so the request may be submitted at once
    without evidence; another person's number refuses the whole request."""
    _require_staff(requester, organization)
    at = clock.now()
    if VerificationRequest.objects.filter(
        requester=requester, organization=organization, state=RequestState.APPROVED
    ).exists():
        raise VerificationError(
            _(
                "Your identity is already verified for this organisation; one request per person "
                "is enough."
            )
        )
    if submit:
        _window_open(organization, at)
    try:
        quota.check_new_request(requester=requester, organization=organization, at=at)
    except quota.QuotaExceeded as exc:
        raise VerificationError(exc.message) from None
    written: list = []
    try:
        with transaction.atomic():
            vr = VerificationRequest(
                organization=organization, requester=requester, created_at=at, consent_at=None
            )
            _apply(vr, data, at)
            _one_position_per_person(vr)
            proven = _check_form_proof(vr, thaid_proof)
            if submit:
                vr.state, vr.submitted_at = RequestState.SUBMITTED, at
            record(vr, HistoryEvent.SUBMITTED if submit else HistoryEvent.SAVED_AS_DRAFT)
            vr._history_user, vr._history_date = requester, at
            try:
                with transaction.atomic():
                    vr.save()
            except IntegrityError:
                existing = (
                    VerificationRequest.objects.open()
                    .filter(requester=requester, organization=organization)
                    .first()
                )
                raise AlreadyOpen(
                    _(
                        "You already have an open request for this organisation; it is shown "
                        "below. Nothing new was saved."
                    ),
                    existing,
                ) from None
            if proven:
                _mark_thaid_proven(vr, thaid_proof, actor=requester, at=at)
            _store_files(vr, files, actor=requester, at=at, written=written)
            if submit:
                _require_evidence(vr)
    except Exception:
        _remove_written(written)
        raise
    return vr


def update_request(
    pk: int,
    *,
    actor,
    expected_version: int,
    data: RequestData,
    files=(),
    remove_evidence=(),
    submit: bool,
    thaid_proof: dict | None = None,
) -> VerificationRequest:
    """The requester corrects a draft or a returned request, and may submit it; with
    `thaid_proof` as in `create_request`."""
    at = clock.now()
    written: list = []
    try:
        with transaction.atomic():
            vr = _lock(pk)
            if vr.requester_id != actor.pk:
                raise PermissionDenied(_("Only the requester may change this request."))
            _check_current(vr, expected_version, EDITABLE_STATES)
            was = vr.state
            if submit:
                _window_open(vr.organization, at)
            _apply(vr, data, at)
            _one_position_per_person(vr)
            if _check_form_proof(vr, thaid_proof):
                _mark_thaid_proven(vr, thaid_proof, actor=actor, at=at)
            gone = list(vr.evidence.filter(pk__in=list(remove_evidence)))
            for evidence in gone:
                transaction.on_commit(lambda name=evidence.file.name: _remove_written([name]))
                evidence.delete()
            _store_files(vr, files, actor=actor, at=at, written=written)
            if submit:
                _require_evidence(vr)
                vr.state, vr.submitted_at = RequestState.SUBMITTED, at
                _forget_decision(vr)
                event = (
                    HistoryEvent.RESUBMITTED
                    if was == RequestState.RETURNED
                    else HistoryEvent.SUBMITTED
                )
            else:
                event = (
                    HistoryEvent.CORRECTED
                    if was == RequestState.RETURNED
                    else HistoryEvent.DRAFT_SAVED
                )
            _save(vr, actor=actor, event=event, at=at)
    except Exception:
        _remove_written(written)
        raise
    return vr


def submit_request(pk: int, *, actor, expected_version: int) -> VerificationRequest:
    at = clock.now()
    with transaction.atomic():
        vr = _lock(pk)
        if vr.requester_id != actor.pk:
            raise PermissionDenied(_("Only the requester may submit this request."))
        _check_current(vr, expected_version, EDITABLE_STATES)
        _window_open(vr.organization, at)
        _one_position_per_person(vr)
        _require_evidence(vr)
        event = (
            HistoryEvent.RESUBMITTED
            if vr.state == RequestState.RETURNED
            else HistoryEvent.SUBMITTED
        )
        vr.state, vr.submitted_at = RequestState.SUBMITTED, at
        _forget_decision(vr)
        _save(vr, actor=actor, event=event, at=at)
    return vr


def withdraw_request(
    pk: int, *, actor, expected_version: int, reason: str = ""
) -> VerificationRequest:
    at = clock.now()
    with transaction.atomic():
        vr = _lock(pk)
        if vr.requester_id != actor.pk:
            raise PermissionDenied(_("Only the requester may withdraw this request."))
        _check_current(vr, expected_version, OPEN_STATES)
        if vr.submitted_at is None:
            # Never submitted: no reviewer saw its evidence and nobody will; the files go now,
            # not EVIDENCE_RETENTION_DAYS later (a file-and-withdraw loop filled the volume).
            for evidence in list(vr.evidence.all()):
                transaction.on_commit(lambda name=evidence.file.name: _remove_written([name]))
                evidence.delete()
        vr.state = RequestState.WITHDRAWN
        _save(vr, actor=actor, event=HistoryEvent.WITHDRAWN, at=at, remarks=reason.strip())
    return vr


# --- identity proven by ThaID -------------------------------------------------------------------


class ThaIDProofRefused(VerificationError):
    """ThaID's identity cannot prove this request: too low an assurance level, or another person."""


def thaid_proof_offered(proof: dict | None) -> dict | None:
    """The ThaID sign-in of this session (`accounts.thaid.assertion`: fresh, at most
    THAID_PROOF_MAX_AGE_SECONDS old) that the request form may offer as proof of identity, or
    None. Offered only at THAID_MIN_IAL or above: a lower level could prove nothing, and the
    form then asks for evidence as usual."""
    if not thaid_configured() or not isinstance(proof, dict) or not ial_enough(proof):
        return None
    return proof


def _thaid_low_level(proof: dict) -> ThaIDProofRefused:
    return ThaIDProofRefused(
        _(
            "ThaID confirmed your identity at assurance level %(ial)s; level %(min)s or "
            "higher is needed. Nothing was changed: attach evidence of your identity "
            "instead, or raise your ThaID level at a district office."
        )
        % {"ial": proof.get("ial") or "-", "min": settings.THAID_MIN_IAL}
    )


def _thaid_names_request(vr: VerificationRequest, proof: dict) -> bool:
    return hmac.compare_digest(str(proof.get("uid", "")), vr.national_id_hash)


def _mark_thaid_proven(vr: VerificationRequest, proof: dict, *, actor, at) -> None:
    vr.thaid_proven_at, vr.thaid_ial = at, str(proof.get("ial") or "")
    _save(
        vr,
        actor=actor,
        event=HistoryEvent.THAID_PROVEN,
        at=at,
        ial=vr.thaid_ial,
    )


@sensitive_variables("proof")
def _check_form_proof(vr: VerificationRequest, proof: dict | None) -> bool:
    """Whether the ThaID proof ticked on the request form proves `vr` (its national ID already
    applied). Another person's number is refused on the national ID field and nothing is saved:
    the request does not exist yet, or the correction is not kept."""
    if proof is None or vr.thaid_proven_at is not None:
        return False
    if not ial_enough(proof):
        raise _thaid_low_level(proof)
    if not _thaid_names_request(vr, proof):
        refused = ThaIDProofRefused(
            _(
                "The national ID ThaID confirmed when you signed in ends in %(theirs)s; the "
                "number typed here ends in %(ours)s. Nothing was saved: type your own national "
                "ID, or leave the ThaID box unticked and attach evidence."
            )
            % {"theirs": str(proof.get("last4", ""))[-4:], "ours": vr.national_id_last4}
        )
        refused.field = "national_id"
        raise refused
    return True


@sensitive_variables("proof")
def prove_identity_with_thaid(pk: int, *, actor, proof: dict) -> VerificationRequest:
    """Mark the request "identity proven by ThaID" when the requester's ThaID sign-in (`proof`:
    `accounts.thaid.assertion`, the pid's hash, its last four digits and `ial`) names the
    request's national ID at THAID_MIN_IAL or above. A different number is refused and recorded
    in the request's history (the last four digits ThaID gave, never the number)."""
    at = clock.now()
    refused = None
    with transaction.atomic():
        vr = _lock(pk)
        if vr.requester_id != actor.pk:
            raise PermissionDenied(_("Only the requester may prove their identity."))
        _check_current(vr, None, OPEN_STATES)
        if not ial_enough(proof):
            raise _thaid_low_level(proof)
        if not _thaid_names_request(vr, proof):
            last4 = str(proof.get("last4", ""))[-4:]
            _save(
                vr,
                actor=actor,
                event=HistoryEvent.THAID_REFUSED,
                at=at,
                theirs=last4,
                ours=vr.national_id_last4,
            )
            refused = ThaIDProofRefused(
                _(
                    "The national ID ThaID confirmed (ending %(theirs)s) is not the one in this "
                    "request (ending %(ours)s). Nothing was marked proven; this was recorded in "
                    "the request's history. Correct the number in the request, or sign in to "
                    "ThaID as yourself."
                )
                % {"theirs": last4, "ours": vr.national_id_last4}
            )
        elif vr.thaid_proven_at is None:
            _mark_thaid_proven(vr, proof, actor=actor, at=at)
    if refused is not None:
        raise refused
    return vr


# --- the reviewer's decisions -------------------------------------------------------------------


def _decide(
    pk: int, *, actor, expected_version: int, state: RequestState, reason: str, event: HistoryEvent
) -> VerificationRequest:
    at = clock.now()
    with transaction.atomic():
        _require_reviewer(actor, pk)
        vr = _lock(pk)
        _check_current(vr, expected_version, (RequestState.SUBMITTED,))
        vr.state, vr.decided_at, vr.decided_by = state, at, actor
        vr.remarks = reason.strip()
        _save(vr, actor=actor, event=event, at=at, remarks=reason.strip())
        if state == RequestState.APPROVED:
            refresh_lao_verification(vr.organization_id, at=at, actor=actor)
        notices.tell_requester(vr, at=at)  # the outbox row commits with the decision
    return vr


def approve_request(
    pk: int, *, actor, expected_version: int, reason: str = ""
) -> VerificationRequest:
    return _decide(
        pk,
        actor=actor,
        expected_version=expected_version,
        state=RequestState.APPROVED,
        reason=reason,
        event=HistoryEvent.APPROVED,
    )


def return_request(pk: int, *, actor, expected_version: int, remarks: str) -> VerificationRequest:
    if not remarks.strip():
        raise VerificationError(_("Say what must be corrected: the requester reads your remarks."))
    return _decide(
        pk,
        actor=actor,
        expected_version=expected_version,
        state=RequestState.RETURNED,
        reason=remarks,
        event=HistoryEvent.RETURNED,
    )


def reject_request(pk: int, *, actor, expected_version: int, reason: str) -> VerificationRequest:
    if not reason.strip():
        raise VerificationError(_("Give the reason for the rejection: the requester reads it."))
    return _decide(
        pk,
        actor=actor,
        expected_version=expected_version,
        state=RequestState.REJECTED,
        reason=reason,
        event=HistoryEvent.REJECTED,
    )


# --- the LAO's status ---------------------------------------------------------------------------


def position_status(org: Organization) -> list[PositionRow]:
    """For each required group of positions: its state, and the request that gives it
    (`onboarding.positions`)."""
    return position_states(org.verification_requests.filter(state__in=LIVE_STATES))


def refresh_lao_verification(org_id: int, *, at: dt.datetime, actor=None) -> bool:
    """Mark the LAO identity-verified once approved requests cover every required position."""
    org = Organization.objects.select_for_update().get(pk=org_id)
    if org.identity_verified_at is not None:
        return True
    if not all(row["done"] for row in position_status(org)):
        return False
    org.identity_verified_at = at
    record(org, HistoryEvent.IDENTITY_VERIFIED)
    org._history_user, org._history_date = actor, at
    org.save()
    return True
