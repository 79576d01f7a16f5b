"""Log formatting shared by the LOGGING configuration."""

from __future__ import annotations

import logging
import time


class UTCFormatter(logging.Formatter):
    """ISO 8601 time stamps in UTC, whatever the server's time zone: security logs get compared across
    machines and with the reverse proxy's logs."""

    converter = time.gmtime

    def formatTime(self, record, datefmt=None):  # noqa: N802 - the logging module's name
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created))
        return f"{stamp}.{int(record.msecs):03d}Z"
