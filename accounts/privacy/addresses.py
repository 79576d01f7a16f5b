"""Which e-mail addresses are the person's own, for their data copy, account closure and retention."""

from __future__ import annotations

from allauth.account.models import EmailAddress


def proven_addresses(user) -> set[str]:
    """The sign-in address and the verified extra ones, in lower case.

    An address added in the profile stays unverified until its owner clicks the link; until then anybody
    may have typed it (allauth does not refuse another account's address, so as not to reveal it), and
    the records sent to it are not the person's.
    """
    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return {address.lower() for address in (user.email, *verified) if address}
