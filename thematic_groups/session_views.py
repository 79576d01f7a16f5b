"""Pages of the GT sessions: plan and publish, announce an absence, check in, keep the attendance list."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.roles import member_organisation_ids
from accounts.rules import staff_view_allowed
from members.models import Organisation, OrganisationRole
from thematic_groups import attendance, calendars, experts, selectors, sessions
from thematic_groups.enums import AssignmentStatus, AttendanceStatus, SessionStatus
from thematic_groups.models import AbsenceNotice, Attendance, IntersessionWork, Session, SessionGuest
from thematic_groups.pages import NOT_DONE, apply_form, crumbs, form_page, show_refusal, stored_file_response
from thematic_groups.session_forms import (
    AbsenceForm,
    CancelForm,
    ConfirmForm,
    GuestForm,
    IntersessionForm,
    ReasonForm,
    SessionForm,
    ShortNoticeForm,
)

MANAGE = "thematic_groups.manage_sessions"


def _session(pk: int) -> Session:
    return get_object_or_404(Session.objects.select_related("thematic_group"), pk=pk)


def _managed_session(request, pk: int) -> Session:
    """A session of a group whose locomotive the user belongs to (or the coordination); 404 otherwise."""
    session = _session(pk)
    if not staff_view_allowed(request, MANAGE, session.thematic_group):
        raise Http404
    return session


def _visible_session(request, pk: int) -> Session:
    session = _session(pk)
    allowed = rules.test_rule("thematic_groups.view_sessions", request.user)
    if not allowed or (session.status == SessionStatus.DRAFT and not _manages(request, session.thematic_group)):
        raise Http404
    return session


def _manages(request, group) -> bool:
    return staff_view_allowed(request, MANAGE, group)


def _seated_organisations_of(user, group) -> list[Organisation]:
    """The user's organisations that hold a seat in the group."""
    return list(
        Organisation.objects.filter(
            pk__in=member_organisation_ids(user),
            assignments__thematic_group=group,
            assignments__status=AssignmentStatus.ASSIGNED,
        ).order_by("name")
    )


# --- planning ----------------------------------------------------------------------------------------


@login_required
@never_cache
def session_create(request, slug: str):
    group = selectors.thematic_group_get(slug)
    if not _manages(request, group):
        raise Http404
    form = SessionForm(request.POST or None)
    session = apply_form(
        request,
        form,
        lambda data: sessions.session_create(actor=request.user, group=group, **data),
        success=_("The session is saved as a draft. Publish it to tell the delegates."),
    )
    if session is not NOT_DONE:
        return redirect("thematic_groups:session", pk=session.pk)
    return form_page(
        request,
        form,
        title=_("Plan a session"),
        submit=_("Save as a draft"),
        back_url=group.get_absolute_url(),
        crumbs=crumbs(group=group),
        intro=[_("The session stays a draft, seen by the locomotive only, until you publish it.")],
    )


@login_required
@never_cache
def session_edit(request, pk: int):
    session = _managed_session(request, pk)
    form = SessionForm(request.POST or None, instance=Session.objects.get(pk=session.pk))
    notice_form = ShortNoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and notice_form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            sessions.session_update(
                actor=request.user,
                session=session,
                short_notice_reason=notice_form.cleaned_data["short_notice_reason"],
                **changes,
            )
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            if session.is_published and changes:
                messages.success(request, _("The session is updated and the delegates are told of the change."))
            else:
                messages.success(request, _("The session is updated."))
            return redirect("thematic_groups:session", pk=session.pk)
    return form_page(
        request,
        form,
        extra_form=notice_form if session.is_published else None,
        title=_("Change the session"),
        submit=_("Save the changes"),
        back_url=reverse("thematic_groups:session", args=[session.pk]),
        crumbs=crumbs(session),
        intro=[
            _("Once published, a change of date, time or place is sent to the delegates with an updated invitation.")
        ]
        if session.is_published
        else [],
    )


@login_required
@never_cache
def session_publish(request, pk: int):
    session = _managed_session(request, pk)
    short_notice = sessions.is_short_notice(session.starts_at)
    if short_notice and not request.user.is_coordinator:
        return _short_notice_request(request, session)
    form = ShortNoticeForm(request.POST or None, initial={"short_notice_reason": session.short_notice_request})
    published = apply_form(
        request,
        form,
        lambda data: sessions.session_publish(
            actor=request.user, session=session, short_notice_reason=data["short_notice_reason"]
        ),
        success=_("The session is published: the delegates receive it in their calendar."),
    )
    if published is not NOT_DONE:
        return redirect("thematic_groups:session", pk=session.pk)
    warning = None
    if short_notice:
        warning = _(
            "This session starts before %(date)s, less than two months from now (annex 1 §3). Only the coordination "
            "can publish it, with an exceptional reason."
        ) % {"date": date_format(sessions.earliest_publishable_start(), "DATE_FORMAT")}
    else:
        form.fields.pop("short_notice_reason")
    return form_page(
        request,
        form,
        title=_("Publish the session"),
        submit=_("Publish and tell the delegates"),
        back_url=reverse("thematic_groups:session", args=[session.pk]),
        crumbs=crumbs(session),
        intro=[_("The delegates of the group receive the session by e-mail, with an invitation for their calendar.")],
        warning=warning,
    )


def _short_notice_request(request, session: Session):
    """The locomotive cannot publish within two months itself: it asks the coordination, with its reason."""
    form = ShortNoticeForm(request.POST or None, initial={"short_notice_reason": session.short_notice_request})
    form.fields["short_notice_reason"].label = _("Why can this session not wait two months?")
    asked = apply_form(
        request,
        form,
        lambda data: sessions.short_notice_request(
            actor=request.user, session=session, reason=data["short_notice_reason"]
        ),
        success=_("The coordination is asked to publish the session; it is e-mailed."),
    )
    if asked is not NOT_DONE:
        return redirect("thematic_groups:session", pk=session.pk)
    return form_page(
        request,
        form,
        title=_("Ask the coordination to publish the session"),
        submit=_("Send the request to the coordination"),
        back_url=reverse("thematic_groups:session", args=[session.pk]),
        crumbs=crumbs(session),
        intro=[
            _(
                "A session is announced at least two months ahead (annex 1 §3). This one starts before %(date)s: "
                "only the coordination can publish it, with an exceptional reason. Explain why it cannot wait."
            )
            % {"date": date_format(sessions.earliest_publishable_start(), "DATE_FORMAT")}
        ],
        warning=_("You asked on %(date)s; sending again replaces your reason.")
        % {"date": date_format(timezone.localtime(session.short_notice_requested_at), "DATE_FORMAT")}
        if session.short_notice_requested_at
        else None,
    )


@login_required
@never_cache
def session_cancel(request, pk: int):
    session = _managed_session(request, pk)
    form = CancelForm(request.POST or None)
    cancelled = apply_form(
        request,
        form,
        lambda data: sessions.session_cancel(actor=request.user, session=session, reason=data["reason"]),
        success=_("The session is cancelled and the delegates are told."),
    )
    if cancelled is not NOT_DONE:
        return redirect("thematic_groups:session", pk=session.pk)
    return form_page(
        request,
        form,
        title=_("Cancel the session"),
        submit=_("Cancel the session and tell the delegates"),
        back_url=reverse("thematic_groups:session", args=[session.pk]),
        crumbs=crumbs(session),
        danger=True,
    )


@login_required
@never_cache
def session_delete(request, pk: int):
    session = _managed_session(request, pk)
    group = session.thematic_group
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and session.status == SessionStatus.DRAFT:
        try:
            sessions.session_delete(actor=request.user, session=session)
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("The draft is deleted."))
            return redirect(group.get_absolute_url())
    is_draft = session.status == SessionStatus.DRAFT
    return form_page(
        request,
        form,
        title=_("Delete the draft session"),
        submit=_("Delete the draft") if is_draft else None,
        back_url=reverse("thematic_groups:session", args=[session.pk]),
        crumbs=crumbs(session),
        intro=[_("Nobody was told about this draft: it disappears from the portal.")] if is_draft else [],
        warning=None
        if is_draft
        else _("Only a draft can be deleted: cancel a published session so the delegates are told."),
        danger=True,
    )


# --- reading, absences, check-in ---------------------------------------------------------------------


@login_required
@never_cache
def session_detail(request, pk: int):
    session = _visible_session(request, pk)
    group = session.thematic_group
    mine = _seated_organisations_of(request.user, group)
    notices = {
        notice.organisation_id: notice
        for notice in AbsenceNotice.objects.filter(session=session, organisation__in=mine).select_related("replacement")
    }
    work = {
        item.organisation_id: item for item in IntersessionWork.objects.filter(session=session, organisation__in=mine)
    }
    records = {
        record.organisation_id: record for record in Attendance.objects.filter(session=session, organisation__in=mine)
    }
    return render(
        request,
        "thematic_groups/sessions/detail.html",
        {
            "session": session,
            "group": group,
            "manages": _manages(request, group),
            "my_organisations": [
                {"organisation": o, "notice": notices.get(o.pk), "work": work.get(o.pk), "record": records.get(o.pk)}
                for o in mine
            ],
            "guests": list(session.guests.select_related("organisation").order_by("organisation__name")),
            "intersession_work": (
                list(
                    IntersessionWork.objects.filter(session=session)
                    .select_related("organisation", "done_by")
                    .order_by("organisation__name")
                )
                if _manages(request, group) and session.intersession_task
                else []
            ),
            "can_announce": session.is_published
            and session.starts_at > timezone.now()
            and any(o.pk not in notices and o.pk not in records for o in mine),
            "all_checked_in": bool(mine) and all(o.pk in records for o in mine),
            "can_withdraw": session.is_published and session.starts_at > timezone.now(),
            "check_in_open": attendance.check_in_window(session)[0] <= timezone.now() <= session.ends_at,
        },
    )


@login_required
@never_cache
def absence_announce(request, pk: int):
    session = _visible_session(request, pk)
    organisations = _seated_organisations_of(request.user, session.thematic_group)
    if not organisations:
        raise Http404
    people = [
        (role.organisation, role.user)
        for role in OrganisationRole.objects.filter(organisation__in=organisations)
        .exclude(user=request.user)
        .select_related("organisation", "user")
        .order_by("organisation__name", "user__last_name")
    ]
    form = AbsenceForm(request.POST or None, organisations=organisations, people=people)
    on_time = attendance.is_on_time(timezone.now(), session.starts_at)
    if request.method == "POST" and form.is_valid():
        organisation = next(o for o in organisations if str(o.pk) == form.cleaned_data["organisation"])
        replacement = next((u for _o, u in people if str(u.pk) == form.cleaned_data["replacement"]), None)
        try:
            notice = attendance.absence_announce(
                actor=request.user,
                session=session,
                organisation=organisation,
                message=form.cleaned_data["message"],
                replacement=replacement,
            )
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            if notice.replacement_id:
                messages.success(request, _("Noted: your replacement attends for your organisation."))
            elif notice.on_time:
                messages.success(request, _("Your absence is announced to the pilot: it is excused."))
            else:
                messages.warning(
                    request,
                    _(
                        "Your absence is announced to the pilot, less than 24 hours ahead: it counts as unjustified "
                        "unless the pilot accepts exceptional circumstances."
                    ),
                )
            return redirect("thematic_groups:session", pk=session.pk)
    if on_time:
        intro = [_("Announced at least 24 hours before the start, the absence is excused (annex 1 §4).")]
        warning = None
    else:
        intro = []
        warning = _(
            "The session starts in less than 24 hours: the absence will count as unjustified, unless the pilot "
            "accepts exceptional or unforeseeable circumstances. Say what happened in the message."
        )
    return form_page(
        request,
        form,
        title=_("Announce an absence"),
        submit=_("Announce the absence to the pilot"),
        back_url=reverse("thematic_groups:session", args=[session.pk]),
        crumbs=crumbs(session),
        intro=intro,
        warning=warning,
    )


@login_required
@never_cache
def check_in(request, pk: int, token: str):
    session = _session(pk)
    if token != session.check_in_token:
        raise Http404
    organisations = _seated_organisations_of(request.user, session.thematic_group)
    if request.method == "POST":
        organisation = next((o for o in organisations if str(o.pk) == request.POST.get("organisation")), None)
        if organisation is None:
            messages.error(request, _("You can only check in for your own organisation."))
        else:
            try:
                attendance.attendance_check_in(
                    actor=request.user, session=session, token=token, organisation=organisation
                )
            except ValidationError as exc:
                show_refusal(request, exc)
            else:
                messages.success(
                    request, _("Your presence is recorded for %(organisation)s.") % {"organisation": organisation.name}
                )
                return redirect("thematic_groups:session", pk=session.pk)
    return render(
        request,
        "thematic_groups/sessions/check_in.html",
        {"session": session, "organisations": organisations, "token": token},
    )


@login_required
@never_cache
def intersession_done(request, pk: int):
    from thematic_groups.contributions import intersession_mark_done

    session = _visible_session(request, pk)
    organisations = _seated_organisations_of(request.user, session.thematic_group)
    organisation = next((o for o in organisations if str(o.pk) == request.GET.get("organisation", "")), None)
    organisation = organisation or (organisations[0] if organisations else None)
    if organisation is None or not session.intersession_task:
        raise Http404
    form = IntersessionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            intersession_mark_done(
                actor=request.user,
                session=session,
                organisation=organisation,
                comment=form.cleaned_data["comment"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("The intersession task is marked as done."))
            return redirect("thematic_groups:session", pk=session.pk)
    return form_page(
        request,
        form,
        title=_("Intersession task done"),
        submit=_("Mark as done"),
        back_url=reverse("thematic_groups:session", args=[session.pk]),
        crumbs=crumbs(session),
        intro=[session.intersession_task, organisation.name],
    )


@login_required
@never_cache
def session_ics(request, pk: int):
    session = _visible_session(request, pk)
    if session.status == SessionStatus.DRAFT:
        raise Http404
    content = calendars.calendar_for([session], name=f"ASeT-W {session.thematic_group.short_name}")
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="seance-asetw-{session.pk}.ics"'
    return response


# --- the locomotive's list ----------------------------------------------------------------------------


@login_required
@never_cache
def attendance_list(request, pk: int):
    session = _managed_session(request, pk)
    if request.method == "POST":
        return _attendance_post(request, session)
    lines = selectors.attendance_lines(session)
    return render(
        request,
        "thematic_groups/sessions/attendance.html",
        {
            "session": session,
            "lines": lines,
            "statuses": AttendanceStatus.choices,
            "guests": list(session.guests.select_related("organisation").order_by("organisation__name")),
            "started": session.starts_at <= timezone.now(),
            "unannounced": sum(1 for line in lines if not line.status),
            "can_excuse": staff_view_allowed(request, "thematic_groups.excuse_absences", session.thematic_group),
            "check_in_url": request.build_absolute_uri(
                reverse("thematic_groups:check_in", args=[session.pk, session.check_in_token])
            ),
        },
    )


def _attendance_post(request, session: Session):
    """Save the lines that changed; "close" saves them too, then closes the list."""
    try:
        changed = 0
        for line in selectors.attendance_lines(session):
            wanted = request.POST.get(f"status-{line.organisation.pk}", "")
            note = request.POST.get(f"note-{line.organisation.pk}", "")
            current_note = line.record.note if line.record else ""
            if wanted and (wanted != line.status or line.record is None or note != current_note):
                attendance.attendance_record(
                    actor=request.user, session=session, organisation=line.organisation, status=wanted, note=note
                )
                changed += 1
        for guest in session.guests.all():
            value = request.POST.get(f"guest-{guest.pk}", "")
            if value in ("yes", "no") and guest.attended != (value == "yes"):
                experts.guest_attended(actor=request.user, guest=guest, attended=value == "yes")
        if request.POST.get("action") == "close":
            unannounced = [line for line in selectors.attendance_lines(session) if not line.status]
            if unannounced and not request.POST.get("confirm_unannounced"):
                messages.warning(
                    request,
                    ngettext(
                        "%(count)d member has no line and announced no absence: closing records it as absent "
                        "without justification. Fill in its line, or tick the confirmation and close again.",
                        "%(count)d members have no line and announced no absence: closing records them as absent "
                        "without justification. Fill in their lines, or tick the confirmation and close again.",
                        len(unannounced),
                    )
                    % {"count": len(unannounced)},
                )
                return redirect("thematic_groups:attendance", pk=session.pk)
            attendance.attendance_close(actor=request.user, session=session)
            messages.success(request, _("The attendance list is closed."))
        else:
            messages.success(request, _("Attendance saved (%(count)d changes).") % {"count": changed})
    except ValidationError as exc:
        show_refusal(request, exc)
    return redirect("thematic_groups:attendance", pk=session.pk)


@login_required
@never_cache
def absence_exceptional(request, pk: int, notice_pk: int):
    session = _session(pk)
    if not staff_view_allowed(request, "thematic_groups.excuse_absences", session.thematic_group):
        raise Http404
    notice = get_object_or_404(AbsenceNotice.objects.select_related("organisation"), pk=notice_pk, session=session)
    form = ReasonForm(request.POST or None)
    excused = apply_form(
        request,
        form,
        lambda data: attendance.absence_mark_exceptional(actor=request.user, notice=notice, reason=data["reason"]),
        success=_("The absence is excused for exceptional circumstances."),
    )
    if excused is not NOT_DONE:
        return redirect("thematic_groups:attendance", pk=session.pk)
    return form_page(
        request,
        form,
        title=_("Exceptional circumstances"),
        submit=_("Excuse the absence"),
        back_url=reverse("thematic_groups:attendance", args=[session.pk]),
        crumbs=crumbs(session),
        intro=[
            _("%(organisation)s announced its absence on %(date)s, less than 24 hours before the session.")
            % {
                "organisation": notice.organisation.name,
                "date": date_format(timezone.localtime(notice.announced_at), "DATETIME_FORMAT"),
            },
            notice.message,
        ],
    )


@login_required
@never_cache
def guest_invite(request, pk: int):
    session = _managed_session(request, pk)
    candidates = experts.experts_for(session.thematic_group)
    form = GuestForm(request.POST or None, experts=candidates)
    if request.method == "POST" and form.is_valid():
        organisation = get_object_or_404(Organisation, pk=form.cleaned_data["organisation"])
        try:
            experts.guest_invite(
                actor=request.user, session=session, organisation=organisation, topic=form.cleaned_data["topic"]
            )
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("The invitation is sent."))
            return redirect("thematic_groups:session", pk=session.pk)
    return form_page(
        request,
        form,
        title=_("Invite an expert"),
        submit=_("Send the invitation"),
        back_url=reverse("thematic_groups:session", args=[session.pk]),
        crumbs=crumbs(session),
        intro=[
            _(
                "Ecosystem actors are invited for their expertise (art 4ter.2). Those marked ★ declared this group's "
                "theme or a transversal one. Guests appear on the attendance list and never take a seat."
            )
        ],
    )


@login_required
@never_cache
def invitations(request):
    """Invitations of the user's ecosystem organisations, to answer."""
    guests = list(
        SessionGuest.objects.filter(organisation_id__in=member_organisation_ids(request.user))
        .select_related("session__thematic_group", "organisation")
        .order_by("-session__starts_at")
    )
    return render(request, "thematic_groups/sessions/invitations.html", {"guests": guests})


@login_required
@require_POST
def invitation_answer(request, pk: int):
    guest = get_object_or_404(
        SessionGuest.objects.select_related("session"), pk=pk, organisation_id__in=member_organisation_ids(request.user)
    )
    try:
        experts.guest_answer(actor=request.user, guest=guest, accept=request.POST.get("answer") == "accept")
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Your answer is recorded; the locomotive sees it."))
    return redirect("thematic_groups:invitations")


@login_required
@never_cache
def qr_code(request, pk: int):
    """The QR code the facilitator shows in the room: it opens the check-in page."""
    import qrcode
    import qrcode.image.svg

    session = _managed_session(request, pk)
    url = request.build_absolute_uri(reverse("thematic_groups:check_in", args=[session.pk, session.check_in_token]))
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    return HttpResponse(image.to_string(), content_type="image/svg+xml")


def _sheet_lines(session: Session) -> list:
    labels = dict(AttendanceStatus.choices)
    lines = selectors.attendance_lines(session)
    for line in lines:
        line.status_label = str(labels.get(line.status, "")) if line.status else ""
    return lines


@login_required
@never_cache
def attendance_pdf(request, pk: int):
    """The attendance sheet to print and sign in the room, in French, the alliance's reference language."""
    from core.pdf import render_pdf
    from thematic_groups.documents import attendance_sheet_context

    session = _managed_session(request, pk)
    context = attendance_sheet_context(session, _sheet_lines(session))
    content = render_pdf(
        "thematic_groups/pdf/attendance_sheet.html",
        context,
        title=f"Liste de présence – {session.thematic_group.short_name} – {context['date']}",
        language="fr",
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="presences-seance-{session.pk}.pdf"'
    return response


@login_required
@never_cache
def attendance_xlsx(request, pk: int):
    from thematic_groups.documents import attendance_workbook

    session = _managed_session(request, pk)
    content = attendance_workbook(session, _sheet_lines(session))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="presences-seance-{session.pk}.xlsx"'
    return response


@login_required
@never_cache
def intersession_file(request, pk: int, work_pk: int):
    """A member's intersession file: for the group's locomotive, the coordination and the member itself."""
    session = _session(pk)
    work = get_object_or_404(IntersessionWork, pk=work_pk, session=session)
    own = work.organisation_id in member_organisation_ids(request.user)
    if not work.file or not (own or _manages(request, session.thematic_group)):
        raise Http404
    return stored_file_response(work.file, work.file_name)


@login_required
@require_POST
def absence_withdraw(request, pk: int, notice_pk: int):
    session = _visible_session(request, pk)
    notice = get_object_or_404(
        AbsenceNotice, pk=notice_pk, session=session, organisation_id__in=member_organisation_ids(request.user)
    )
    try:
        attendance.absence_withdraw(actor=request.user, notice=notice)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("The absence notice is taken back: your organisation is expected."))
    return redirect("thematic_groups:session", pk=session.pk)
