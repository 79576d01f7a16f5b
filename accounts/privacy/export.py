"""What the portal holds about one person, as JSON files in a ZIP (GDPR art 15 and 20).

Every relation from a table to the person's account is either exported by one of the ``SECTIONS`` or
listed in ``NOT_EXPORTED`` with the reason. A test walks every model: a new table that points at
accounts fails it until it is added to one of them.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import ConsentRecord, User
from accounts.privacy.addresses import proven_addresses
from adhesions.models import Adhesion, SignatureRequest
from community.models import DigestDelivery, Registration, Resource, ResourceEvent, ResourceFlag, Watch
from core.models import AuditEntry, OutboundEmail
from members.models import Organisation, OrganisationRole
from reporting.models import Action, ExportJob, Report, ReportEvent, ReportingCampaign
from thematic_groups.models import (
    AbsenceNotice,
    Assignment,
    Attendance,
    CalendarToken,
    DeliverableProgress,
    IntersessionWork,
    LocomotiveMember,
    Proposal,
    ProposalLine,
    Session,
    SessionGuest,
)


@dataclass(frozen=True)
class Section:
    filename: str
    collect: Callable[[User], Any]
    # The relations to the account ("app_label.Model.field") whose rows this file holds.
    covers: tuple[str, ...] = ()


def _rows(queryset: QuerySet, *fields: str) -> list[dict[str, Any]]:
    return list(queryset.values(*fields))


def _account(user: User) -> dict[str, Any]:
    # Never the password hash, the TOTP secret nor the recovery codes: only whether a second factor is set up.
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "preferred_language": user.preferred_language,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "is_active": user.is_active,
        "operational_coordination": user.is_coordinator,
        "steering_committee": user.is_steering_member,
        "administration_access": user.is_staff,
        "two_factor_authentication_set_up": Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).exists(),
        "second_factor_kinds": sorted(set(Authenticator.objects.filter(user=user).values_list("type", flat=True))),
        "calendar_feed_enabled": CalendarToken.objects.filter(user=user).exists(),
    }


def _email_addresses(user: User) -> list[dict[str, Any]]:
    return _rows(EmailAddress.objects.filter(user=user).order_by("email"), "email", "verified", "primary")


def _roles(user: User) -> dict[str, Any]:
    return {
        "organisation_roles": _rows(
            OrganisationRole.objects.filter(user=user).order_by("organisation__name", "role"),
            "organisation__name",
            "organisation__status",
            "role",
            "thematic_group__name",
            "function",
            "created_at",
        ),
        "gt_locomotive_roles": _rows(
            LocomotiveMember.objects.filter(user=user).order_by("thematic_group__number"),
            "thematic_group__name",
            "role",
            "organisation_name",
        ),
    }


def _own_signatures(user: User) -> QuerySet:
    """Signatures are asked to an e-mail address: the person's own are those sent to one of their proven
    addresses."""
    query = Q(pk__in=[])
    for address in proven_addresses(user):
        query |= Q(email__iexact=address)
    return SignatureRequest.objects.filter(query).order_by("created_at")


def _organisations(user: User) -> dict[str, Any]:
    organisations = Organisation.objects.filter(roles__user=user).distinct().order_by("name")
    signatures = list(_own_signatures(user).select_related("adhesion", "thematic_group"))
    result = []
    for organisation in organisations:
        result.append(
            {
                "name": organisation.name,
                "enterprise_number": organisation.enterprise_number_display,
                "type": organisation.type,
                "status": organisation.status,
                "member_since": organisation.member_since,
                "withdrawal_effective_on": organisation.withdrawal_effective_on,
                "nominative_consent": organisation.nominative_consent,
                "adhesions": _rows(
                    Adhesion.objects.filter(organisation=organisation).order_by("created_at"),
                    "id",
                    "status",
                    "version",
                    "submitted_at",
                    "decided_at",
                    "document_sha256",
                ),
            }
        )
    return {
        "organisations": result,
        "adhesion_forms_filled_in": _rows(
            Adhesion.objects.filter(applicant=user).order_by("created_at"),
            "id",
            "organisation_name",
            "status",
            "created_at",
            "submitted_at",
            "decided_at",
        ),
        "own_signatures": [
            {
                "adhesion": signature.adhesion.reference,
                "organisation": signature.adhesion.organisation_name,
                "purpose": signature.purpose,
                "signs_as": signature.role,
                "thematic_group": signature.thematic_group.name if signature.thematic_group_id else None,
                "first_name": signature.first_name,
                "last_name": signature.last_name,
                "function": signature.function,
                "email": signature.email,
                "phone": signature.phone,
                "status": signature.status,
                "method": signature.method,
                "signed_at": signature.signed_at,
                "typed_name": signature.signed_name,
                "ip_address": signature.ip_address,
                "user_agent": signature.user_agent,
                "document_version": signature.document_version,
                "document_sha256": signature.document_sha256,
                "signed_pdf_sha256": signature.attached_pdf_sha256,
            }
            for signature in signatures
        ],
        "signed_pdfs_attached_by_you": _rows(
            SignatureRequest.objects.filter(attached_by=user).order_by("created_at"),
            "adhesion_id",
            "first_name",
            "last_name",
            "attached_pdf_sha256",
        ),
    }


def _thematic_groups(user: User) -> dict[str, Any]:
    delegations = OrganisationRole.objects.filter(user=user, thematic_group__isnull=False)
    pairs = Q(pk__in=[])
    sessions = Q(pk__in=[])
    for organisation_id, group_id in delegations.values_list("organisation_id", "thematic_group_id"):
        pairs |= Q(organisation_id=organisation_id, thematic_group_id=group_id)
        sessions |= Q(organisation_id=organisation_id, session__thematic_group_id=group_id)
    seats = Assignment.objects.filter(pairs)
    return {
        "delegations": _rows(
            delegations.order_by("thematic_group__number"), "organisation__name", "thematic_group__name", "created_at"
        ),
        "seats_of_your_delegations": _rows(
            seats.order_by("thematic_group__number"), "organisation__name", "thematic_group__name", "status"
        ),
        "attendance_of_your_delegations": _rows(
            Attendance.objects.filter(sessions).order_by("session__starts_at"),
            "session__thematic_group__name",
            "session__title",
            "session__starts_at",
            "organisation__name",
            "status",
        ),
        "absences_of_your_delegations": _rows(
            AbsenceNotice.objects.filter(sessions).order_by("session__starts_at"),
            "session__thematic_group__name",
            "session__title",
            "session__starts_at",
            "organisation__name",
            "on_time",
            "exceptional_reason",
            "withdrawn_at",
        ),
        "attendance_in_person": _rows(
            Attendance.objects.filter(attendee=user).order_by("session__starts_at"),
            "session__title",
            "session__starts_at",
            "organisation__name",
            "status",
            "checked_in_at",
        ),
        "absences_announced": _rows(
            AbsenceNotice.objects.filter(announced_by=user).order_by("announced_at"),
            "session__title",
            "session__starts_at",
            "organisation__name",
            "announced_at",
            "message",
            "on_time",
            "withdrawn_at",
        ),
        "absences_where_you_replace": _rows(
            AbsenceNotice.objects.filter(replacement=user).order_by("announced_at"),
            "session__title",
            "session__starts_at",
            "organisation__name",
        ),
        "intersession_work_done": _rows(
            IntersessionWork.objects.filter(done_by=user).order_by("done_at"),
            "session__title",
            "organisation__name",
            "done_at",
            "comment",
        ),
        "deliverable_progress_updated": _rows(
            DeliverableProgress.objects.filter(updated_by=user).order_by("updated_at"),
            "deliverable__title",
            "organisation__name",
            "state",
            "comment",
            "updated_at",
        ),
    }


def _reporting(user: User) -> dict[str, Any]:
    return {
        "actions_created": _rows(
            Action.objects.filter(created_by=user).order_by("created_at"),
            "id",
            "organisation__name",
            "thematic_group__name",
            "title",
            "description",
            "status",
            "created_at",
        ),
        "reports": _rows(
            Report.objects.filter(Q(submitted_by=user) | Q(accepted_by=user) | Q(consent_recorded_by=user))
            .distinct()
            .order_by("campaign__year"),
            "id",
            "organisation__name",
            "campaign__year",
            "status",
            "submitted_at",
            "submitted_by",
            "accepted_at",
            "accepted_by",
            "nominative_consent",
            "consent_recorded_at",
            "consent_recorded_by",
        ),
        "report_history": _rows(
            ReportEvent.objects.filter(actor=user).order_by("created_at"),
            "report_id",
            "kind",
            "comment",
            "created_at",
        ),
    }


def _library(user: User) -> dict[str, Any]:
    watch = Watch.objects.filter(user=user).first()
    return {
        "resources_deposited": _rows(
            Resource.objects.filter(author=user).order_by("created_at"),
            "id",
            "title",
            "status",
            "file_name",
            "link",
            "created_at",
            "published_at",
        ),
        "resource_history": _rows(
            ResourceEvent.objects.filter(actor=user).order_by("created_at"),
            "resource__title",
            "status",
            "message",
            "created_at",
        ),
        "flags": _rows(
            ResourceFlag.objects.filter(Q(reported_by=user) | Q(handled_by=user)).order_by("created_at"),
            "resource__title",
            "reason",
            "created_at",
            "reported_by",
            "handled_at",
            "handled_by",
        ),
        # The unsubscribe token is a secret: not exported.
        "thematic_watch": (
            {
                "rhythm": watch.rhythm,
                "updated_at": watch.updated_at,
                "follows": _rows(watch.follows.order_by("kind", "value"), "kind", "value"),
            }
            if watch
            else None
        ),
        "digests_sent": _rows(
            DigestDelivery.objects.filter(user=user).order_by("sent_at"), "period", "resources", "sent_at"
        ),
        "event_registrations": _rows(
            Registration.objects.filter(user=user).order_by("created_at"),
            "event__title",
            "event__starts_at",
            "organisation__name",
            "status",
            "created_at",
        ),
    }


def _emails(user: User) -> list[dict[str, Any]]:
    return _rows(
        OutboundEmail.objects.filter(Q(recipient=user) | Q(to_email__iexact=user.email)).order_by("created_at"),
        "to_email",
        "subject",
        "created_at",
        "sent_at",
        "status",
    )


def _audit(user: User) -> list[dict[str, Any]]:
    return _rows(
        AuditEntry.objects.filter(actor=user).order_by("created_at", "pk"),
        "created_at",
        "action",
        "target_label",
        "data",
    )


def _consents(user: User) -> list[dict[str, Any]]:
    organisations = OrganisationRole.objects.filter(user=user).values("organisation_id")
    return _rows(
        ConsentRecord.objects.filter(Q(actor=user) | Q(organisation__in=organisations)).order_by("created_at", "pk"),
        "created_at",
        "subject",
        "subject_label",
        "source",
        "given",
        "wording_version",
        "wording_sha256",
        "actor",
    )


def _coordination_work(user: User) -> dict[str, Any]:
    """Records of the coordination's and the locomotives' work that name the person as the one who acted."""
    return {
        "assignment_decisions": _rows(
            Assignment.objects.filter(decided_by=user), "organisation__name", "thematic_group__name", "decided_at"
        ),
        "assignment_proposals": _rows(
            Proposal.objects.filter(Q(created_by=user) | Q(validated_by=user)),
            "id",
            "created_at",
            "created_by",
            "validated_at",
            "validated_by",
        ),
        "proposal_lines_adjusted": _rows(
            ProposalLine.objects.filter(adjusted_by=user), "proposal_id", "organisation__name", "decision"
        ),
        "sessions": _rows(
            Session.objects.filter(
                Q(created_by=user) | Q(short_notice_allowed_by=user) | Q(attendance_closed_by=user)
            ).distinct(),
            "id",
            "title",
            "starts_at",
            "created_by",
            "short_notice_allowed_by",
            "attendance_closed_by",
        ),
        "absences_judged_exceptional": _rows(
            AbsenceNotice.objects.filter(exceptional_by=user), "session__title", "organisation__name"
        ),
        "attendance_recorded": _rows(
            Attendance.objects.filter(recorded_by=user), "session__title", "organisation__name", "status"
        ),
        "experts_invited": _rows(
            SessionGuest.objects.filter(invited_by=user), "session__title", "organisation__name", "invited_at"
        ),
        "reporting_campaigns_opened": _rows(ReportingCampaign.objects.filter(opened_by=user), "year", "opened_at"),
        "exports_requested": _rows(ExportJob.objects.filter(requested_by=user), "kind", "year", "created_at"),
    }


def _sign_ins(user: User) -> list[dict[str, Any]]:
    """The browsers the person is signed in with (allauth's user sessions), without the session keys."""
    from allauth.usersessions.models import UserSession

    return _rows(
        UserSession.objects.filter(user=user).order_by("created_at"), "ip", "user_agent", "created_at", "last_seen_at"
    )


SECTIONS: tuple[Section, ...] = (
    Section("account.json", _account, ("mfa.Authenticator.user", "thematic_groups.CalendarToken.user")),
    Section("email_addresses.json", _email_addresses, ("account.EmailAddress.user",)),
    Section("sign_ins.json", _sign_ins, ("usersessions.UserSession.user",)),
    Section("roles.json", _roles, ("members.OrganisationRole.user", "thematic_groups.LocomotiveMember.user")),
    Section(
        "organisations_and_signatures.json",
        _organisations,
        ("adhesions.Adhesion.applicant", "adhesions.SignatureRequest.attached_by"),
    ),
    Section(
        "thematic_groups.json",
        _thematic_groups,
        (
            "thematic_groups.Attendance.attendee",
            "thematic_groups.AbsenceNotice.announced_by",
            "thematic_groups.AbsenceNotice.replacement",
            "thematic_groups.IntersessionWork.done_by",
            "thematic_groups.DeliverableProgress.updated_by",
        ),
    ),
    Section(
        "reporting.json",
        _reporting,
        (
            "reporting.Action.created_by",
            "reporting.Report.submitted_by",
            "reporting.Report.accepted_by",
            "reporting.Report.consent_recorded_by",
            "reporting.ReportEvent.actor",
        ),
    ),
    Section(
        "library_and_events.json",
        _library,
        (
            "community.Resource.author",
            "community.ResourceEvent.actor",
            "community.ResourceFlag.reported_by",
            "community.ResourceFlag.handled_by",
            "community.Watch.user",
            "community.DigestDelivery.user",
            "community.Registration.user",
        ),
    ),
    Section("emails_sent_to_you.json", _emails, ("core.OutboundEmail.recipient",)),
    Section("audit_log.json", _audit, ("core.AuditEntry.actor",)),
    Section("consents.json", _consents, ("accounts.ConsentRecord.actor",)),
    Section(
        "coordination_work.json",
        _coordination_work,
        (
            "thematic_groups.Assignment.decided_by",
            "thematic_groups.Proposal.created_by",
            "thematic_groups.Proposal.validated_by",
            "thematic_groups.ProposalLine.adjusted_by",
            "thematic_groups.Session.created_by",
            "thematic_groups.Session.short_notice_allowed_by",
            "thematic_groups.Session.attendance_closed_by",
            "thematic_groups.AbsenceNotice.exceptional_by",
            "thematic_groups.Attendance.recorded_by",
            "thematic_groups.SessionGuest.invited_by",
            "reporting.ReportingCampaign.opened_by",
            "reporting.ExportJob.requested_by",
        ),
    ),
)

# Relations to the account that the export leaves out on purpose, with the reason.
NOT_EXPORTED: dict[str, str] = {
    "admin.LogEntry.user": "The administration's own change list; the same changes are in audit_log.json.",
    "accounts.DataExport.user": "The requests for this very export: dates only, shown on the 'My data' page.",
}


def covered_relations() -> set[str]:
    return {relation for section in SECTIONS for relation in section.covers} | set(NOT_EXPORTED)


README = """Your personal data in the ASeT-W portal
=========================================

Prepared on {prepared}. One JSON file per subject:

{files}

Secrets are never exported: no password (only its fingerprint is stored), no two-factor secret or recovery
codes, no private link of the calendar feed or of the digest e-mails.
Questions, rectification or erasure: see the privacy page of the portal ({privacy_url}).
"""


def build_zip(user: User, *, privacy_url: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for section in SECTIONS:
            content = json.dumps(section.collect(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            archive.writestr(section.filename, content)
        archive.writestr(
            "README.txt",
            README.format(
                prepared=timezone.now().isoformat(timespec="seconds"),
                files="\n".join(f"- {section.filename}" for section in SECTIONS),
                privacy_url=privacy_url,
            ),
        )
    return buffer.getvalue()
