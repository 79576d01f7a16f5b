"""The secret links that let a signatory sign without an account.

Only the SHA-256 of a link's secret is stored, so a database leak gives no usable link. A link is
bound to one signature request: the request id and the secret travel together and must match.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from adhesions.enums import AdhesionStatus, SignatureStatus
from adhesions.models import SignatureRequest


class LinkProblem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    VOID = "void"
    FORM_CHANGING = "form_changing"
    CLOSED = "closed"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def link_lifetime() -> timedelta:
    return timedelta(days=settings.ADHESION_SIGNATURE_LINK_DAYS)


def signing_url(signature: SignatureRequest, token: str) -> str:
    return settings.SITE_URL + reverse("adhesions:sign", args=[signature.pk, token])


def link_problem(signature: SignatureRequest | None, token: str) -> LinkProblem | None:
    """Why this link cannot be used to sign, or None when it can."""
    if (
        signature is None
        or not signature.token_hash
        or not secrets.compare_digest(signature.token_hash, token_hash(token))
    ):
        return LinkProblem.UNKNOWN
    if signature.status == SignatureStatus.SIGNED:
        return LinkProblem.USED
    if signature.status == SignatureStatus.CANCELLED:
        return LinkProblem.CLOSED
    if signature.status != SignatureStatus.PENDING:
        return LinkProblem.VOID
    if signature.expires_at <= timezone.now():
        return LinkProblem.EXPIRED
    adhesion = signature.adhesion
    if signature.purpose == SignatureRequest.Purpose.ADHESION and (
        adhesion.status != AdhesionStatus.AWAITING_SIGNATURES or signature.document_version != adhesion.version
    ):
        return LinkProblem.FORM_CHANGING
    return None


def _normalised(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(letters.replace("-", " ").casefold().split())


def name_matches(signature: SignatureRequest, typed: str) -> bool:
    """The typed name must be the signatory's, in either order; accents and case do not matter."""
    typed = _normalised(typed)
    first, last = _normalised(signature.first_name), _normalised(signature.last_name)
    return typed in {f"{first} {last}", f"{last} {first}"}
