"""The person's rights on their data: a copy (access, portability), account closure (erasure) and the
retention schedule that anonymises the people of organisations that left the alliance long ago."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sessions.models import Session as WebSession
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast, Lower
from django.urls import reverse
from django.utils import timezone

from accounts.models import DataExport, User
from accounts.privacy import export
from accounts.privacy.addresses import proven_addresses
from adhesions.enums import AdhesionStatus, SignatureStatus
from adhesions.models import Adhesion, SignatureRequest
from community.models import DigestDelivery, Registration, Watch
from core.audit import log_action
from core.models import AuditEntry, OutboundEmail, OutboundEmailAttachment
from core.outbox import email_queue
from members.enums import OrganisationRoleType, OrganisationStatus
from members.models import Organisation, OrganisationRole
from thematic_groups.models import CalendarToken, LocomotiveMember

logger = logging.getLogger(__name__)

ANONYMISED_FIRST_NAME = "Personne anonymisée"
# ".invalid" is reserved (RFC 2606): such an address can never receive mail.
ANONYMISED_EMAIL_DOMAIN = "anonymised.invalid"
MANAGER_ROLES = (OrganisationRoleType.LEGAL_REPRESENTATIVE, OrganisationRoleType.CONTACT_POINT)
RETENTION_REASON = "retention_after_withdrawal"


# --- "My data" ----------------------------------------------------------------------------------------


def latest_export(user) -> DataExport | None:
    return DataExport.objects.filter(user=user).first()


def data_export_request(*, user) -> DataExport:
    """Queue a copy of the person's data; a request already being prepared is returned as it is."""
    from accounts.tasks import build_data_export

    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)  # two clicks at once ask for one file
        pending = DataExport.objects.filter(
            user=user, status__in=[DataExport.Status.PENDING, DataExport.Status.RUNNING]
        ).first()
        if pending is not None:
            return pending
        job = DataExport.objects.create(user=user)
        log_action("accounts.data_export.requested", actor=user, target=user)
        transaction.on_commit(lambda: build_data_export.delay(export_id=job.pk))
    return job


def data_export_build(*, export_id: int) -> str:
    """Prepare the ZIP of a pending request, then tell its owner by e-mail where to download it."""
    # One conditional update claims the request, so two workers never both build it.
    claimed = DataExport.objects.filter(pk=export_id, status=DataExport.Status.PENDING).update(
        status=DataExport.Status.RUNNING
    )
    if not claimed:
        return "skipped"
    job = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if job is None:  # the account was closed meanwhile
        return "skipped"
    user = job.user
    try:
        content = export.build_zip(user, privacy_url=settings.SITE_URL + reverse("privacy"))
    except Exception:  # noqa: BLE001 - the page must say it failed rather than wait for ever
        logger.exception("Personal data export %s failed", export_id)
        DataExport.objects.filter(pk=export_id).update(status=DataExport.Status.FAILED, finished_at=timezone.now())
        return "failed"
    stored_name = ""
    try:
        with transaction.atomic():
            # Locked in the order account closure uses (the person, then their requests): a closure that ran
            # while the file was being built has deleted the request, and the copy must not be stored.
            user = User.objects.select_for_update().get(pk=user.pk)
            job = DataExport.objects.select_for_update().filter(pk=export_id).first()
            if job is None or job.status != DataExport.Status.RUNNING or user.anonymised_at is not None:
                return "skipped"
            job.file.save("export.zip", ContentFile(content), save=False)
            stored_name = job.file.name
            job.size = len(content)
            job.status = DataExport.Status.READY
            job.finished_at = timezone.now()
            job.expires_at = job.finished_at + timedelta(days=settings.PRIVACY_EXPORT_DAYS)
            job.save(update_fields=["file", "size", "status", "finished_at", "expires_at"])
            email_queue(
                to=user.email,
                recipient=user,
                template="accounts/data_export_ready",
                context={
                    "first_name": user.first_name,
                    "page_url": reverse("accounts:my_data"),
                    "expires_on": timezone.localtime(job.expires_at).date(),
                },
                key=f"data-export-ready:{job.pk}",
            )
    except Exception:  # noqa: BLE001 - the rolled-back request must not leave a copy of the data on disk
        logger.exception("Personal data export %s could not be stored", export_id)
        if stored_name:
            job.file.storage.delete(stored_name)
        DataExport.objects.filter(pk=export_id).update(status=DataExport.Status.FAILED, finished_at=timezone.now())
        return "failed"
    return "done"


def data_exports_expire(*, now=None) -> int:
    """Periodic: an export past its date is deleted; the request stays, marked expired."""
    now = now or timezone.now()
    # A request whose worker died would block new ones for ever: after a day it is marked failed.
    DataExport.objects.filter(
        status__in=[DataExport.Status.PENDING, DataExport.Status.RUNNING], created_at__lte=now - timedelta(days=1)
    ).update(status=DataExport.Status.FAILED, finished_at=now)
    count = 0
    for job in DataExport.objects.filter(status=DataExport.Status.READY, expires_at__lte=now):
        if job.file:
            job.file.delete(save=False)
        job.status = DataExport.Status.EXPIRED
        job.size = 0
        job.save(update_fields=["file", "status", "size"])
        count += 1
    return count


# --- closing an account ---------------------------------------------------------------------------------


def organisations_left_without_manager(user) -> list[Organisation]:
    """Member organisations where the person is the only legal representative or contact point."""
    held = OrganisationRole.objects.filter(
        user=user, role__in=MANAGER_ROLES, organisation__status__in=OrganisationStatus.member_states()
    ).values("organisation_id")
    others = OrganisationRole.objects.filter(role__in=MANAGER_ROLES).exclude(user=user).values("organisation_id")
    return list(Organisation.objects.filter(pk__in=held).exclude(pk__in=others).order_by("name"))


def current_member_organisations(user) -> list[Organisation]:
    return list(
        Organisation.objects.filter(roles__user=user, status__in=OrganisationStatus.member_states())
        .distinct()
        .order_by("name")
    )


def account_close(*, user) -> User:
    """The person closes their own account: roles end, the coordination hears of the organisations concerned,
    and the account is anonymised."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.anonymised_at is not None:
            return user
        # Two managers of one organisation closing at once must not both count on the other: the roles of
        # every organisation concerned are locked before counting who is left.
        list(
            OrganisationRole.objects.select_for_update()
            .filter(organisation__in=OrganisationRole.objects.filter(user=user).values("organisation_id"))
            .order_by("pk")  # one order for everybody, so two closures cannot deadlock
            .values_list("pk", flat=True)
        )
        organisations = current_member_organisations(user)
        orphaned = {organisation.pk for organisation in organisations_left_without_manager(user)}
        roles = [
            {"organisation": role.organisation.name, "role": str(role.get_role_display())}
            for role in OrganisationRole.objects.filter(
                user=user, organisation__status__in=OrganisationStatus.member_states()
            ).select_related("organisation")
        ]
        if organisations:
            email_queue(
                to=settings.COORDINATION_EMAIL,
                language=settings.LANGUAGE_CODE,
                template="accounts/account_closed_coordination",
                context={
                    "person": user.get_full_name() or user.email,
                    "email": user.email,
                    "roles": roles,
                    "organisations": [
                        {
                            "name": organisation.name,
                            "url": reverse("members:organisation_detail", kwargs={"pk": organisation.pk}),
                            "without_manager": organisation.pk in orphaned,
                        }
                        for organisation in organisations
                    ],
                },
                key=f"account-closed:{user.pk}",
                # It names the person: its body is purged once sent.
                sensitive=True,
            )
        return person_anonymise(user=user, actor=user, reason="account_closed")


def _end_sessions(user) -> None:
    """Sign the person out everywhere. The unusable password already invalidates every session; this also
    removes the ones the sign-in list does not know of (a session opened before it existed)."""
    from accounts.session_security import end_sessions

    end_sessions(user)
    for web_session in WebSession.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(web_session.get_decoded().get("_auth_user_id")) == str(user.pk):
            web_session.delete()


def _scrub(value: Any, replacements: dict[str, str]) -> Any:
    """Replace the JSON string values that are the person's e-mail address or full name (keys in lower case).

    Whole values only: another person's "marie-jo@hopital.be" holds "jo@hopital.be", and "Anne-Marie" holds
    "Anne"; neither may be rewritten.
    """
    if isinstance(value, str):
        return replacements.get(value.strip().casefold(), value)
    if isinstance(value, dict):
        return {key: _scrub(item, replacements) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, replacements) for item in value]
    return value


def _any_address(field: str, addresses: set[str]) -> Q:
    match = Q(pk__in=[])
    for address in addresses:
        match |= Q(**{f"{field}__iexact": address})
    return match


def person_anonymise(*, user, actor, reason: str, today: date | None = None) -> User:
    """Deactivate the account and remove what identifies the person, except the evidence of a signed
    convention: the name typed, the time, the IP address and the document fingerprint of each signature.

    For the retention schedule, ``today`` is the day it runs for: the person is checked again once locked.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.anonymised_at is not None:
            return user
        if reason == RETENTION_REASON and not people_past_retention(today).filter(pk=user.pk).exists():
            return user  # given a role or a signature to make since the list was made
        label = f"{ANONYMISED_FIRST_NAME} #{user.pk}"
        anonymous_email = f"anonymised-{user.pk}@{ANONYMISED_EMAIL_DOMAIN}"
        addresses = proven_addresses(user)
        replacements = {address: anonymous_email for address in addresses}
        full_name = user.get_full_name().strip()
        if full_name:
            replacements[full_name.casefold()] = label
        represented = list(OrganisationRole.objects.filter(user=user).values_list("organisation_id", flat=True))

        roles_ended = OrganisationRole.objects.filter(user=user).delete()[0]
        LocomotiveMember.objects.filter(user=user).delete()
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        Watch.objects.filter(user=user).delete()  # with the subjects followed
        DigestDelivery.objects.filter(user=user).delete()
        Registration.objects.filter(user=user).delete()
        CalendarToken.objects.filter(user=user).delete()
        # A copy of the data made before would undo the anonymisation.
        for data_export in DataExport.objects.filter(user=user):
            if data_export.file:
                data_export.file.delete(save=False)
        DataExport.objects.filter(user=user).delete()

        signatures = SignatureRequest.objects.filter(_any_address("email", addresses))
        # Signed: the signed convention must be kept, so its evidence stays; only the contact details go.
        signatures.filter(status=SignatureStatus.SIGNED).update(email=anonymous_email, phone="")
        # Not signed yet: a mailbox such as direction@hopital.be passes to a successor, whose requests are not
        # the person's. Only those for an organisation the person represented, or a form they filled in.
        signatures.exclude(status=SignatureStatus.SIGNED).filter(
            Q(adhesion__organisation__in=represented) | Q(adhesion__applicant=user)
        ).update(
            first_name=ANONYMISED_FIRST_NAME,
            last_name=f"#{user.pk}",
            email=anonymous_email,
            phone="",
            function="",
            token_hash=None,
        )

        mail_ids = list(
            OutboundEmail.objects.filter(Q(recipient=user) | _any_address("to_email", addresses)).values_list(
                "pk", flat=True
            )
        )
        mails = OutboundEmail.objects.filter(pk__in=mail_ids)
        mails.filter(status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING]).update(
            status=OutboundEmail.Status.FAILED, last_error="recipient anonymised"
        )
        OutboundEmailAttachment.objects.filter(email__in=mail_ids).delete()
        mails.update(to_email=anonymous_email, body_text="", body_html="", context={})

        # Failed sign-ins have no actor: the label is the address that was typed.
        typed_address = Q(actor__isnull=True) & _any_address("actor_label", addresses)
        user_type = Q(target_id=str(user.pk), target_type__app_label="accounts", target_type__model="user")
        # Where the person connected from and with which browser: the security log keeps the events only.
        for entry in AuditEntry.objects.filter(
            Q(actor=user) | typed_address | user_type, action__startswith="security."
        ):
            if isinstance(entry.data, dict):
                data = {key: value for key, value in entry.data.items() if key not in {"ip", "user_agent"}}
                AuditEntry.objects.filter(pk=entry.pk).update(data=data)
        AuditEntry.objects.filter(Q(actor=user) | typed_address).update(actor_label=label)
        AuditEntry.objects.filter(user_type).update(target_label=label)
        mentions = Q(pk__in=[])
        for old in replacements:
            mentions |= Q(data_text__icontains=old)
        for entry in AuditEntry.objects.annotate(data_text=Cast("data", TextField())).filter(mentions):
            scrubbed = _scrub(entry.data, replacements)
            if scrubbed != entry.data:
                AuditEntry.objects.filter(pk=entry.pk).update(data=scrubbed)

        user.first_name = ANONYMISED_FIRST_NAME
        user.last_name = f"#{user.pk}"
        user.email = anonymous_email
        user.phone = ""
        user.is_active = False
        user.is_staff = user.is_superuser = user.is_coordinator = user.is_steering_member = False
        user.anonymised_at = timezone.now()
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        log_action(
            "accounts.person.anonymised",
            # The person closing their own account is named by the anonymous label, not the old address.
            actor=user if getattr(actor, "pk", None) == user.pk else actor,
            target=user,
            data={"reason": reason, "roles_ended": roles_ended},
        )
        transaction.on_commit(lambda: _end_sessions(user))
    return user


# --- retention ------------------------------------------------------------------------------------------


def retention_cutoff(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return today - timedelta(days=settings.PRIVACY_RETENTION_DAYS_AFTER_WITHDRAWAL)


def people_past_retention(today: date | None = None):
    """People whose every organisation left the alliance longer ago than the retention period, and who hold
    no other role in the portal, fill in no adhesion form and have no signature to give."""
    cutoff = retention_cutoff(today)
    past = Organisation.objects.filter(status=OrganisationStatus.WITHDRAWN, withdrawal_effective_on__lte=cutoff)
    still_needed = OrganisationRole.objects.exclude(organisation__in=past).values("user_id")
    # An organisation that applies again keeps its withdrawn status until the new adhesion is confirmed.
    applying = (
        Adhesion.objects.filter(applicant__isnull=False)
        .exclude(status__in=[AdhesionStatus.CONFIRMED, AdhesionStatus.REJECTED])
        .values("applicant_id")
    )
    to_sign = SignatureRequest.objects.filter(status=SignatureStatus.PENDING).annotate(address=Lower("email"))
    return (
        User.objects.filter(anonymised_at__isnull=True, organisation_roles__organisation__in=past)
        .exclude(pk__in=still_needed)
        .exclude(pk__in=LocomotiveMember.objects.values("user_id"))
        .exclude(pk__in=applying)
        .annotate(address=Lower("email"))
        .exclude(address__in=to_sign.values("address"))
        .exclude(
            pk__in=EmailAddress.objects.filter(verified=True)
            .annotate(address=Lower("email"))
            .filter(address__in=to_sign.values("address"))
            .values("user_id")
        )
        .exclude(Q(is_coordinator=True) | Q(is_steering_member=True) | Q(is_staff=True) | Q(is_superuser=True))
        .distinct()
    )


def retention_apply(*, today: date | None = None) -> int:
    """Periodic: anonymise the people of long-withdrawn organisations (see README, "Personal data")."""
    count = 0
    for user in list(people_past_retention(today)):
        if person_anonymise(user=user, actor=None, reason=RETENTION_REASON, today=today).anonymised_at:
            count += 1
    return count
