"""Reactions to the members' lifecycle: a confirmed adhesion brings its actions along."""

from django.dispatch import receiver

from members.signals import membership_confirmed
from reporting.actions import actions_from_adhesion
from reporting.reports import report_for_new_member


@receiver(membership_confirmed, dispatch_uid="reporting.actions_from_adhesion")
def import_adhesion_actions(sender, *, organisation, adhesion, actor=None, **kwargs):
    actions_from_adhesion(organisation=organisation, adhesion=adhesion, actor=actor)
    # A member confirmed while a campaign is open reports with the others.
    report_for_new_member(organisation=organisation)
