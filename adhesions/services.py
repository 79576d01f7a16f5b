"""Every change to an adhesion goes through here: audited, e-mailed through the outbox, in one transaction."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ConsentRecord
from accounts.privacy.consent import consent_record
from adhesions import notifications, signing
from adhesions.enums import AdhesionStatus, SignatoryRole, SignatureMethod, SignatureStatus
from adhesions.models import Adhesion, SignatureRequest
from adhesions.selectors import enterprise_number_conflict
from adhesions.steps import Step, missing_steps, stale_steps
from core.audit import log_action
from members.enums import OrganisationStatus
from members.signals import membership_confirmed
from thematic_groups.models import ThematicGroup

Status = AdhesionStatus


class TransitionError(ValidationError):
    """The adhesion is not in a state that allows this step."""


def _require(adhesion: Adhesion, allowed: set[str] | frozenset[str], action: str) -> None:
    if adhesion.status not in allowed:
        raise TransitionError(
            _("This adhesion is “%(status)s”: it cannot be %(action)s now.")
            % {"status": adhesion.get_status_display(), "action": action}
        )


def _locked(adhesion: Adhesion) -> Adhesion:
    """Re-read the row under a lock so that two coordinators, or a coordinator and a signer, never cross."""
    return Adhesion.objects.select_for_update().get(pk=adhesion.pk)


def _touch(adhesion: Adhesion, *fields: str) -> None:
    adhesion.updated_at = timezone.now()
    adhesion.save(update_fields=[*fields, "updated_at"])


# --- Filling in ------------------------------------------------------------------------------------


def adhesion_start(*, applicant) -> Adhesion:
    with transaction.atomic():
        adhesion = Adhesion.objects.create(applicant=applicant)
        log_action("adhesions.started", actor=applicant, target=adhesion)
    return adhesion


def content_fingerprint(answers: dict) -> str:
    return hashlib.sha256(json.dumps(answers, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _void_signatures(adhesion: Adhesion, *, reason: str) -> int:
    """Signatures on an older wording no longer bind anybody: void them and kill their links."""
    now = timezone.now()
    current = adhesion.signatures.filter(purpose=SignatureRequest.Purpose.ADHESION)
    voided = current.filter(status=SignatureStatus.SIGNED).update(status=SignatureStatus.VOID, voided_at=now)
    superseded = current.filter(status=SignatureStatus.PENDING).update(status=SignatureStatus.SUPERSEDED, voided_at=now)
    if voided or superseded:
        log_action(
            "adhesions.signatures.voided",
            actor=None,
            target=adhesion,
            data={"voided": voided, "superseded": superseded, "reason": reason, "version": adhesion.version},
        )
    return voided


def adhesion_save_step(
    *, adhesion: Adhesion, step: Step, answers: dict, actor, uploaded_file=None, remove_file: bool = False
) -> Adhesion:
    """Save one step's answers. A change to a submitted form voids the signatures already given."""
    with transaction.atomic():
        adhesion = _locked(adhesion)
        _require(adhesion, Status.editable(), _("changed"))
        new_answers = dict(adhesion.answers)
        section = dict(answers)
        if step.section == "initiatives":
            section.update(_store_initiatives_file(adhesion, uploaded_file, remove_file))
        new_answers[step.section] = section
        if step.section == "organisation":
            _copy_identity(adhesion, section)
        changed = new_answers != adhesion.answers
        adhesion.answers = new_answers
        if step.slug not in adhesion.completed_steps:
            adhesion.completed_steps = [*adhesion.completed_steps, step.slug]
        stale = {other.slug for other in stale_steps(adhesion, ignore=step.slug)}
        if stale:
            adhesion.completed_steps = [slug for slug in adhesion.completed_steps if slug not in stale]
        fields = ["answers", "completed_steps", "organisation_name", "organisation_type", "enterprise_number"]
        if changed and adhesion.status in {Status.AWAITING_SIGNATURES, Status.SIGNED}:
            _void_signatures(adhesion, reason="form changed")
            adhesion.status = Status.DRAFT
            fields.append("status")
        elif changed and adhesion.status == Status.CORRECTIONS_REQUESTED:
            _void_signatures(adhesion, reason="form corrected")
        _touch(adhesion, *fields, "initiatives_file", "initiatives_file_name")
        if changed:
            log_action("adhesions.step_saved", actor=actor, target=adhesion, data={"step": step.slug})
    return adhesion


def _copy_identity(adhesion: Adhesion, section: dict) -> None:
    type_changed = adhesion.organisation_type and adhesion.organisation_type != section.get("type")
    adhesion.organisation_name = section.get("name", "")
    adhesion.organisation_type = section.get("type", "")
    adhesion.enterprise_number = section.get("enterprise_number", "")
    if type_changed:
        # The other category's answers no longer apply: its steps must be filled in again.
        from adhesions.steps import steps_for

        keep = {step.slug for step in steps_for(adhesion.organisation_type)}
        adhesion.completed_steps = [slug for slug in adhesion.completed_steps if slug in keep]


def _store_initiatives_file(adhesion: Adhesion, uploaded_file, remove_file: bool) -> dict:
    previous = adhesion.section("initiatives")
    if uploaded_file is not None:
        content = uploaded_file.read()
        adhesion.initiatives_file.save(uploaded_file.name, ContentFile(content), save=False)
        adhesion.initiatives_file_name = uploaded_file.name[:255]
        return {"file_name": adhesion.initiatives_file_name, "file_sha256": hashlib.sha256(content).hexdigest()}
    if remove_file:
        adhesion.initiatives_file = ""
        adhesion.initiatives_file_name = ""
        return {"file_name": "", "file_sha256": ""}
    return {"file_name": previous.get("file_name", ""), "file_sha256": previous.get("file_sha256", "")}


# --- Submission and signatures ------------------------------------------------------------------------


def _people_to_sign(adhesion: Adhesion) -> list[dict[str, Any]]:
    people = [{"role": SignatoryRole.LEGAL_REPRESENTATIVE, "group": None, **adhesion.section("legal_representative")}]
    if adhesion.is_final_beneficiary:
        groups = {group.slug: group for group in ThematicGroup.objects.all()}
        delegates = adhesion.section("groups").get("delegates", {})
        for slug in adhesion.section("groups").get("choices", []):
            people.append({"role": SignatoryRole.DELEGATE, "group": groups[slug], **delegates.get(slug, {})})
    return people


def _request_signature(
    adhesion: Adhesion,
    person: dict,
    *,
    purpose=SignatureRequest.Purpose.ADHESION,
    replaces=None,
    own_document: bytes | None = None,
):
    token = signing.new_token()
    signature = SignatureRequest(
        adhesion=adhesion,
        purpose=purpose,
        role=person["role"],
        thematic_group=person["group"],
        first_name=person.get("first_name", ""),
        last_name=person.get("last_name", ""),
        function=person.get("function", ""),
        email=person.get("email", ""),
        phone=person.get("phone", ""),
        document_version=adhesion.version,
        document_sha256=adhesion.document_sha256,
        token_hash=signing.token_hash(token),
        expires_at=timezone.now() + signing.link_lifetime(),
        replaces=replaces,
    )
    if own_document is not None:
        signature.own_document.save("acceptation-delegue.pdf", ContentFile(own_document), save=False)
        signature.document_sha256 = hashlib.sha256(own_document).hexdigest()
    signature.save()
    notifications.signature_requested(signature, signing.signing_url(signature, token))
    return signature


def _ask_missing_signatures(adhesion: Adhesion) -> None:
    """Every signatory of the current version has a signature given or a live link; send the missing links."""
    live = adhesion.signatures.filter(
        purpose=SignatureRequest.Purpose.ADHESION,
        document_version=adhesion.version,
        status__in=[SignatureStatus.SIGNED, SignatureStatus.PENDING],
    )
    covered = set(live.values_list("role", "thematic_group_id"))
    for person in _people_to_sign(adhesion):
        group_id = person["group"].pk if person["group"] else None
        if (person["role"], group_id) not in covered:
            _request_signature(adhesion, person)


def _render_document(adhesion: Adhesion) -> None:
    from adhesions.documents import adhesion_document_pdf
    from core.pdf import sha256_hex

    pdf = adhesion_document_pdf(adhesion)
    adhesion.document.save(f"{adhesion.reference}-v{adhesion.version}.pdf", ContentFile(pdf), save=False)
    adhesion.document_sha256 = sha256_hex(pdf)


def adhesion_submit(*, adhesion: Adhesion, actor) -> Adhesion:
    """Send the form: render the document, ask every signatory to sign, acknowledge receipt."""
    stale = stale_steps(adhesion)
    if stale:
        # Answers that contradict each other are never sent: the steps go back to "to complete".
        with transaction.atomic():
            locked = _locked(adhesion)
            stale_slugs = {step.slug for step in stale}
            locked.completed_steps = [slug for slug in locked.completed_steps if slug not in stale_slugs]
            _touch(locked, "completed_steps")
        raise ValidationError(
            _("Some answers no longer fit together; check these steps again: %(steps)s.")
            % {"steps": ", ".join(str(step.title) for step in stale)}
        )
    with transaction.atomic():
        adhesion = _locked(adhesion)
        _require(adhesion, Status.editable(), _("sent"))
        missing = missing_steps(adhesion)
        if missing:
            raise ValidationError(
                _("Some steps are not complete yet: %(steps)s.") % {"steps": ", ".join(str(s.title) for s in missing)}
            )
        conflict = enterprise_number_conflict(adhesion.enterprise_number, exclude_adhesion=adhesion)
        if conflict:
            raise ValidationError(conflict)
        fingerprint = content_fingerprint(adhesion.answers)
        new_version = fingerprint != adhesion.content_sha256 or not adhesion.document
        if new_version:
            _void_signatures(adhesion, reason="new version")
            adhesion.version += 1
            adhesion.content_sha256 = fingerprint
            _render_document(adhesion)
        first_submission = adhesion.submitted_at is None
        now = timezone.now()
        adhesion.submitted_at = adhesion.submitted_at or now
        consent = bool(adhesion.section("privacy").get("nominative_consent"))
        consent_changed = consent != adhesion.nominative_consent or adhesion.nominative_consent_at is None
        if consent_changed:
            adhesion.nominative_consent, adhesion.nominative_consent_at = consent, now
        adhesion.corrections_message = ""
        adhesion.status = Status.AWAITING_SIGNATURES
        try:
            with transaction.atomic():
                _touch(
                    adhesion,
                    "status",
                    "version",
                    "content_sha256",
                    "document",
                    "document_sha256",
                    "submitted_at",
                    "nominative_consent",
                    "nominative_consent_at",
                    "corrections_message",
                )
                if consent_changed:
                    consent_record(
                        source=ConsentRecord.Source.ADHESION_FORM, given=consent, actor=actor, adhesion=adhesion
                    )
        except IntegrityError as exc:  # another adhesion for the same number was sent a moment before
            raise ValidationError(
                enterprise_number_conflict(adhesion.enterprise_number, exclude_adhesion=adhesion)
            ) from exc
        chosen = adhesion.section("groups").get("choices", []) if adhesion.is_final_beneficiary else []
        adhesion.group_preferences.set(ThematicGroup.objects.filter(slug__in=chosen))
        _ask_missing_signatures(adhesion)
        _refresh_signature_state(adhesion)
        log_action(
            "adhesions.submitted",
            actor=actor,
            target=adhesion,
            data={"version": adhesion.version, "document_sha256": adhesion.document_sha256, "first": first_submission},
        )
        notifications.submitted(adhesion, new_version=new_version)
    return adhesion


def signature_resend(*, signature: SignatureRequest, actor) -> SignatureRequest:
    """A fresh link (the old one stops working), for a lost or expired e-mail."""
    with transaction.atomic():
        signature = (
            SignatureRequest.objects.select_for_update(of=("self",)).select_related("adhesion").get(pk=signature.pk)
        )
        if signature.status != SignatureStatus.PENDING:
            raise TransitionError(_("Only a signature that is still awaited can be asked again."))
        token = signing.new_token()
        signature.token_hash = signing.token_hash(token)
        signature.expires_at = timezone.now() + signing.link_lifetime()
        signature.save(update_fields=["token_hash", "expires_at"])
        log_action(
            "adhesions.signature.resent", actor=actor, target=signature.adhesion, data={"signature": signature.pk}
        )
        notifications.signature_requested(signature, signing.signing_url(signature, token))
    return signature


def _refresh_signature_state(adhesion: Adhesion) -> None:
    """Awaiting signatures → signed once every signature of the current version is in."""
    if adhesion.status != Status.AWAITING_SIGNATURES:
        return
    awaited = adhesion.signatures.filter(
        purpose=SignatureRequest.Purpose.ADHESION, document_version=adhesion.version
    ).exclude(status__in=[SignatureStatus.VOID, SignatureStatus.SUPERSEDED])
    if awaited.exists() and not awaited.exclude(status=SignatureStatus.SIGNED).exists():
        adhesion.status = Status.SIGNED
        adhesion.signatures_completed_at = timezone.now()
        _touch(adhesion, "status", "signatures_completed_at")
        log_action("adhesions.signatures.complete", actor=None, target=adhesion, data={"version": adhesion.version})
        notifications.signatures_complete(adhesion)


class SignatureRefused(ValidationError):
    pass


def signature_sign(
    *, signature_id: int, token: str, typed_name: str, ip_address: str | None, user_agent: str
) -> SignatureRequest:
    """Record an online signature, once, by the person the link was sent to."""
    with transaction.atomic():
        signature = (
            SignatureRequest.objects.select_for_update(of=("self",))
            .select_related("adhesion")
            .filter(pk=signature_id)
            .first()
        )
        if signature is not None:
            signature.adhesion = _locked(signature.adhesion)
        problem = signing.link_problem(signature, token)
        if problem is not None:
            raise SignatureRefused(problem.value, code=problem.value)
        if not signing.name_matches(signature, typed_name):
            raise SignatureRefused(
                _("Type your name as it appears above: %(name)s.") % {"name": signature.full_name}, code="name"
            )
        signature.status = SignatureStatus.SIGNED
        signature.method = SignatureMethod.ONLINE
        signature.signed_at = timezone.now()
        signature.signed_name = typed_name.strip()[:300]
        signature.ip_address = ip_address
        signature.user_agent = user_agent[:1000]
        signature.save()
        adhesion = signature.adhesion
        log_action(
            "adhesions.signature.signed",
            actor=None,
            target=adhesion,
            data={
                "signature": signature.pk,
                "role": signature.role,
                "email": signature.email,
                "document_sha256": signature.document_sha256,
                "ip": ip_address,
            },
        )
        notifications.signature_received(signature)
        if signature.purpose == SignatureRequest.Purpose.DELEGATE_REPLACEMENT:
            from members.lifecycle import delegate_replacement_complete

            delegate_replacement_complete(signature=signature)
        else:
            _refresh_signature_state(adhesion)
    return signature


def _person_in_certificate(common_name: str) -> str:
    """A Belgian eID signing certificate reads "Anne Lambert (Signature)": the person is before the bracket."""
    return (common_name or "").split("(")[0].strip()


def _attached_pdf_refusals(signature: SignatureRequest, content: bytes, report, handwritten_checked: bool) -> list:
    """Why an attached PDF cannot count as this signatory's signature on this form (empty when it can)."""
    from adhesions.signing import name_matches

    if report.error:
        return [str(report.error)]
    if not report.has_signatures:
        if handwritten_checked:
            return []
        return [_("It has no digital signature and nobody confirmed the handwritten signature on the scan.")]
    refusals = []
    if not report.all_intact:
        return [_("Its digital signature is not intact: the file was changed after signing.")]
    if not any(name_matches(signature, _person_in_certificate(check.signer)) for check in report.checks):
        signers = ", ".join(check.signer for check in report.checks if check.signer) or "?"
        refusals.append(
            _("It is signed by %(signers)s, not by %(name)s.") % {"signers": signers, "name": signature.full_name}
        )
    original = signature.adhesion.document
    if original and signature.document_version == signature.adhesion.version:
        with original.open("rb") as handle:
            sent = handle.read()
        # Signing a PDF appends to it: the signed file starts with the very bytes of the form that was sent.
        if not content.startswith(sent):
            refusals.append(
                _("It is not the form sent to the signatory (version %(version)d).")
                % {"version": signature.adhesion.version}
            )
    return refusals


def signature_attach_pdf(
    *, signature: SignatureRequest, uploaded_file, actor, handwritten_checked: bool = False
) -> SignatureRequest:
    """Record a signature received as a PDF (by e-mail or post), with the check of its digital signatures.

    A digitally signed PDF counts only if it is intact, signed by this signatory and is the form that was sent;
    a scan counts once the coordinator confirms the handwritten signature. Every file attached is kept as
    evidence with its check, even when a later one replaces it.
    """
    from adhesions.signed_pdf import validate_signed_pdf

    content = uploaded_file.read()
    report = validate_signed_pdf(content)
    with transaction.atomic():
        signature = SignatureRequest.objects.select_for_update(of=("self",)).get(pk=signature.pk)
        adhesion = _locked(signature.adhesion)
        signature.adhesion = adhesion
        if signature.status != SignatureStatus.PENDING:
            raise TransitionError(_("Only a signature that is still awaited can be recorded."))
        refusals = [str(reason) for reason in _attached_pdf_refusals(signature, content, report, handwritten_checked)]
        earlier = list(signature.pdf_validation.get("earlier", [])) if signature.attached_pdf else []
        if signature.attached_pdf:
            earlier.append(
                {
                    "file": signature.attached_pdf.name,
                    "sha256": signature.attached_pdf_sha256,
                    "report": {k: v for k, v in signature.pdf_validation.items() if k != "earlier"},
                    "attached_by": signature.attached_by.email if signature.attached_by_id else "",
                }
            )
        signature.attached_pdf.save(uploaded_file.name, ContentFile(content), save=False)
        signature.attached_pdf_sha256 = hashlib.sha256(content).hexdigest()
        signature.pdf_validation = {
            **report.as_dict(),
            "refused_because": refusals,
            "handwritten_checked": handwritten_checked and not report.has_signatures,
            "earlier": earlier,
        }
        signature.attached_by = actor
        counts = not refusals
        if counts:
            signature.status = SignatureStatus.SIGNED
            signature.method = SignatureMethod.ATTACHED_PDF
            signature.signed_at = timezone.now()
            signature.signed_name = signature.full_name
        signature.save()
        log_action(
            "adhesions.signature.pdf_attached",
            actor=actor,
            target=adhesion,
            data={"signature": signature.pk, "sha256": signature.attached_pdf_sha256, "counted": counts},
        )
        if counts:
            notifications.signature_received(signature)
            _refresh_signature_state(adhesion)
    return signature


# --- The coordination's decisions ------------------------------------------------------------------------


def adhesion_validate_signatures(*, adhesion: Adhesion, actor) -> Adhesion:
    with transaction.atomic():
        adhesion = _locked(adhesion)
        _require(adhesion, {Status.SIGNED}, _("validated"))
        adhesion.status = Status.SIGNATURES_VALIDATED
        adhesion.signatures_validated_at = timezone.now()
        _touch(adhesion, "status", "signatures_validated_at")
        log_action("adhesions.signatures.validated", actor=actor, target=adhesion, data={"version": adhesion.version})
        notifications.signatures_validated(adhesion)
    return adhesion


def adhesion_request_corrections(*, adhesion: Adhesion, actor, message: str) -> Adhesion:
    message = (message or "").strip()
    if not message:
        raise ValidationError(_("Say what must be corrected."))
    with transaction.atomic():
        adhesion = _locked(adhesion)
        _require(adhesion, {Status.AWAITING_SIGNATURES, Status.SIGNED, Status.SIGNATURES_VALIDATED}, _("sent back"))
        adhesion.status = Status.CORRECTIONS_REQUESTED
        adhesion.corrections_message = message
        _touch(adhesion, "status", "corrections_message")
        # Pending links stop working until the corrected form is sent again.
        adhesion.signatures.filter(status=SignatureStatus.PENDING).update(
            status=SignatureStatus.SUPERSEDED, voided_at=timezone.now()
        )
        log_action("adhesions.corrections_requested", actor=actor, target=adhesion, data={"message": message})
        notifications.corrections_requested(adhesion)
    return adhesion


def adhesion_confirm_receipt(*, adhesion: Adhesion, actor, on: date | None = None) -> Adhesion:
    """The Region confirms receipt: the membership starts that day (art 6.2)."""
    from adhesions.documents import membership_certificate_pdf
    from members.lifecycle import organisation_from_adhesion

    on = on or timezone.localdate()
    with transaction.atomic():
        adhesion = _locked(adhesion)
        _require(adhesion, {Status.SIGNATURES_VALIDATED}, _("confirmed"))
        organisation = organisation_from_adhesion(adhesion=adhesion, actor=actor, member_since=on)
        adhesion.organisation = organisation
        adhesion.status = Status.CONFIRMED
        adhesion.decided_at = timezone.now()
        _touch(adhesion, "organisation", "status", "decided_at")
        log_action(
            "adhesions.confirmed",
            actor=actor,
            target=adhesion,
            data={"organisation": organisation.pk, "member_since": on.isoformat()},
        )
        membership_confirmed.send(sender=Adhesion, organisation=organisation, adhesion=adhesion, actor=actor)
        certificate = membership_certificate_pdf(organisation, member_since=on, reference=adhesion.reference)
        notifications.confirmed(adhesion, certificate)
    return adhesion


def adhesion_reject(*, adhesion: Adhesion, actor, reason: str) -> Adhesion:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the rejection; it is sent to the organisation."))
    with transaction.atomic():
        adhesion = _locked(adhesion)
        _require(adhesion, Status.pending() | {Status.DRAFT}, _("rejected"))
        adhesion.status = Status.REJECTED
        adhesion.rejection_reason = reason
        adhesion.decided_at = timezone.now()
        _touch(adhesion, "status", "rejection_reason", "decided_at")
        adhesion.signatures.filter(status=SignatureStatus.PENDING).update(
            status=SignatureStatus.CANCELLED, voided_at=timezone.now()
        )
        log_action("adhesions.rejected", actor=actor, target=adhesion, data={"reason": reason})
        notifications.rejected(adhesion)
    return adhesion


def organisation_is_member(adhesion: Adhesion) -> bool:
    return bool(adhesion.organisation_id) and adhesion.organisation.status in OrganisationStatus.member_states()
