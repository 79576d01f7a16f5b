"""Every change to the library: deposit, resubmission, moderation decisions, flags; audited and e-mailed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import is_coordinator, member_organisation_ids
from community import notifications as notify
from community import search
from community.enums import ResourceStatus
from community.models import Resource, ResourceEvent, ResourceFlag, Tag
from community.rules import may_decide, moderates
from core.audit import log_action

FIELDS = ("title", "summary", "kind", "language", "origin", "link")


class LibraryRefused(ValidationError):
    """The library change cannot be made as asked; the message says why."""


def _tags(names: list[str]) -> list[Tag]:
    tags = []
    for name in names:
        name = name.strip()[:60]
        if name:
            tags.append(Tag.objects.get_or_create(name__iexact=name, defaults={"name": name})[0])
    return tags


def _index(resource: Resource) -> None:
    """Refresh the words the search reads (and PostgreSQL's vector)."""
    tags = " ".join(tag.name for tag in resource.tags.all())
    themes = " ".join(theme.name for theme in resource.themes.all())
    resource.search_text = search.search_text(resource.title, resource.summary, tags, themes)
    resource.save(update_fields=["search_text"])
    if search.uses_postgresql():
        Resource.objects.filter(pk=resource.pk).update(search_vector=search.vector())


def _store_file(resource: Resource, upload) -> None:
    detected = upload.detected_type
    resource.file.save("upload", upload, save=False)
    resource.file_name = (upload.name or "document")[:255]
    resource.file_type = detected.mime_type
    resource.file_size = upload.size


def _event(resource: Resource, actor, message: str = "") -> ResourceEvent:
    return ResourceEvent.objects.create(resource=resource, status=resource.status, message=message, actor=actor)


def resource_submit(*, actor, organisation, themes, tags: list[str] = (), upload=None, **fields: Any) -> Resource:
    """A member deposits a resource: it waits for moderation."""
    if organisation is None or organisation.pk not in member_organisation_ids(actor):
        raise LibraryRefused(_("Deposit a resource in the name of an organisation you represent."))
    if not themes:
        raise LibraryRefused({"themes": _("Choose at least one theme.")})
    if upload is None and not fields.get("link"):
        raise LibraryRefused(_("Give a file or a link."))
    with transaction.atomic():
        resource = Resource(
            organisation=organisation,
            author=actor,
            status=ResourceStatus.PENDING,
            **{name: value for name, value in fields.items() if name in FIELDS},
        )
        if upload is not None:
            _store_file(resource, upload)
        resource.save()
        resource.themes.set(themes)
        resource.tags.set(_tags(list(tags)))
        _index(resource)
        event = _event(resource, actor)
        log_action("community.resource.submitted", actor=actor, target=resource, data={"title": resource.title})
        notify.to_moderators(resource, event_pk=event.pk, resubmitted=False)
    return resource


def resource_resubmit(*, actor, resource: Resource, themes, tags: list[str] = (), upload=None, **fields: Any):
    """The author changes its deposit (while it waits, or when changes were asked) and sends it again."""
    with transaction.atomic():
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        if resource.author_id != getattr(actor, "pk", None):
            raise LibraryRefused(_("Only the person who deposited the resource can change it."))
        if resource.status not in ResourceStatus.editable_by_author():
            raise LibraryRefused(
                _("This resource is %(status)s: it can no longer be changed.")
                % {"status": resource.get_status_display().lower()}
            )
        if not themes:
            raise LibraryRefused({"themes": _("Choose at least one theme.")})
        if upload is None and not resource.file and not fields.get("link"):
            raise LibraryRefused(_("Give a file or a link."))
        for name, value in fields.items():
            if name in FIELDS:
                setattr(resource, name, value)
        if upload is not None:
            _store_file(resource, upload)
        was_asked = resource.status == ResourceStatus.CHANGES_REQUESTED
        resource.status = ResourceStatus.PENDING
        resource.moderation_note = ""  # answered: the request stays in the history, not on the deposit
        resource.updated_at = timezone.now()
        resource.save()
        resource.themes.set(themes)
        resource.tags.set(_tags(list(tags)))
        _index(resource)
        event = _event(resource, actor)
        log_action("community.resource.resubmitted", actor=actor, target=resource)
        if was_asked:
            notify.to_moderators(resource, event_pk=event.pk, resubmitted=True)
    return resource


def not_yours_to_decide(actor) -> str:
    """Why a moderator who contributed the resource leaves the decision to someone else."""
    if is_coordinator(actor):
        return _("Your organisation contributed this resource: another moderator decides.")
    return _("Your organisation contributed this resource: the coordination or another moderator decides.")


def _require_moderator_of(actor, resource: Resource) -> None:
    if not moderates(actor, resource):
        raise LibraryRefused(_("You do not moderate this resource's themes."))
    # A pilot whose organisation is also a member would otherwise approve its own deposits.
    if not may_decide(actor, resource):
        raise LibraryRefused(not_yours_to_decide(actor))


def _decide(resource: Resource, actor, status: str, message: str, *, allowed_from, action: str, mail: str):
    with transaction.atomic():
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        _require_moderator_of(actor, resource)
        if resource.status not in allowed_from:
            raise LibraryRefused(
                _("This resource is %(status)s: someone else may have decided first.")
                % {"status": resource.get_status_display().lower()}
            )
        resource.status = status
        resource.moderation_note = message
        resource.updated_at = timezone.now()
        if status == ResourceStatus.PUBLISHED and resource.published_at is None:
            resource.published_at = timezone.now()
        resource.save(update_fields=["status", "moderation_note", "updated_at", "published_at"])
        event = _event(resource, actor, message)
        log_action(action, actor=actor, target=resource, data={"message": message} if message else {})
        notify.to_author(resource, event_pk=event.pk, decision=mail)
    return resource


def resource_publish(*, actor, resource: Resource) -> Resource:
    from community.tasks import resource_published_alerts

    published = _decide(
        resource,
        actor,
        ResourceStatus.PUBLISHED,
        "",
        allowed_from={ResourceStatus.PENDING},
        action="community.resource.published",
        mail="published",
    )
    transaction.on_commit(lambda: resource_published_alerts.delay(resource_id=published.pk))
    return published


def resource_request_changes(*, actor, resource: Resource, comment: str) -> Resource:
    comment = (comment or "").strip()
    if not comment:
        raise LibraryRefused({"message": _("Say what the author should change; it is sent to them.")})
    return _decide(
        resource,
        actor,
        ResourceStatus.CHANGES_REQUESTED,
        comment,
        allowed_from={ResourceStatus.PENDING},
        action="community.resource.changes_requested",
        mail="changes_requested",
    )


def resource_reject(*, actor, resource: Resource, reason: str) -> Resource:
    reason = (reason or "").strip()
    if not reason:
        raise LibraryRefused({"message": _("Give the reason for the rejection; it is sent to the author.")})
    return _decide(
        resource,
        actor,
        ResourceStatus.REJECTED,
        reason,
        allowed_from={ResourceStatus.PENDING, ResourceStatus.CHANGES_REQUESTED},
        action="community.resource.rejected",
        mail="rejected",
    )


def resource_flag(*, actor, resource: Resource, reason: str) -> ResourceFlag:
    reason = (reason or "").strip()
    if not reason:
        raise LibraryRefused({"reason": _("Say what is wrong with this resource.")})
    if resource.status != ResourceStatus.PUBLISHED:
        raise LibraryRefused(_("Only a published resource can be flagged."))
    if resource.flags.filter(reported_by=actor, handled_at__isnull=True).exists():
        raise LibraryRefused(_("You already flagged this resource; the moderators will look at it."))
    with transaction.atomic():
        flag = ResourceFlag.objects.create(resource=resource, reported_by=actor, reason=reason)
        log_action("community.resource.flagged", actor=actor, target=resource, data={"reason": reason})
    return flag


def resource_hide(*, actor, resource: Resource, reason: str) -> Resource:
    """After a flag: the resource leaves the library; its author is told why."""
    reason = (reason or "").strip()
    if not reason:
        raise LibraryRefused({"message": _("Give the reason for hiding it; it is shown to the author.")})
    resource = _decide(
        resource,
        actor,
        ResourceStatus.HIDDEN,
        reason,
        allowed_from={ResourceStatus.PUBLISHED},
        action="community.resource.hidden",
        mail="hidden",
    )
    resource.flags.filter(handled_at__isnull=True).update(handled_at=timezone.now(), handled_by=actor)
    return resource


def flags_dismiss(*, actor, resource: Resource) -> int:
    """The flags were checked and the resource stays published."""
    _require_moderator_of(actor, resource)
    with transaction.atomic():
        count = resource.flags.filter(handled_at__isnull=True).update(handled_at=timezone.now(), handled_by=actor)
        log_action("community.flags.dismissed", actor=actor, target=resource, data={"flags": count})
    return count
