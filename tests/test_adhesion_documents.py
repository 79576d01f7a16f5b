import datetime
import hashlib
import io

import pypdf
import pytest

from adhesions.documents import adhesion_document_pdf, french_date, membership_certificate_pdf
from adhesions.models import Adhesion
from core import pdf
from core.pdf import STATIC_BASE_URL, ResourceRefused, StaticFilesFetcher, render_pdf, sha256_hex
from members.enums import OrganisationType
from tests.factories import OrganisationFactory

OPTION_2_SENTENCE = (
    "Nous n’avons pas encore identifié d’actions spécifiques à ce stade. "
    "La réflexion se poursuivra au fil de notre participation aux groupes thématiques."
)
ATTESTATION_6_1 = "Le soussigné, agissant en qualité de représentant légal ou de personne dûment habilitée"
EVIL_IMAGE = '<img src="file:///etc/passwd">'


def person(first_name, last_name, function):
    email = f"{first_name.lower()}@example.org"
    return {"last_name": last_name, "first_name": first_name, "function": function, "email": email, "phone": "081"}


def organisation_answers(name, type_):
    return {
        "name": name,
        "legal_form": "ASBL",
        "type": type_,
        "type_precision": "Fédération" if type_ == "other" else "",
        "enterprise_number": "0464281392",
        "street": "Rue de Fer 12",
        "postal_code": "5000",
        "city": "Namur",
        "website": "https://example.org",
    }


def hospital_answers():
    return {
        "organisation": organisation_answers("Hôpital <script>alert(1)</script> Saint-Luc", "hospital"),
        "legal_representative": person("Claire", "Dumont", "Directrice générale"),
        "contact_point": {"same_as_legal_representative": True},
        "groups": {
            "choices": ["resilience", "decarbonation", "achats-durables"],
            "delegates": {
                "decarbonation": person("Hugo", "Lambert", "Responsable énergie"),
                "achats-durables": person("Inès", "Moreau", "Acheteuse"),
                "resilience": person("Jules", "Renard", "Conseiller en prévention"),
            },
        },
        "actions": {
            "decarbonation": {
                "option": "1",
                "action_1": "Cogénération au bois local",
                "action_2": "Toitures photovoltaïques",
            },
            "achats-durables": {"option": "2"},
            "resilience": {"option": "2", "action_1": "ignored", "action_2": ""},
        },
        "initiatives": {"description": EVIL_IMAGE, "link": "file:///etc/passwd", "file_name": ""},
        "privacy": {"notice_acknowledged": True, "nominative_consent": False},
    }


def ecosystem_answers():
    return {
        "organisation": organisation_answers("Fédération Soins Verts", "other"),
        "legal_representative": person("Anne", "Leroy", "Présidente"),
        "contact_point": {"same_as_legal_representative": False, **person("Paul", "Henry", "Chargé de projet")},
        "ecosystem": {
            "contributions": "Webinaires trimestriels sur la gestion des déchets",
            "expertise": "Analyse du cycle de vie des dispositifs médicaux",
            "expertise_themes": ["achats-durables", "transversal"],
            "internal_action": True,
            "internal_action_description": "Compostage des déchets de cuisine",
            "internal_action_with_final_beneficiaries": False,
        },
        "initiatives": {"description": "Charte éco-responsable", "link": "https://example.org/charte"},
        "privacy": {"notice_acknowledged": True, "nominative_consent": True},
    }


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    # Lines wrap wherever the layout decided: compare texts with their whitespace collapsed.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def hospital_adhesion(db):
    return Adhesion.objects.create(
        applicant=None,
        organisation_type=OrganisationType.HOSPITAL,
        organisation_name="Hôpital Saint-Luc",
        enterprise_number="0464281392",
        answers=hospital_answers(),
        version=3,
    )


@pytest.mark.django_db
def test_final_beneficiary_document_follows_the_form(hospital_adhesion, django_assert_num_queries):
    with django_assert_num_queries(1):  # the thematic groups, all at once
        data = adhesion_document_pdf(hospital_adhesion)
    text = pdf_text(data)

    assert data.startswith(b"%PDF-")
    assert "Formulaire d’adhésion – ASeT-W (2026-2029)" in text
    assert f"{hospital_adhesion.reference} – version 3" in text
    assert "Hôpital <script>alert(1)</script> Saint-Luc" in text
    assert "0464.281.392" in text
    assert "Identique au représentant légal." in text
    for name in ("Décarbonation", "Achats durables", "Résilience aux effets du dérèglement climatique"):
        assert f"GT identifié : {name}" in text
    assert "Hugo Lambert" in text and "Inès Moreau" in text and "Jules Renard" in text
    assert "Cogénération au bois local" in text
    assert "Toitures photovoltaïques" in text
    assert text.count(OPTION_2_SENTENCE) == 2
    assert "ignored" not in text
    assert "3. Engagement des bénéficiaires finaux" in text
    assert "4. Engagement des acteurs" not in text
    assert "Accord non donné." in text
    assert "au moins deux tiers des séances" in text
    assert ATTESTATION_6_1 in text
    assert "accepte d’exercer ce rôle pour le compte de l’organisation" in text
    assert "Les signatures sont recueillies électroniquement" in text
    assert "Protection de la vie privée (RGPD)" in text
    # The groups come in the annex's order, whatever order they were ticked in.
    assert text.index("GT identifié : Décarbonation") < text.index("GT identifié : Achats durables")


@pytest.mark.django_db
def test_ecosystem_actor_document_has_section_4_not_3():
    adhesion = Adhesion(organisation_type=OrganisationType.OTHER, answers=ecosystem_answers())

    text = pdf_text(adhesion_document_pdf(adhesion))

    assert "Fédération Soins Verts" in text
    assert "Autre acteur de l’écosystème de santé – Fédération" in text
    assert "Paul" in text and "Henry" in text
    assert "4. Engagement des acteurs de l’écosystème" in text
    assert "Webinaires trimestriels sur la gestion des déchets" in text
    assert "Analyse du cycle de vie des dispositifs médicaux" in text
    assert "Achats durables" in text and "Transversal" in text
    assert "Compostage des déchets de cuisine" in text
    assert "3. Engagement des bénéficiaires finaux" not in text
    assert "GT identifié" not in text
    assert "6.2." not in text
    assert "article 4ter" in text
    assert ATTESTATION_6_1 in text


@pytest.mark.django_db
def test_missing_answers_do_not_break_the_document():
    adhesion = Adhesion(organisation_type=OrganisationType.HOSPITAL, answers={"groups": {"choices": ["resilience"]}})

    text = pdf_text(adhesion_document_pdf(adhesion))

    assert "GT identifié : Résilience" in text
    assert "Option non choisie." in text


@pytest.mark.django_db
def test_document_is_tagged_pdf_ua_with_language_and_title(hospital_adhesion):
    data = adhesion_document_pdf(hospital_adhesion)
    reader = pypdf.PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]

    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert str(catalog["/Lang"]).startswith("fr")
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata.title.startswith("Formulaire d’adhésion – ASeT-W (2026-2029)")
    assert b'pdfuaid:part="1"' in catalog["/Metadata"].get_object().get_data()
    # Rendering is reproducible, so the fingerprint the signatories approve can be checked again later.
    assert sha256_hex(adhesion_document_pdf(hospital_adhesion)) == sha256_hex(data)


@pytest.mark.django_db
def test_answers_are_text_and_fetch_nothing(hospital_adhesion, monkeypatch):
    requested = []
    original = StaticFilesFetcher.fetch

    def spy(self, url, headers=None):
        requested.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticFilesFetcher, "fetch", spy)

    text = pdf_text(adhesion_document_pdf(hospital_adhesion))

    assert EVIL_IMAGE in text
    assert "<script>alert(1)</script>" in text
    assert requested == [STATIC_BASE_URL + "css/pdf.css"]


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/x.png",
        "https://example.org/static/css/pdf.css",
        "file:///etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
        STATIC_BASE_URL + "../../etc/passwd",
        STATIC_BASE_URL + "css/missing.css",
        STATIC_BASE_URL + "css/",
    ],
)
def test_url_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(ResourceRefused):
        StaticFilesFetcher().fetch(url)


def test_url_fetcher_serves_static_files():
    response = StaticFilesFetcher().fetch(STATIC_BASE_URL + "css/pdf.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


def test_render_pdf_skips_refused_resources(monkeypatch):
    html = (
        '<!DOCTYPE html><html lang="{{ pdf_language }}"><head><title>{{ pdf_title }}</title></head><body>'
        '<h1>Essai</h1><img alt="a" src="http://example.org/x.png"><img alt="b" src="file:///etc/passwd">'
        "</body></html>"
    )
    refused = []
    original = StaticFilesFetcher.fetch

    def spy(self, url, headers=None):
        try:
            return original(self, url, headers)
        except ResourceRefused:
            refused.append(url)
            raise

    monkeypatch.setattr(pdf, "render_to_string", lambda name, context: html)
    monkeypatch.setattr(StaticFilesFetcher, "fetch", spy)

    data = render_pdf("unused.html", {}, title="Essai")

    assert refused == ["http://example.org/x.png", "file:///etc/passwd"]
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "Essai"
    assert not reader.pages[0]["/Resources"].get("/XObject")


@pytest.mark.django_db
def test_membership_certificate():
    organisation = OrganisationFactory(
        name="Résidence Les Tilleuls", type=OrganisationType.ELDER_CARE_HOME, enterprise_number="0464281392"
    )

    data = membership_certificate_pdf(
        organisation, member_since=datetime.date(2026, 11, 23), reference="ADH-2026-00042"
    )
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = pdf_text(data)

    assert len(reader.pages) == 1
    assert "Attestation d’adhésion" in text
    assert "Résidence Les Tilleuls" in text
    assert "0464.281.392" in text
    assert "Rue de la Loi 1, 5000 Namur" in text
    assert "Établissement pour aînés" in text
    assert "depuis le 23 novembre 2026" in text
    assert "2029" in text
    assert "ADH-2026-00042" in text
    assert str(reader.trailer["/Root"]["/Lang"]).startswith("fr")
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_french_date():
    assert french_date(datetime.date(2026, 11, 23)) == "23 novembre 2026"
    assert french_date(datetime.date(2027, 3, 1)) == "1er mars 2027"
    # A confirmation late in the evening in Brussels is still that day there.
    assert french_date(datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)) == "1er janvier 2027"


def test_sha256_hex():
    assert sha256_hex(b"ASeT-W") == hashlib.sha256(b"ASeT-W").hexdigest()
