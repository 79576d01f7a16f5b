"""Events other parts of the portal react to (GT seats, library access, reporting)."""

from django.dispatch import Signal

# Sent with ``organisation`` and ``actor`` once a withdrawal takes effect.
organisation_withdrawn = Signal()

# Sent with ``organisation``, ``adhesion`` and ``actor`` when the Region confirms receipt of an adhesion,
# inside its transaction: what other apps create from the form is committed with the membership.
membership_confirmed = Signal()
