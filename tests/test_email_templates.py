"""The e-mails of the adhesion process and of the membership lifecycle.

Each one renders in French and English through ``core.outbox.render_email``, starts its subject with
"[ASeT-W]", carries its link in the text and in an ``href``, shows user text as-is in the text body and
escaped in the HTML body, and never puts a link in the subject.
"""

from datetime import UTC, date, datetime

import pytest
from django.conf import settings

from core.outbox import render_email

ORGANISATION = "Hôpital <script>alert('org')</script> & Cie"
ESCAPED_ORGANISATION = "Hôpital &lt;script&gt;alert(&#x27;org&#x27;)&lt;/script&gt; &amp; Cie"
FREE_TEXT = "Please complete §3.1.\n<script>alert('free text')</script> & thanks"
SHA256 = "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea"
SIGNED_AT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)  # 10:30 in Brussels
ADHESION_URL = "https://portail.asetw.be/adhesions/12/"
SIGNING_URL = "https://portail.asetw.be/adhesions/signer/Zq3k-secret-token/"
ADHESION_ADMIN_URL = "https://portail.asetw.be/admin/adhesions/adhesion/12/change/"
ORGANISATION_URL = "https://portail.asetw.be/membres/organisations/4/"
ORGANISATION_ADMIN_URL = "https://portail.asetw.be/admin/members/organisation/4/change/"

ADHESION = {
    "organisation_name": ORGANISATION,
    "reference": "ADH-2026-00012",
    "version": 2,
    "adhesion_url": ADHESION_URL,
    "first_name": "Claire",
}
MEMBER = {
    "organisation_name": ORGANISATION,
    "organisation_url": ORGANISATION_URL,
    "admin_url": ORGANISATION_ADMIN_URL,
    "first_name": "Claire",
}

# (template, context, the link the reader needs)
CASES = [
    ("adhesions/submitted", {**ADHESION, "new_version": True}, ADHESION_URL),
    (
        "adhesions/signature_requested",
        {
            **ADHESION,
            "role": "Legal representative (form §6.1)",
            "is_delegate": False,
            "group_name": "",
            "is_replacement": False,
            "signing_url": SIGNING_URL,
            "expires_at": SIGNED_AT,
        },
        SIGNING_URL,
    ),
    (
        "adhesions/signature_received",
        {
            **ADHESION,
            "signer_name": "Jean Dupont",
            "role": "GT delegate (form §6.2)",
            "group_name": "Décarbonation",
            "signed_at": SIGNED_AT,
        },
        ADHESION_URL,
    ),
    (
        "adhesions/signature_receipt",
        {
            **ADHESION,
            "signer_name": "Jean Dupont",
            "role": "GT delegate (form §6.2)",
            "group_name": "Décarbonation",
            "signed_at": SIGNED_AT,
            "document_sha256": SHA256,
        },
        None,
    ),
    ("adhesions/to_check", {**ADHESION, "admin_url": ADHESION_ADMIN_URL}, ADHESION_ADMIN_URL),
    ("adhesions/signatures_validated", ADHESION, ADHESION_URL),
    ("adhesions/corrections_requested", {**ADHESION, "message": FREE_TEXT}, ADHESION_URL),
    (
        "adhesions/confirmed",
        {**ADHESION, "member_since": date(2026, 3, 20), "organisation_url": ORGANISATION_URL},
        ORGANISATION_URL,
    ),
    ("adhesions/rejected", {**ADHESION, "reason": FREE_TEXT}, ADHESION_URL),
    (
        "members/contact_point_changed",
        {**MEMBER, "new_name": "Anne Martin", "new_email": "anne.martin@example.org", "to_coordination": True},
        ORGANISATION_ADMIN_URL,
    ),
    (
        "members/delegate_replaced",
        {**MEMBER, "group_name": "Achats durables", "new_name": "Bruno Lambert"},
        ORGANISATION_URL,
    ),
    (
        "members/withdrawal_requested",
        {
            **MEMBER,
            "reason": FREE_TEXT,
            "effective_on": date(2026, 6, 30),
            "requested_by": "Anne Martin",
            "to_coordination": True,
        },
        ORGANISATION_ADMIN_URL,
    ),
    ("members/withdrawal_confirmed", {**MEMBER, "effective_on": date(2026, 6, 30)}, None),
]
LANGUAGES = ["fr", "en"]


def _render(template, context, language):
    rendered = render_email(template, context, language)
    for part in (rendered.subject, rendered.text, rendered.html):
        assert "{{" not in part and "{%" not in part
    return rendered


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("template", "context", "link"), CASES, ids=[case[0] for case in CASES])
def test_email_renders_with_its_link_and_escapes_html(template, context, link, language):
    rendered = _render(template, context, language)

    assert rendered.subject.startswith("[ASeT-W] ")
    assert ORGANISATION in rendered.subject  # the subject is plain text: no HTML escaping
    assert "http" not in rendered.subject  # never a link, let alone a secret one, in the subject

    assert ORGANISATION in rendered.text
    assert "&lt;" not in rendered.text and "&amp;" not in rendered.text
    assert rendered.text.rstrip().endswith(("The ASeT-W coordination", "La coordination de l'ASeT-W"))

    assert f'<html lang="{language}">' in rendered.html
    assert ESCAPED_ORGANISATION in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "<script>" not in rendered.html

    if link:
        assert link in rendered.text
        assert f'href="{link}"' in rendered.html


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("template", "field"),
    [
        ("adhesions/corrections_requested", "message"),
        ("adhesions/rejected", "reason"),
        ("members/withdrawal_requested", "reason"),
    ],
)
def test_free_text_is_quoted_as_is(template, field, language):
    context = next(case[1] for case in CASES if case[0] == template)
    assert context[field] == FREE_TEXT
    rendered = _render(template, context, language)
    assert FREE_TEXT in rendered.text
    assert "<blockquote" in rendered.html
    assert (
        "Please complete §3.1.<br>&lt;script&gt;alert(&#x27;free text&#x27;)&lt;/script&gt; &amp; thanks"
        in rendered.html
    )


@pytest.mark.parametrize(
    "template", ["adhesions/corrections_requested", "adhesions/rejected", "members/withdrawal_requested"]
)
def test_empty_free_text_leaves_no_empty_quote(template):
    context = next(case[1] for case in CASES if case[0] == template)
    field = "message" if "message" in context else "reason"
    rendered = _render(template, {**context, field: ""}, "en")
    assert "<blockquote" not in rendered.html


@pytest.mark.parametrize("language", LANGUAGES)
def test_greeting_without_first_name(language):
    rendered = _render("adhesions/signatures_validated", {**ADHESION, "first_name": ""}, language)
    assert rendered.text.startswith(("Hello,", "Bonjour,"))
    assert "Claire" not in rendered.text


@pytest.mark.parametrize(
    ("language", "shown"), [("fr", "14 mars 2026 09:30 (UTC)"), ("en", "March 14, 2026, 9:30 a.m. (UTC)")]
)
@pytest.mark.parametrize(
    "template", ["adhesions/signature_requested", "adhesions/signature_received", "adhesions/signature_receipt"]
)
def test_datetimes_are_localised_and_shown_in_utc(template, language, shown):
    context = next(case[1] for case in CASES if case[0] == template)
    rendered = _render(template, context, language)
    assert shown in rendered.text and shown in rendered.html
    assert "10:30" not in rendered.text  # not the Brussels time labelled as UTC


@pytest.mark.parametrize(("language", "shown"), [("fr", "20 mars 2026"), ("en", "March 20, 2026")])
def test_member_since_is_a_localised_date(language, shown):
    context = next(case[1] for case in CASES if case[0] == "adhesions/confirmed")
    rendered = _render("adhesions/confirmed", context, language)
    assert shown in rendered.text and shown in rendered.html
    assert f"{settings.SITE_URL}/" in rendered.text  # the link to choose a password the first time


def test_submitted_mentions_a_new_version_only_when_there_is_one():
    first = _render("adhesions/submitted", {**ADHESION, "version": 1, "new_version": True}, "en")
    same = _render("adhesions/submitted", {**ADHESION, "version": 2, "new_version": False}, "en")
    new = _render("adhesions/submitted", {**ADHESION, "version": 2, "new_version": True}, "en")
    assert "This is version" not in first.text and "This is version" not in same.text
    assert "This is version 2 of the form" in new.text and "asked again" in new.text
    assert new.subject != same.subject == first.subject


def test_signature_request_speaks_to_each_signatory():
    base = next(case[1] for case in CASES if case[0] == "adhesions/signature_requested")
    legal = _render("adhesions/signature_requested", base, "en")
    delegate = _render(
        "adhesions/signature_requested",
        {**base, "role": "GT delegate (form §6.2)", "is_delegate": True, "group_name": "Achats durables"},
        "en",
    )
    replacement = _render(
        "adhesions/signature_requested",
        {
            **base,
            "role": "GT delegate (form §6.2)",
            "is_delegate": True,
            "group_name": "Achats durables",
            "is_replacement": True,
        },
        "en",
    )
    assert "powers to commit" in legal.text and "governance level" in legal.text and "§6.1" in legal.text
    assert "Achats durables" in delegate.text and "§6.2" in delegate.text and "governance" not in delegate.text
    assert "replace the current delegate" in replacement.text and "Achats durables" in replacement.text
    assert "replace" not in delegate.text
    for rendered in (legal, delegate, replacement):
        assert "works only once" in rendered.text and "account" in rendered.text
        assert SIGNING_URL not in rendered.subject


def test_signature_receipt_gives_the_fingerprint():
    context = next(case[1] for case in CASES if case[0] == "adhesions/signature_receipt")
    for language in LANGUAGES:
        rendered = _render("adhesions/signature_receipt", context, language)
        assert SHA256 in rendered.text and SHA256 in rendered.html
        assert "Jean Dupont" in rendered.text and "Décarbonation" in rendered.text


@pytest.mark.parametrize("template", ["members/contact_point_changed", "members/withdrawal_requested"])
def test_organisation_people_get_their_page_not_the_administration(template):
    context = next(case[1] for case in CASES if case[0] == template)
    for language in LANGUAGES:
        rendered = _render(template, {**context, "to_coordination": False}, language)
        assert ORGANISATION_URL in rendered.text and f'href="{ORGANISATION_URL}"' in rendered.html
        assert ORGANISATION_ADMIN_URL not in rendered.text and ORGANISATION_ADMIN_URL not in rendered.html


def test_contact_point_change_names_the_new_contact():
    context = next(case[1] for case in CASES if case[0] == "members/contact_point_changed")
    for to_coordination in (True, False):
        rendered = _render("members/contact_point_changed", {**context, "to_coordination": to_coordination}, "en")
        assert "Anne Martin" in rendered.text and "anne.martin@example.org" in rendered.text
        assert "4.2" in rendered.text
