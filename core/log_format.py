"""Log formatting shared by the LOGGING configuration."""

from __future__ import annotations

import logging
import re
import time


class UTCFormatter(logging.Formatter):
    """ISO 8601 time stamps in UTC, whatever the server's time zone: security logs get compared across
    machines and with the reverse proxy's logs."""

    converter = time.gmtime

    def formatTime(self, record, datefmt=None):  # noqa: N802 - the logging module's name
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created))
        return f"{stamp}.{int(record.msecs):03d}Z"


# URL parts that are secrets: e-mailed signing and unsubscribe tokens, password-reset keys, feed tokens.
_SECRET_URL_PARTS = ("token", "key", "uidb36", "secret")


def path_without_secrets(request) -> str:
    """The request's path with every secret URL part replaced by "…"; unchanged if it holds none."""
    from django.urls import Resolver404, resolve

    path = request.path
    try:
        match = getattr(request, "resolver_match", None) or resolve(request.path_info)
    except Resolver404:
        return path
    secrets = [
        value
        for name, value in match.kwargs.items()
        if isinstance(value, str) and value and any(part in name for part in _SECRET_URL_PARTS)
    ]
    # Whole URL parts only, longest first: a one-letter user id must not eat letters of the key beside it.
    for value in sorted(secrets, key=len, reverse=True):
        path = re.sub(rf"(?<=[/-]){re.escape(value)}(?=[/-]|$)", "…", path)
    return path


class HideSecretsInPaths(logging.Filter):
    """Django logs the path of every refused or failed request ("Forbidden (CSRF cookie not set.): /…"):
    a signing link or a password-reset key must not reach the logs with it."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if request is not None and isinstance(record.args, tuple) and request.path in record.args:
            cleaned = path_without_secrets(request)
            if cleaned != request.path:
                record.args = tuple(cleaned if arg == request.path else arg for arg in record.args)
        return True
