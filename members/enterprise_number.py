"""The Belgian enterprise number (BCE/KBO): ten digits, first 0 or 1, last two a mod-97 check."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SEPARATORS = re.compile(r"[\s.\-/]")


def normalise_enterprise_number(value: str) -> str:
    """Return the ten digits of ``value`` or raise ``ValidationError`` naming what is wrong."""
    raw = _SEPARATORS.sub("", str(value or ""))
    if not raw:
        raise ValidationError(_("Enter the enterprise number (BCE/KBO)."), code="required")
    if not raw.isdigit():
        raise ValidationError(
            _("The enterprise number may contain only digits, dots and spaces (for example 0464.281.392)."),
            code="not_digits",
        )
    if len(raw) != 10:
        raise ValidationError(
            _("The enterprise number must have 10 digits; %(count)d were entered.") % {"count": len(raw)},
            code="length",
        )
    if raw[0] not in "01":
        raise ValidationError(_("The enterprise number must start with 0 or 1."), code="first_digit")
    expected = 97 - int(raw[:8]) % 97
    if int(raw[8:]) != expected:
        raise ValidationError(
            _("The check digits of this enterprise number are wrong: the last two digits should be %(expected)02d.")
            % {"expected": expected},
            code="check_digits",
        )
    return raw


def validate_enterprise_number(value: str) -> None:
    normalise_enterprise_number(value)


def format_enterprise_number(digits: str) -> str:
    """``0464281392`` → ``0464.281.392``."""
    if len(digits) != 10:
        return digits
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
