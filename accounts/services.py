from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.audit import changed_fields, log_action
from core.outbox import email_queue

GLOBAL_ROLES = {
    "coordinator": ("is_coordinator", _("Operational coordination")),
    "steering_member": ("is_steering_member", _("Steering committee")),
}
PROFILE_FIELDS = ("first_name", "last_name", "phone", "preferred_language")


def global_role_grant(*, actor: Any, user, role: str) -> None:
    """Give a portal-wide role; the person is told by e-mail that it now needs a second factor."""
    field, label = GLOBAL_ROLES[role]
    with transaction.atomic():
        if getattr(user, field):
            return
        setattr(user, field, True)
        update = [field]
        if role == "coordinator":
            # The coordination works in the administration too.
            user.is_staff = True
            update.append("is_staff")
        user.save(update_fields=update)
        entry = log_action("accounts.role.granted", actor=actor, target=user, data={"role": role})
        with translation.override(user.preferred_language):
            role_label = str(label)  # in the recipient's language, not the actor's
        email_queue(
            to=user.email,
            recipient=user,
            template="accounts/role_granted",
            context={"role_label": role_label, "first_name": user.first_name, "login_url": reverse("account_login")},
            # One mail per grant: a role given again after a removal is announced again.
            key=f"role-granted:{entry.pk}",
        )


def global_role_revoke(*, actor: Any, user, role: str) -> None:
    field, _label = GLOBAL_ROLES[role]
    with transaction.atomic():
        if not getattr(user, field):
            return
        setattr(user, field, False)
        update = [field]
        if role == "coordinator" and not user.is_superuser:
            user.is_staff = False
            update.append("is_staff")
        user.save(update_fields=update)
        log_action("accounts.role.revoked", actor=actor, target=user, data={"role": role})


def user_profile_update(*, actor: Any, user, **changes: Any):
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        before = {name: getattr(user, name) for name in changes}
        diff = changed_fields(before, changes)
        if not diff:
            return user
        for name, value in changes.items():
            setattr(user, name, value)
        user.save(update_fields=list(diff))
        log_action("accounts.profile.updated", actor=actor, target=user, data={"changes": diff})
    return user
