"""Reactions to the members' lifecycle: a withdrawal that takes effect frees its event places."""

from django.dispatch import receiver

from community.events import registrations_release
from members.signals import organisation_withdrawn


@receiver(organisation_withdrawn, dispatch_uid="community.registrations_release")
def release_registrations(sender, *, organisation, actor=None, **kwargs):
    registrations_release(organisation=organisation)
