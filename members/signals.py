"""Events other parts of the portal react to (GT seats, library access, reporting)."""

from django.dispatch import Signal

# Sent with ``organisation`` and ``actor`` once a withdrawal takes effect.
organisation_withdrawn = Signal()
