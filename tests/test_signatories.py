import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.enums import OrganisationStatus, OrganisationType
from members.selectors import signatories
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("signatories:list")
CSV_URL = reverse("signatories:csv")


@pytest.fixture
def alliance():
    return {
        "hospital": OrganisationFactory(
            name="Hôpital Alpha", city="Namur", member_since=datetime.date(2026, 3, 2), enterprise_number="0464281392"
        ),
        "home": OrganisationFactory(
            name="Résidence Bêta",
            type=OrganisationType.ELDER_CARE_HOME,
            city="Liège",
            status=OrganisationStatus.WITHDRAWING,
            member_since=datetime.date(2026, 1, 15),
        ),
        "actor": OrganisationFactory(
            name="Association Gamma",
            type=OrganisationType.OTHER,
            type_precision="Association de patients",
            city="Mons",
            member_since=datetime.date(2026, 4, 1),
        ),
        "candidate": OrganisationFactory(name="Clinique Candidate", status=OrganisationStatus.CANDIDATE),
        "withdrawn": OrganisationFactory(
            name="Clinique Partie", status=OrganisationStatus.WITHDRAWN, member_since=datetime.date(2026, 1, 2)
        ),
    }


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_members_appear_with_their_membership_date_and_no_one_else(client, alliance):
    html = client.get(LIST_URL).content.decode()
    assert "Hôpital Alpha" in html
    assert "Résidence Bêta" in html  # an announced withdrawal is still a member until it takes effect
    assert '<time datetime="2026-03-02">2 mars 2026</time>' in html
    assert "Membre depuis le" in html
    assert "Clinique Candidate" not in html
    assert "Clinique Partie" not in html

    names = [row[0] for row in csv_rows(client.get(CSV_URL))[1:]]
    assert names == ["Hôpital Alpha", "Résidence Bêta", "Association Gamma"]


def test_grouped_by_type_in_the_order_of_the_types(client, alliance):
    OrganisationFactory(name="Centre Hospitalier Zèta", city="Arlon")
    OrganisationFactory(name="CHU Delta", city="Charleroi")
    response = client.get(LIST_URL)
    html = response.content.decode()
    headings = [str(group["label"]) for group in response.context["groups"]]
    assert headings == ["Hôpital", "Établissement pour aînés", "Autre acteur de l'écosystème"]
    for heading in ("Hôpital", "Établissement pour aînés", "Autre acteur de l&#x27;écosystème"):
        assert f">{heading}</h2>" in html
    hospitals = [organisation.name for organisation in response.context["groups"][0]["organisations"]]
    assert hospitals == ["Centre Hospitalier Zèta", "CHU Delta", "Hôpital Alpha"]
    assert "3 organisations" in html
    assert "Association Gamma</span> — Association de patients" in html


def test_search_ignores_case_and_accents_on_name_and_city(client, alliance):
    assert [o.name for o in signatories("hopital")] == ["Hôpital Alpha"]
    assert [o.name for o in signatories("HÔPITAL alpha")] == ["Hôpital Alpha"]
    assert [o.name for o in signatories("liege")] == ["Résidence Bêta"]
    assert signatories("clinique") == []

    html = client.get(LIST_URL, {"q": "hopital"}).content.decode()
    assert "Hôpital Alpha" in html
    assert "Résidence Bêta" not in html
    assert 'value="hopital"' in html
    assert f'href="{CSV_URL}?q=hopital"' in html


def test_a_search_without_results_says_so(client, alliance):
    response = client.get(LIST_URL, {"q": "introuvable"})
    assert response.context["groups"] == []
    assert 'class="alert alert-info"' in response.content.decode()


def test_csv_content(client, alliance):
    response = client.get(CSV_URL, {"q": "namur"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="signataires-asetw-{today}.csv"'
    rows = csv_rows(response)
    assert rows == [
        [
            "Dénomination officielle",
            "Numéro d'entreprise (BCE/KBO)",
            "Type",
            "Précision du type",
            "Localité",
            "Code postal",
            "Membre depuis le",
        ],
        ["Hôpital Alpha", "0464.281.392", "Hôpital", "", "Namur", "5000", "2026-03-02"],
    ]


def test_csv_cells_cannot_run_as_formulas(client):
    OrganisationFactory(
        name='=HYPERLINK("http://evil.example","x")',
        type=OrganisationType.OTHER,
        type_precision="+cmd",
        city="@Namur",
        postal_code="-5000",
    )
    row = csv_rows(client.get(CSV_URL))[1]
    assert row[0] == '\'=HYPERLINK("http://evil.example","x")'
    assert row[3:6] == ["'+cmd", "'@Namur", "'-5000"]


def _queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"q": "organisation"}).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_list(client, django_assert_num_queries):
    kinds = [OrganisationType.HOSPITAL, OrganisationType.ELDER_CARE_HOME]
    for kind in kinds:
        OrganisationFactory(type=kind)
    with django_assert_num_queries(1):
        assert len(signatories("organisation")) == 2
    with_two = {url: _queries_for(client, url) for url in (LIST_URL, CSV_URL)}

    OrganisationFactory.create_batch(9)
    OrganisationFactory.create_batch(9, type=OrganisationType.OTHER, type_precision="Fédération")
    with django_assert_num_queries(1):
        assert len(signatories("organisation")) == 20
    assert {url: _queries_for(client, url) for url in (LIST_URL, CSV_URL)} == with_two


def test_names_are_escaped(client):
    OrganisationFactory(name="<script>alert('x')</script> Hôpital", city="<b>Namur</b>")
    html = client.get(LIST_URL, {"q": "<script>"}).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Hôpital" in html
    assert "&lt;b&gt;Namur&lt;/b&gt;" in html


def test_the_list_is_in_the_main_navigation(client):
    assert f'href="{LIST_URL}"' in client.get(reverse("landing")).content.decode()
