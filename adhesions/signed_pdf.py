"""Check the digital signatures of a PDF attached to an adhesion form (e.g. signed with a Belgian eID card).

Validation runs offline: no OCSP or CRL is fetched and missing revocation information is not an error,
so "trusted" means "the chain leads to one of the configured roots", not "not revoked today".

Texts (``summary``, ``coverage``, ``SignedPdfReport.error``) are stored as English msgids and translated
when displayed, so a report kept in a JSONField shows in the reader's language, not the uploader's.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from asn1crypto import pem, x509
from django.conf import settings
from django.utils.translation import gettext_noop
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    SignatureCoverageLevel,
    async_validate_pdf_signature,
)
from pyhanko_certvalidator import ValidationContext

logger = logging.getLogger(__name__)

COVERAGE_ENTIRE_FILE = gettext_noop("entire file")
COVERAGE_ENTIRE_REVISION = gettext_noop("entire revision")
COVERAGE_PARTIAL = gettext_noop("partial")

SUMMARY_TRUSTED = gettext_noop("Intact and trusted")
SUMMARY_TRUSTED_THEN_SIGNED = gettext_noop("Intact and trusted; the file was only signed or filled in afterwards")
SUMMARY_TRUSTED_THEN_MODIFIED = gettext_noop("Intact and trusted, but the file was modified after this signature")
SUMMARY_UNTRUSTED = gettext_noop("Intact but the signer's certificate is not trusted")
SUMMARY_INVALID = gettext_noop("Intact but the signature value is invalid")
SUMMARY_NOT_INTACT = gettext_noop("Modified after signing: not intact")
SUMMARY_UNCHECKED = gettext_noop("The signature could not be checked")

ERROR_UNREADABLE = gettext_noop("The file is not a readable PDF.")

_COVERAGE = {
    SignatureCoverageLevel.ENTIRE_FILE: COVERAGE_ENTIRE_FILE,
    SignatureCoverageLevel.ENTIRE_REVISION: COVERAGE_ENTIRE_REVISION,
    SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START: COVERAGE_PARTIAL,
    SignatureCoverageLevel.UNCLEAR: COVERAGE_PARTIAL,
}
# Incremental updates that a later signer or form filler legitimately makes after an earlier signature.
_BENIGN_LATER_CHANGES = {ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING}


@dataclass(frozen=True)
class SignatureCheck:
    field_name: str
    signer: str
    signer_email: str
    signing_time: datetime | None
    intact: bool
    valid: bool
    trusted: bool
    coverage: str
    summary: str
    error: str = ""

    @property
    def covers_entire_file(self) -> bool:
        return self.coverage == COVERAGE_ENTIRE_FILE

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["signing_time"] = self.signing_time.isoformat() if self.signing_time else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SignatureCheck:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        if values.get("signing_time"):
            values["signing_time"] = datetime.fromisoformat(values["signing_time"])
        return cls(**values)


@dataclass(frozen=True)
class SignedPdfReport:
    checks: list[SignatureCheck] = field(default_factory=list)
    error: str = ""

    @property
    def has_signatures(self) -> bool:
        return bool(self.checks)

    @property
    def all_intact(self) -> bool:
        return self.has_signatures and all(check.intact for check in self.checks)

    @property
    def all_trusted(self) -> bool:
        return self.has_signatures and all(check.trusted for check in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {"checks": [check.as_dict() for check in self.checks], "error": self.error}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SignedPdfReport:
        return cls(
            checks=[SignatureCheck.from_dict(item) for item in data.get("checks", [])],
            error=data.get("error", ""),
        )


def validate_signed_pdf(data: bytes, *, trust_roots: list[bytes] | None = None) -> SignedPdfReport:
    """Check every signature of ``data``; never raises, a failure is reported in the result.

    ``trust_roots`` are PEM or DER certificates; ``None`` reads the files of ``ADHESION_TRUST_ROOTS``.
    Synchronous (it runs its own event loop): call it through ``sync_to_async`` from async code.
    """
    roots = _load_roots(_read_root_files() if trust_roots is None else trust_roots)
    try:
        reader = PdfFileReader(BytesIO(data))
        fields = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception as exc:  # noqa: BLE001 - uploaded bytes reach a parser that may raise anything
        # Routine for a wrong upload: a one-line reason, no traceback.
        logger.info("Uploaded file is not a readable PDF: %r", exc)
        return SignedPdfReport(error=ERROR_UNREADABLE)
    work = _check_all(reader, fields, roots)
    try:
        checks = asyncio.run(work)
    except Exception:  # noqa: BLE001 - e.g. called from a running event loop; report it, do not crash the view
        work.close()
        logger.exception("Signature validation failed")
        return SignedPdfReport(error=SUMMARY_UNCHECKED)
    return SignedPdfReport(checks=checks)


async def _check_all(reader: PdfFileReader, fields: list, roots: list[x509.Certificate]) -> list[SignatureCheck]:
    checks = []
    for name, sig_object, sig_field in fields:
        # Document timestamps prove when the file existed, not who agreed to it: they are not signatories.
        if sig_object.get_object().get("/Type") == "/DocTimeStamp":
            continue
        checks.append(await _check_one(reader, name, sig_field, roots))
    return checks


async def _check_one(reader: PdfFileReader, name: str, sig_field, roots: list[x509.Certificate]) -> SignatureCheck:
    embedded = None
    try:
        embedded = EmbeddedPdfSignature(reader, sig_field, name)
        # A fresh context per signature: each one caches validated paths and would leak into the next.
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        status = await async_validate_pdf_signature(embedded, signer_validation_context=context)
    except Exception as exc:  # noqa: BLE001 - a damaged signature must become a "not intact" line, not a 500
        logger.info("Signature %s could not be validated", name, exc_info=True)
        signer, email = _describe_signer(embedded)
        return SignatureCheck(
            field_name=name,
            signer=signer,
            signer_email=email,
            signing_time=None,
            intact=False,
            valid=False,
            trusted=False,
            coverage="",
            summary=SUMMARY_UNCHECKED,
            error=str(exc) or exc.__class__.__name__,
        )
    signer, email = _describe_signer(embedded)
    return SignatureCheck(
        field_name=name,
        signer=signer,
        signer_email=email,
        signing_time=_signing_time(status),
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        coverage=_COVERAGE.get(status.coverage, ""),
        summary=_summary(status),
    )


def _summary(status: PdfSignatureStatus) -> str:
    if not status.intact:
        return SUMMARY_NOT_INTACT
    if not status.valid:
        return SUMMARY_INVALID
    if not status.trusted:
        return SUMMARY_UNTRUSTED
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return SUMMARY_TRUSTED
    if status.modification_level in _BENIGN_LATER_CHANGES and status.docmdp_ok is not False:
        return SUMMARY_TRUSTED_THEN_SIGNED
    return SUMMARY_TRUSTED_THEN_MODIFIED


def _signing_time(status: PdfSignatureStatus) -> datetime | None:
    # A sound timestamp token is a third party's word; the signed attribute is only the signer's claim.
    token = status.timestamp_validity
    if token is not None and token.intact and token.valid:
        return token.timestamp
    return status.signer_reported_dt


def _describe_signer(embedded: EmbeddedPdfSignature | None) -> tuple[str, str]:
    try:
        cert = embedded.signer_cert
    except Exception:  # noqa: BLE001 - no usable certificate in a damaged signature: show it as unknown
        return "", ""
    subject = cert.subject.native
    emails = [subject["email_address"]] if subject.get("email_address") else []
    emails += [name.native for name in cert.subject_alt_name_value or [] if name.name == "rfc822_name"]
    return subject.get("common_name") or cert.subject.human_friendly, emails[0] if emails else ""


def _read_root_files() -> list[bytes]:
    roots = []
    for path in getattr(settings, "ADHESION_TRUST_ROOTS", None) or []:
        try:
            roots.append(Path(path).read_bytes())
        except OSError:
            # A missing root must not break uploads; its signatures will simply show as not trusted.
            logger.error("ADHESION_TRUST_ROOTS: cannot read %s", path, exc_info=True)
    return roots


def _load_roots(blobs: list[bytes]) -> list[x509.Certificate]:
    certs = []
    for blob in blobs:
        try:
            # A PEM file may be a bundle of several roots.
            ders = [der for _, _, der in pem.unarmor(blob, multiple=True)] if pem.detect(blob) else [blob]
            loaded = [x509.Certificate.load(der) for der in ders]
            for cert in loaded:
                cert.native  # noqa: B018 - asn1crypto parses lazily; fail here rather than mid-validation
            certs += loaded
        except Exception:  # noqa: BLE001 - one bad root file must not hide the others
            logger.error("ADHESION_TRUST_ROOTS: skipping a root that is not a certificate", exc_info=True)
    return certs
