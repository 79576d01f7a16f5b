"""The members' library: browse and search, deposit, moderate, flag, download."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.rules import staff_view_allowed
from community import selectors, services
from community.enums import DigestRhythm, ResourceStatus
from community.forms import DecisionForm, FlagForm, LibraryFilterForm, ResourceForm
from community.models import Resource
from community.rules import is_moderator, may_decide, moderates
from core.uploads import attachment_response
from members.models import Organisation
from thematic_groups.pages import show_refusal

PAGE_SIZE = 20


def members_only(view):
    @login_required
    @never_cache
    def wrapped(request, *args, **kwargs):
        if not rules.test_rule("community.view_library", request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _organisations(user) -> list[Organisation]:
    from accounts.roles import member_organisation_ids

    return list(Organisation.objects.filter(pk__in=member_organisation_ids(user)).order_by("name"))


@members_only
def library(request):
    themes = selectors.themes()
    form = LibraryFilterForm(request.GET or None, themes=themes)
    form.is_valid()  # a wrong value in one filter must not drop the others
    filters = {name: value for name, value in getattr(form, "cleaned_data", {}).items() if name not in form.errors}
    resources = selectors.library(
        query=filters.get("q", ""),
        theme=filters.get("theme", ""),
        kind=filters.get("kind", ""),
        language=filters.get("language", ""),
        origin=filters.get("origin", ""),
        sort=filters.get("sort", ""),
    )
    page = Paginator(resources, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "community/library.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_deposit": bool(_organisations(request.user)),
            "moderator": is_moderator(request.user),
        },
    )


def _readable(request, pk: int) -> Resource:
    try:
        resource = selectors.resource_get(pk)
    except Resource.DoesNotExist as exc:
        raise Http404 from exc
    if resource.status == ResourceStatus.PUBLISHED:
        return resource
    if resource.author_id == request.user.pk or moderates(request.user, resource):
        return resource
    raise Http404


@members_only
def resource_detail(request, pk: int):
    resource = _readable(request, pk)
    moderates_theme = moderates(request.user, resource) and staff_view_allowed(request, "community.view_library")
    decides = moderates_theme and may_decide(request.user, resource)
    # Someone who moderates the theme but contributed the resource is told why there is nothing to decide here.
    not_yours = services.not_yours_to_decide(request.user) if moderates_theme and not decides else ""
    return render(
        request,
        "community/resource.html",
        {
            "resource": resource,
            "moderates_theme": moderates_theme,
            "moderates": decides,
            "not_yours_to_decide": not_yours,
            "is_author": resource.author_id == request.user.pk,
            "decision_form": DecisionForm(),
            "flag_form": FlagForm(),
            "events": list(resource.events.select_related("actor")),
            "open_flags": list(resource.flags.filter(handled_at__isnull=True).select_related("reported_by")),
        },
    )


@members_only
def resource_file(request, pk: int):
    resource = _readable(request, pk)
    if not resource.file:
        raise Http404
    return attachment_response(
        resource.file, download_name=resource.file_name or "document", content_type=resource.file_type
    )


def _form_values(form: ResourceForm) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "summary": data["summary"],
        "kind": data["kind"],
        "language": data["language"],
        "origin": data["origin"],
        "link": data.get("link") or "",
        "themes": list(data["themes"]),
        "tags": data["tags"],
        "upload": data.get("file") or None,
    }


@members_only
def deposit(request):
    organisations = _organisations(request.user)
    if not organisations:
        raise Http404
    form = ResourceForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        organisation = next(org for org in organisations if str(org.pk) == form.cleaned_data["organisation"])
        try:
            services.resource_submit(actor=request.user, organisation=organisation, **_form_values(form))
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("Thank you: the resource waits for moderation. You are told by e-mail."))
            return redirect("community:my_deposits")
    return render(request, "community/deposit.html", {"form": form, "title": _("Deposit a resource")})


@members_only
def resource_edit(request, pk: int):
    resource = _readable(request, pk)
    if resource.author_id != request.user.pk or resource.status not in ResourceStatus.editable_by_author():
        raise Http404
    organisations = [resource.organisation] if resource.organisation else _organisations(request.user)
    initial = {
        "title": resource.title,
        "summary": resource.summary,
        "kind": resource.kind,
        "themes": list(resource.themes.all()),
        "tags": ", ".join(tag.name for tag in resource.tags.all()),
        "language": resource.language,
        "origin": resource.origin,
        "link": resource.link,
        "organisation": str(resource.organisation_id),
    }
    form = ResourceForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        organisations=organisations,
        has_file=bool(resource.file),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_resubmit(actor=request.user, resource=resource, **_form_values(form))
        except ValidationError as exc:
            show_refusal(request, exc, form)
        else:
            messages.success(request, _("The resource is sent again to the moderation."))
            return redirect("community:my_deposits")
    return render(
        request,
        "community/deposit.html",
        {"form": form, "title": _("Change the resource"), "resource": resource},
    )


@members_only
def my_deposits(request):
    return render(
        request,
        "community/my_deposits.html",
        {"resources": list(selectors.my_deposits(request.user)), "can_deposit": bool(_organisations(request.user))},
    )


@members_only
def moderation(request):
    if not is_moderator(request.user) or not staff_view_allowed(request, "community.view_library"):
        raise Http404
    return render(request, "community/moderation.html", selectors.moderation_queue(request.user))


@members_only
@require_POST
def moderate(request, pk: int):
    resource = _readable(request, pk)
    if not moderates(request.user, resource) or not staff_view_allowed(request, "community.view_library"):
        raise Http404
    form = DecisionForm(request.POST)
    message = form.data.get("message", "")
    decision = request.POST.get("decision")
    actions = {
        "publish": (lambda: services.resource_publish(actor=request.user, resource=resource), _("Published.")),
        "changes": (
            lambda: services.resource_request_changes(actor=request.user, resource=resource, comment=message),
            _("The author is asked for changes."),
        ),
        "reject": (
            lambda: services.resource_reject(actor=request.user, resource=resource, reason=message),
            _("Rejected; the author is told why."),
        ),
        "hide": (
            lambda: services.resource_hide(actor=request.user, resource=resource, reason=message),
            _("Hidden; the author is told why."),
        ),
        "keep": (
            lambda: services.flags_dismiss(actor=request.user, resource=resource),
            _("The flags are closed; the resource stays published."),
        ),
    }
    if decision not in actions:
        raise Http404
    action, done = actions[decision]
    try:
        action()
    except ValidationError as exc:
        show_refusal(request, exc)
        return redirect("community:resource", pk=resource.pk)
    messages.success(request, done)
    return redirect("community:moderation")


@members_only
@require_POST
def flag(request, pk: int):
    resource = _readable(request, pk)
    form = FlagForm(request.POST)
    try:
        services.resource_flag(actor=request.user, resource=resource, reason=form.data.get("reason", ""))
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Thank you: the moderators will look at it."))
    return redirect(reverse("community:resource", args=[resource.pk]))


@members_only
def watch_settings(request):
    from community import watch as watches
    from community.enums import FollowKind
    from community.forms import WatchForm

    current = watches.watch_for(request.user)
    follows = list(current.follows.all())
    initial = {
        "rhythm": current.rhythm,
        "themes": [follow.value for follow in follows if follow.kind == FollowKind.THEME],
        "kinds": [follow.value for follow in follows if follow.kind == FollowKind.RESOURCE_KIND],
    }
    form = WatchForm(request.POST or None, initial=initial, themes=selectors.themes())
    if request.method == "POST" and form.is_valid():
        watches.watch_update(
            actor=request.user,
            rhythm=form.cleaned_data["rhythm"],
            themes=form.cleaned_data["themes"],
            kinds=form.cleaned_data["kinds"],
        )
        messages.success(request, _("Your thematic watch is saved."))
        return redirect("community:watch")
    return render(
        request,
        "community/watch.html",
        {"form": form, "moderator": is_moderator(request.user), "can_deposit": bool(_organisations(request.user))},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """The link of every digest: works signed out. Opening it only asks; the button unsubscribes, so that
    mail scanners that open every link of a message unsubscribe nobody."""
    from community import watch as watches

    if request.method == "POST":
        found = watches.unsubscribe(token)
        if found is None:
            raise Http404
        return render(request, "community/unsubscribed.html", {})
    watch = watches.watch_for_token(token)
    if watch is None:
        raise Http404
    return render(request, "community/unsubscribe_confirm.html", {"already": watch.rhythm == DigestRhythm.NEVER})


@members_only
def contributions(request):
    """The coordination's view of who contributes to the library (art 4.4)."""
    if not staff_view_allowed(request, "community.view_contributions"):
        raise Http404
    page = Paginator(selectors.contributions_by_organisation(), 50).get_page(request.GET.get("page"))
    return render(request, "community/contributions.html", {"page": page, "moderator": True})


# --- agenda -------------------------------------------------------------------------------------------


@members_only
def agenda(request):
    from django.utils import timezone

    from community.models import Event

    upcoming = list(Event.objects.filter(ends_at__gte=timezone.now()).order_by("starts_at"))
    return render(
        request,
        "community/agenda.html",
        {
            "events": upcoming,
            "moderator": is_moderator(request.user),
            "can_deposit": bool(_organisations(request.user)),
        },
    )


def _event(pk: int):
    from django.shortcuts import get_object_or_404

    from community.models import Event

    return get_object_or_404(Event.objects.prefetch_related("themes"), pk=pk)


@members_only
def event_detail(request, pk: int):
    from community.enums import RegistrationStatus

    event = _event(pk)
    mine = event.registrations.filter(user=request.user).exclude(status=RegistrationStatus.CANCELLED).first()
    taken = event.registrations.filter(status=RegistrationStatus.REGISTERED).count()
    organisations = _organisations(request.user)
    registered_orgs = set(
        event.registrations.exclude(status=RegistrationStatus.CANCELLED).values_list("organisation_id", flat=True)
    )
    return render(
        request,
        "community/event.html",
        {
            "event": event,
            "mine": mine,
            "free": max(event.capacity - taken, 0),
            "organisations": [org for org in organisations if org.pk not in registered_orgs],
        },
    )


@members_only
@require_POST
def event_register(request, pk: int):
    from community import events

    event = _event(pk)
    organisation = None
    if event.per_organisation:
        organisation = next(
            (org for org in _organisations(request.user) if str(org.pk) == request.POST.get("organisation")), None
        )
    try:
        registration = events.event_register(actor=request.user, event=event, organisation=organisation)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        if registration.status == "registered":
            messages.success(request, _("You are registered; the invitation for your calendar is e-mailed."))
        else:
            messages.info(request, _("The event is full: you are on the waiting list and told if a place frees up."))
    return redirect("community:event", pk=event.pk)


@members_only
@require_POST
def event_unregister(request, pk: int):
    from community import events
    from community.enums import RegistrationStatus

    event = _event(pk)
    registration = event.registrations.filter(user=request.user).exclude(status=RegistrationStatus.CANCELLED).first()
    if registration is None:
        raise Http404
    events.registration_cancel(actor=request.user, registration=registration)
    messages.success(request, _("Your registration is cancelled."))
    return redirect("community:event", pk=event.pk)


@members_only
def event_ics(request, pk: int):
    from django.http import HttpResponse

    from community import events

    event = _event(pk)
    response = HttpResponse(events.event_ics(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="evenement-asetw.ics"'
    return response
