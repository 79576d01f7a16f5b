"""Build throw-away certificates and signed PDFs for tests, entirely in memory.

The signer certificate looks like a Belgian eID signature certificate: non-repudiation key usage and
declared CRL/OCSP addresses (on ``.invalid`` hosts, so any attempt to fetch them would fail loudly).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from io import BytesIO

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore


@dataclass(frozen=True)
class KeyPair:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    issuer: KeyPair | None = None

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )


def _key_usage(**enabled: bool) -> x509.KeyUsage:
    flags = dict.fromkeys(
        [
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ],
        False,
    )
    return x509.KeyUsage(**{**flags, **enabled})


def make_ca(common_name: str = "Test Citizen CA") -> KeyPair:
    """A self-signed root CA (EC keys: quick to generate, and what recent eID cards use)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return KeyPair(key, cert)


def make_signer(ca: KeyPair, common_name: str = "Jeanne Dupont (Signature)") -> KeyPair:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        [x509.UniformResourceIdentifier("http://crl.invalid/ca.crl")], None, None, None
                    )
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier("http://ocsp.invalid")
                    )
                ]
            ),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )
    return KeyPair(key, cert, issuer=ca)


def simple_pdf(text: str) -> bytes:
    """A one-page PDF whose uncompressed content stream contains ``text`` (so tests can find and alter it)."""
    writer = PdfFileWriter()
    font = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Font"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
            generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
            generic.pdf_name("/Encoding"): generic.pdf_name("/WinAnsiEncoding"),
        }
    )
    resources = generic.DictionaryObject(
        {generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): writer.add_object(font)})}
    )
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    content = generic.StreamObject(stream_data=f"BT /F1 14 Tf 72 770 Td ({escaped}) Tj ET".encode("cp1252"))
    writer.insert_page(PageObject(writer.add_object(content), media_box=(0, 0, 595, 842), resources=resources))
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


def sign_pdf(pdf_bytes: bytes, signer: KeyPair, field_name: str = "Signature1") -> bytes:
    """Add an invisible PAdES signature by ``signer`` (its CA certificate is embedded, as eID software does)."""
    chain = [signer.issuer.der] if signer.issuer else []
    pyhanko_signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(signer.der),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            signer.key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(der) for der in chain]),
    )
    output = signers.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(pdf_bytes)),
        signers.PdfSignatureMetadata(field_name=field_name),
        signer=pyhanko_signer,
    )
    return output.getvalue()
