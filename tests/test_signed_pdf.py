import json
import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from adhesions.signed_pdf import (
    COVERAGE_ENTIRE_FILE,
    SUMMARY_NOT_INTACT,
    SUMMARY_TRUSTED,
    SUMMARY_UNTRUSTED,
    SignedPdfReport,
    validate_signed_pdf,
)
from tests.pdf_signing import make_ca, make_signer, sign_pdf, simple_pdf

TEXT = "Formulaire d'adhesion - Jeanne Dupont"


@pytest.fixture(scope="module")
def ca():
    return make_ca()


@pytest.fixture(scope="module")
def signed(ca):
    return sign_pdf(simple_pdf(TEXT), make_signer(ca))


def _flip(data: bytes, position: int) -> bytes:
    return data[:position] + (b"1" if data[position : position + 1] != b"1" else b"2") + data[position + 1 :]


def test_trusted_signature(signed, ca):
    report = validate_signed_pdf(signed, trust_roots=[ca.pem])

    assert report.error == ""
    assert len(report.checks) == 1
    check = report.checks[0]
    assert check.intact and check.valid and check.trusted
    assert "Jeanne Dupont" in check.signer
    assert check.signing_time is not None and check.signing_time.tzinfo is not None
    assert check.coverage == COVERAGE_ENTIRE_FILE
    assert check.summary == SUMMARY_TRUSTED
    assert report.has_signatures and report.all_intact and report.all_trusted


def test_der_trust_root_is_accepted(signed, ca):
    assert validate_signed_pdf(signed, trust_roots=[ca.der]).all_trusted


def test_unknown_root_is_intact_but_not_trusted(signed):
    report = validate_signed_pdf(signed, trust_roots=[make_ca("Another CA").pem])

    check = report.checks[0]
    assert check.intact and check.valid
    assert not check.trusted
    assert check.summary == SUMMARY_UNTRUSTED
    assert "not trusted" in check.summary
    assert report.all_intact and not report.all_trusted


def test_byte_changed_in_signed_content_is_not_intact(signed, ca):
    position = signed.index(TEXT.encode()) + len("Formulaire")
    tampered = _flip(signed, position)

    report = validate_signed_pdf(tampered, trust_roots=[ca.pem])

    check = report.checks[0]
    assert not check.intact
    assert not check.trusted
    assert check.summary == SUMMARY_NOT_INTACT
    assert not report.all_intact


def test_damaged_signature_value_is_reported_not_raised(signed, ca):
    contents = re.search(rb"/Contents <([0-9a-fA-F]+)>", signed)
    # The CMS blob is zero-padded; its last bytes are the signature value itself.
    end_of_cms = contents.start(1) + len(contents.group(1).rstrip(b"0"))

    check = validate_signed_pdf(_flip(signed, end_of_cms - 10), trust_roots=[ca.pem]).checks[0]

    assert not check.valid and not check.trusted


def test_unparsable_signature_is_a_failed_check(signed, ca):
    start = re.search(rb"/Contents <", signed).end()
    broken = signed[:start] + b"ff" + signed[start + 2 :]

    report = validate_signed_pdf(broken, trust_roots=[ca.pem])

    assert len(report.checks) == 1
    check = report.checks[0]
    assert not check.intact and not check.trusted
    assert check.error


def test_later_update_is_visible_in_coverage(signed, ca):
    second = sign_pdf(signed, make_signer(ca, "Paul Martin (Signature)"), field_name="Signature2")

    first, last = validate_signed_pdf(second + b"\n% appended\n", trust_roots=[ca.pem]).checks

    assert first.trusted and not first.covers_entire_file
    assert last.trusted and not last.covers_entire_file
    assert "modified" in last.summary


def test_unsigned_pdf_has_no_signatures():
    report = validate_signed_pdf(simple_pdf(TEXT), trust_roots=[])

    assert report.error == ""
    assert report.checks == []
    assert not report.has_signatures and not report.all_intact and not report.all_trusted


@pytest.mark.parametrize("data", [b"", b"not a pdf at all", b"%PDF-1.7\n garbage"])
def test_garbage_is_an_error_not_an_exception(data):
    report = validate_signed_pdf(data, trust_roots=[])

    assert report.error
    assert not report.has_signatures


def test_truncated_pdf_is_an_error(signed):
    assert validate_signed_pdf(signed[: len(signed) // 2], trust_roots=[]).error


def test_report_round_trips_through_json(signed, ca):
    report = validate_signed_pdf(signed, trust_roots=[ca.pem])

    stored = json.loads(json.dumps(report.as_dict()))

    assert isinstance(stored["checks"][0]["signing_time"], str)
    assert SignedPdfReport.from_dict(stored) == report
    garbage = validate_signed_pdf(b"garbage", trust_roots=[])
    assert SignedPdfReport.from_dict(json.loads(json.dumps(garbage.as_dict()))) == garbage


def test_trust_roots_come_from_settings(settings, tmp_path, signed, ca):
    root_file = tmp_path / "root.pem"
    root_file.write_bytes(make_ca("Unrelated CA").pem + ca.pem)
    settings.ADHESION_TRUST_ROOTS = [str(tmp_path / "missing.crt"), str(root_file)]

    assert validate_signed_pdf(signed).all_trusted


def test_missing_setting_means_no_trust(settings, signed):
    del settings.ADHESION_TRUST_ROOTS

    report = validate_signed_pdf(signed)

    assert report.all_intact and not report.all_trusted


def test_snippet_renders_each_case(signed, ca):
    with translation.override("en"):
        trusted = render_to_string(
            "adhesions/includes/pdf_validation.html", {"report": validate_signed_pdf(signed, trust_roots=[ca.pem])}
        )
        unsigned = render_to_string(
            "adhesions/includes/pdf_validation.html", {"report": validate_signed_pdf(simple_pdf(TEXT), trust_roots=[])}
        )
        unreadable = render_to_string(
            "adhesions/includes/pdf_validation.html", {"report": validate_signed_pdf(b"x", trust_roots=[])}
        )

    assert "Jeanne Dupont (Signature)" in trusted
    assert "Intact and trusted" in trusted and "not intact" not in trusted
    assert "<time datetime=" in trusted
    assert "no digital signature" in unsigned
    assert "not a readable PDF" in unreadable
