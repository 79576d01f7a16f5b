"""The audit log helper every service calls when it changes something important."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.models import AuditEntry

# Whole key names only: "postal_code" or "keyword" must stay readable, "password2" or "api_key" not.
_SECRET_KEY = re.compile(
    r"^(?:(?:.*_)?(?:password\d?|passwd|secret|token|otp|totp|api_key|private_key|recovery_codes?|signature_data)"
    r"|key|code|codes)$",
    re.I,
)
MASK = "***"


def mask_secrets(data: Any) -> Any:
    """Replace the values of secret-looking keys, at any depth, so the log never stores them."""
    if isinstance(data, Mapping):
        return {
            key: (MASK if _SECRET_KEY.match(str(key)) and value not in (None, "") else mask_secrets(value))
            for key, value in data.items()
        }
    if isinstance(data, (list, tuple)):
        return [mask_secrets(item) for item in data]
    return data


def log_action(
    action: str,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    data: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Record ``action`` (a dotted code such as ``members.organisation.created``).

    Call it inside the service's transaction: the entry is committed or rolled back with the change.
    """
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    entry = AuditEntry(
        action=action,
        actor=actor_user,
        actor_label=(actor_user.email if actor_user else (str(actor) if actor else "system")),
        data=mask_secrets(dict(data or {})),
    )
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
        entry.target_id = str(target.pk)
        entry.target_label = str(target)[:255]
    entry.save()
    return entry


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields whose value differs, as ``{name: {"from": old, "to": new}}``."""
    return {name: {"from": before.get(name), "to": value} for name, value in after.items() if before.get(name) != value}
