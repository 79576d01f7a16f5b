"""The thematic watch (annex 2): follows, rhythm, digests claimed once per person and period, unsubscribe."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.roles import member_organisation_ids
from community.enums import DigestRhythm, FollowKind, ResourceStatus
from community.models import DigestDelivery, Follow, Resource, Watch, new_token
from core.audit import log_action
from core.outbox import email_queue

PERIOD_LENGTH = {DigestRhythm.DAILY: timedelta(days=1), DigestRhythm.WEEKLY: timedelta(days=7)}


def watch_for(user) -> Watch:
    return Watch.objects.get_or_create(user=user)[0]


def watch_update(*, actor, rhythm: str, themes: list[str], kinds: list[str]) -> Watch:
    with transaction.atomic():
        watch = Watch.objects.select_for_update().get(pk=watch_for(actor).pk)
        watch.rhythm = rhythm
        watch.updated_at = timezone.now()
        watch.save(update_fields=["rhythm", "updated_at"])
        watch.follows.all().delete()
        Follow.objects.bulk_create(
            [Follow(watch=watch, kind=FollowKind.THEME, value=slug) for slug in themes]
            + [Follow(watch=watch, kind=FollowKind.RESOURCE_KIND, value=kind) for kind in kinds]
        )
        log_action(
            "community.watch.updated",
            actor=actor,
            target=watch,
            data={"rhythm": rhythm, "themes": themes, "kinds": kinds},
        )
    return watch


def watch_for_token(token: str) -> Watch | None:
    return Watch.objects.filter(unsubscribe_token=token).first() if token else None


def unsubscribe(token: str) -> Watch | None:
    """The digest's link: no sign-in needed; the token is the proof. The rhythm becomes "never"."""
    watch = Watch.objects.filter(unsubscribe_token=token).select_related("user").first()
    if watch is None:
        return None
    if watch.rhythm != DigestRhythm.NEVER:
        watch.rhythm = DigestRhythm.NEVER
        watch.updated_at = timezone.now()
        watch.save(update_fields=["rhythm", "updated_at"])
        log_action("community.watch.unsubscribed", actor=None, target=watch, data={"user": watch.user_id})
    return watch


def _matching(watch: Watch, since: datetime, until: datetime, only: int | None = None):
    follows = list(watch.follows.all())
    if not follows:
        return []
    condition = Q()
    themes = [follow.value for follow in follows if follow.kind == FollowKind.THEME]
    kinds = [follow.value for follow in follows if follow.kind == FollowKind.RESOURCE_KIND]
    if themes:
        condition |= Q(themes__slug__in=themes)
    if kinds:
        condition |= Q(kind__in=kinds)
    resources = Resource.objects.filter(condition, status=ResourceStatus.PUBLISHED)
    if only is not None:
        resources = resources.filter(pk=only)
    else:
        resources = resources.filter(published_at__gte=since, published_at__lt=until)
    return list(resources.distinct().select_related("organisation").order_by("-published_at"))


def period_of(rhythm: str, now: datetime) -> tuple[str, datetime, datetime]:
    """The period that just ended: its key, start and end (local midnights; weeks start on Monday)."""
    today = timezone.localtime(now).date()
    if rhythm == DigestRhythm.WEEKLY:
        end = today - timedelta(days=today.weekday())
        start = end - timedelta(days=7)
        key = f"weekly:{start.isocalendar().year}-W{start.isocalendar().week:02d}"
    else:
        end, start = today, today - timedelta(days=1)
        key = f"daily:{start.isoformat()}"
    zone = timezone.get_current_timezone()
    return key, datetime.combine(start, datetime.min.time(), zone), datetime.combine(end, datetime.min.time(), zone)


def _announced_events(watch: Watch, since: datetime, until: datetime) -> list:
    """Events put in the agenda during the period, on a followed theme or for everybody (no theme)."""
    from community.models import Event

    themes = [follow.value for follow in watch.follows.all() if follow.kind == FollowKind.THEME]
    return list(
        Event.objects.filter(created_at__gte=since, created_at__lt=until, starts_at__gt=until)
        .filter(Q(themes__slug__in=themes) | Q(themes__isnull=True))
        .distinct()
        .order_by("starts_at")
    )


def _deliver(watch: Watch, period: str, resources: list[Resource], events: list = ()) -> bool:
    """Claim the (person, period) row and queue the digest in the same transaction: once, or not at all."""
    if not resources and not events:
        return False
    if not member_organisation_ids(watch.user) and not _is_staff_reader(watch.user):
        return False
    try:
        with transaction.atomic():
            DigestDelivery.objects.create(user=watch.user, period=period, resources=len(resources))
            email_queue(
                to=watch.user.email,
                template="community/digest",
                context={
                    "first_name": watch.user.first_name,
                    "resources": [
                        {
                            "title": resource.title,
                            "kind": str(resource.get_kind_display()),
                            "organisation": resource.organisation.name if resource.organisation else "",
                            "url": settings.SITE_URL + reverse("community:resource", args=[resource.pk]),
                        }
                        for resource in resources
                    ],
                    "count": len(resources),
                    "events": [
                        {
                            "title": event.title,
                            "starts_at": timezone.localtime(event.starts_at),
                            "url": settings.SITE_URL + reverse("community:event", args=[event.pk]),
                        }
                        for event in events
                    ],
                    "watch_url": settings.SITE_URL + reverse("community:watch"),
                    "unsubscribe_url": settings.SITE_URL
                    + reverse("community:unsubscribe", args=[watch.unsubscribe_token]),
                },
                recipient=watch.user,
                key=f"community:digest:{watch.user_id}:{period}",
            )
    except IntegrityError:
        return False  # another run claimed it
    return True


def _is_staff_reader(user) -> bool:
    from accounts import roles

    return roles.is_coordinator(user) or bool(roles.locomotive_group_ids(user))


def digests_send(now: datetime | None = None) -> int:
    """Periodic: the daily digests every day, the weekly ones on Mondays, for the period that just ended."""
    now = now or timezone.now()
    sent = 0
    rhythms = [DigestRhythm.DAILY] + ([DigestRhythm.WEEKLY] if timezone.localtime(now).weekday() == 0 else [])
    for rhythm in rhythms:
        period, since, until = period_of(rhythm, now)
        watches = Watch.objects.filter(rhythm=rhythm, user__is_active=True).select_related("user")
        for watch in watches.prefetch_related("follows"):
            sent += _deliver(watch, period, _matching(watch, since, until), _announced_events(watch, since, until))
    return sent


def resource_published_alerts(resource_id: int) -> int:
    """For the people who follow "each time": one e-mail per newly published resource."""
    sent = 0
    watches = Watch.objects.filter(rhythm=DigestRhythm.IMMEDIATE, user__is_active=True).select_related("user")
    for watch in watches.prefetch_related("follows"):
        resources = _matching(watch, timezone.now(), timezone.now(), only=resource_id)
        sent += _deliver(watch, f"resource:{resource_id}", resources)
    return sent


def new_unsubscribe_token(watch: Watch) -> None:
    watch.unsubscribe_token = new_token()
    watch.save(update_fields=["unsubscribe_token"])
