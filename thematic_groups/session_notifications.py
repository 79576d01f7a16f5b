"""E-mails about sessions, absences and attendance, through the outbox; session e-mails carry an .ics."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.outbox import email_queue
from members.enums import OrganisationRoleType, OrganisationStatus
from members.models import OrganisationRole
from thematic_groups import calendars
from thematic_groups.enums import AssignmentStatus, GuestStatus, LocomotiveRoleType


def delegates_of(group) -> list:
    """The delegates of the organisations holding a seat in the group, each once."""
    roles = (
        OrganisationRole.objects.filter(
            role=OrganisationRoleType.DELEGATE,
            thematic_group=group,
            organisation__status__in=OrganisationStatus.member_states(),
            organisation__assignments__thematic_group=group,
            organisation__assignments__status=AssignmentStatus.ASSIGNED,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user_id")
    )
    return list({role.user_id: role.user for role in roles}.values())


def _guests_of(session) -> list:
    roles = OrganisationRole.objects.filter(
        organisation__sessionguest__session=session,
        organisation__sessionguest__status=GuestStatus.ACCEPTED,
        role__in=[OrganisationRoleType.LEGAL_REPRESENTATIVE, OrganisationRoleType.CONTACT_POINT],
        user__is_active=True,
    ).select_related("user")
    return list({role.user_id: role.user for role in roles}.values())


def pilots_of(group) -> list:
    return [
        member.user
        for member in group.locomotive.select_related("user").filter(
            role=LocomotiveRoleType.PILOT, user__is_active=True
        )
    ]


def _coordinators() -> list:
    return list(get_user_model().objects.filter(is_coordinator=True, is_active=True).order_by("pk"))


def _session_context(session) -> dict:
    start = timezone.localtime(session.starts_at)
    end = timezone.localtime(session.ends_at)
    return {
        "group_name": session.thematic_group.name,
        "title": session.title,
        "starts_at": start,
        "ends_at": end,
        "place": session.place,
        "online_url": session.online_url,
        "agenda": session.agenda,
        "session_url": settings.SITE_URL + calendars.session_url(session),
        "cancellation_reason": session.cancellation_reason,
    }


def _replacements_of(session) -> tuple[list, set[int]]:
    """The people named to replace an absent delegate, and the organisations that announced an absence."""
    from thematic_groups.models import AbsenceNotice

    notices = list(
        AbsenceNotice.objects.filter(session=session, withdrawn_at__isnull=True).select_related("replacement")
    )
    replacements = [n.replacement for n in notices if n.replacement is not None and n.replacement.is_active]
    return replacements, {notice.organisation_id for notice in notices}


def _session_recipients(session, *, skip_absent: bool) -> list:
    """Delegates, named replacements and accepted experts. A reminder skips the delegates of organisations
    that announced their absence: their replacement, if any, gets it instead."""
    replacements, absent = _replacements_of(session)
    delegates = delegates_of(session.thematic_group)
    if skip_absent and absent:
        absent_delegates = set(
            OrganisationRole.objects.filter(
                role=OrganisationRoleType.DELEGATE, thematic_group=session.thematic_group, organisation_id__in=absent
            ).values_list("user_id", flat=True)
        )
        delegates = [user for user in delegates if user.pk not in absent_delegates]
    return list({user.pk: user for user in delegates + replacements + _guests_of(session)}.values())


def _send_session_mail(session, template: str, extra: dict | None = None, *, key_suffix: str = "") -> None:
    context = {**_session_context(session), **(extra or {})}
    attachment = calendars.invitation(session)
    for user in _session_recipients(session, skip_absent=template == "session_reminder"):
        email_queue(
            to=user.email,
            template=f"thematic_groups/{template}",
            context={**context, "first_name": user.first_name},
            recipient=user,
            attachments=[attachment],
            key=f"gt-session:{template}:{session.pk}:{session.sequence}:{user.pk}{key_suffix}",
        )


def session_published(session) -> None:
    _send_session_mail(session, "session_published")


def session_changed(session, *, changes: list[str]) -> None:
    # Field names: the template names them in each recipient's language.
    _send_session_mail(session, "session_changed", {"changes": changes})


def session_cancelled(session) -> None:
    _send_session_mail(session, "session_cancelled")


def session_reminder(session) -> None:
    _send_session_mail(session, "session_reminder", key_suffix=":reminder")


def short_notice_requested(session, *, requested_by, repeated: bool) -> None:
    from django.urls import reverse

    context = {
        **_session_context(session),
        "requested_by": requested_by.get_full_name() or requested_by.email,
        "reason": session.short_notice_request,
        "repeated": repeated,
        "publish_url": settings.SITE_URL + reverse("thematic_groups:session_publish", args=[session.pk]),
    }
    for user in _coordinators():
        email_queue(
            to=user.email,
            template="thematic_groups/short_notice_requested",
            context={**context, "first_name": user.first_name},
            recipient=user,
        )


def guest_answered(guest) -> None:
    """The locomotive (pilot and whoever invited) learns whether the expert comes."""
    session = guest.session
    context = {
        **_session_context(session),
        "organisation_name": guest.organisation.name,
        "accepted": guest.status == GuestStatus.ACCEPTED,
    }
    people = {user.pk: user for user in pilots_of(session.thematic_group)}
    if guest.invited_by_id and guest.invited_by.is_active:
        people.setdefault(guest.invited_by_id, guest.invited_by)
    for user in people.values():
        email_queue(
            to=user.email,
            template="thematic_groups/guest_answered",
            context={**context, "first_name": user.first_name},
            recipient=user,
        )


def replacement_named(notice) -> None:
    """The replacement gets the session in its calendar, like a delegate."""
    session = notice.session
    user = notice.replacement
    if user is None or not user.is_active:
        return
    email_queue(
        to=user.email,
        template="thematic_groups/replacement_named",
        context={
            **_session_context(session),
            "first_name": user.first_name,
            "organisation_name": notice.organisation.name,
            "announced_by": notice.announced_by.get_full_name() or notice.announced_by.email,
        },
        recipient=user,
        attachments=[calendars.invitation(session)],
        key=f"gt-session:replacement:{notice.pk}:{session.sequence}",
    )


def absence_announced(notice) -> None:
    session = notice.session
    context = {
        **_session_context(session),
        "organisation_name": notice.organisation.name,
        "announced_by": notice.announced_by.get_full_name() or notice.announced_by.email,
        "replacement": (notice.replacement.get_full_name() or notice.replacement.email) if notice.replacement else "",
        "message": notice.message,
        "on_time": notice.on_time,
    }
    for pilot in pilots_of(session.thematic_group):
        email_queue(
            to=pilot.email,
            template="thematic_groups/absence_announced",
            context={**context, "first_name": pilot.first_name},
            recipient=pilot,
        )


def attendance_alerts(session, raised) -> None:
    """One digest per person (coordination and the group's pilots) of the alerts a closed list raised."""
    from django.urls import reverse

    group = session.thematic_group
    by_organisation: dict[int, dict] = {}
    for standing, kind in raised:
        line = by_organisation.setdefault(
            standing.assignment.organisation_id,
            {
                "organisation_name": standing.assignment.organisation.name,
                "kinds": [],
                "held": standing.held,
                "attended": standing.attended,
                "remaining": standing.remaining,
                "needed": standing.needed,
                "unjustified_in_a_row": standing.unjustified_in_a_row,
                "unjustified_total": standing.unjustified_total,
            },
        )
        line["kinds"].append(str(kind.label))
    lines = sorted(by_organisation.values(), key=lambda line: line["organisation_name"].casefold())
    context = {
        "group_name": group.name,
        "session_date": timezone.localtime(session.starts_at).date(),
        "count": len(lines),
        "lines": lines,
        "overview_url": settings.SITE_URL + reverse("thematic_groups:attendance_overview", args=[group.slug]),
    }
    people = {user.pk: user for user in _coordinators() + pilots_of(group)}
    for user in people.values():
        email_queue(
            to=user.email,
            template="thematic_groups/attendance_alerts",
            context={**context, "first_name": user.first_name},
            recipient=user,
        )


def guest_invited(guest) -> None:
    session = guest.session
    from django.urls import reverse

    context = {
        **_session_context(session),
        "organisation_name": guest.organisation.name,
        "topic": guest.topic,
        "answer_url": settings.SITE_URL + reverse("thematic_groups:invitations"),
    }
    roles = OrganisationRole.objects.filter(
        organisation=guest.organisation,
        role__in=[OrganisationRoleType.LEGAL_REPRESENTATIVE, OrganisationRoleType.CONTACT_POINT],
        user__is_active=True,
    ).select_related("user")
    for user in {role.user_id: role.user for role in roles}.values():
        email_queue(
            to=user.email,
            template="thematic_groups/guest_invited",
            context={**context, "first_name": user.first_name},
            recipient=user,
        )
