"""The consent ledger of art 8: every time a consent to be named is given, withdrawn or carried over.

The wording a person agreed to is part of the consent. Each wording shown by the portal has a version
key here; a form that changes its text must get a new key (a test compares the forms with this table),
so that older entries keep pointing at the text that was really shown.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from accounts.models import ConsentRecord


@dataclass(frozen=True)
class Wording:
    version: str
    label: str
    help_text: str

    @property
    def text(self) -> str:
        return f"{self.label}\n{self.help_text}"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


# The source texts of the forms (the French translation is shown to most people; both come from the same msgid).
CONSENT_WORDINGS: dict[str, Wording] = {
    wording.version: wording
    for wording in (
        Wording(
            "adhesion-form-2026-1",
            "The Region may name our organisation in its communication on the alliance and its results (optional)",
            "Without this consent, results are published anonymised or aggregated. You can withdraw it at any time.",
        ),
        Wording(
            "organisation-profile-2026-1",
            "The organisation agrees to be named in published results about its actions (art 8)",
            "Optional, and you can withdraw it at any time. Without it, the organisation appears "
            "only anonymised in published results.",
        ),
        Wording(
            "report-2026-1",
            "The Region may cite our organisation by name with its actions and results (art 8)",
            "Without this consent, your answers are only published aggregated or anonymised. "
            "You can change your choice until the report is accepted.",
        ),
    )
}

# The wording each place shows today.
CURRENT_WORDING = {
    ConsentRecord.Source.ADHESION_FORM: "adhesion-form-2026-1",
    # The organisation's consent starts as the one of its adhesion form.
    ConsentRecord.Source.MEMBERSHIP_CONFIRMED: "adhesion-form-2026-1",
    ConsentRecord.Source.ORGANISATION_PROFILE: "organisation-profile-2026-1",
    ConsentRecord.Source.REPORT: "report-2026-1",
}

_SUBJECT_OF_SOURCE = {
    ConsentRecord.Source.ADHESION_FORM: ConsentRecord.Subject.ADHESION,
    ConsentRecord.Source.MEMBERSHIP_CONFIRMED: ConsentRecord.Subject.ORGANISATION,
    ConsentRecord.Source.ORGANISATION_PROFILE: ConsentRecord.Subject.ORGANISATION,
    ConsentRecord.Source.REPORT: ConsentRecord.Subject.REPORT,
}


def consent_record(
    *, source: str, given: bool, actor=None, organisation=None, adhesion=None, report=None, wording_version=None
) -> ConsentRecord:
    """Append one ledger entry; call it in the transaction that changes the consent."""
    wording = CONSENT_WORDINGS[wording_version or CURRENT_WORDING[source]]
    if report is not None and organisation is None:
        organisation = report.organisation
    if adhesion is not None and organisation is None:
        organisation = adhesion.organisation
    label = str(organisation) if organisation is not None else (adhesion.organisation_name if adhesion else "")
    return ConsentRecord.objects.create(
        subject=_SUBJECT_OF_SOURCE[source],
        source=source,
        given=bool(given),
        wording_version=wording.version,
        wording_sha256=wording.sha256,
        organisation=organisation,
        adhesion=adhesion,
        report=report,
        subject_label=(label or "—")[:255],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def wording_of(record: ConsentRecord) -> Wording | None:
    return CONSENT_WORDINGS.get(record.wording_version)


def consent_history(organisation, limit: int = 50) -> list[ConsentRecord]:
    """The organisation's consent entries, newest first, for its own page."""
    return list(
        ConsentRecord.objects.filter(organisation=organisation)
        .select_related("actor", "report__campaign")
        .order_by("-created_at", "-pk")[:limit]
    )
