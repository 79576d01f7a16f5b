import pytest
from django.core.exceptions import ValidationError

from members import services
from members.enterprise_number import format_enterprise_number, normalise_enterprise_number
from members.enums import OrganisationType
from members.models import Organisation

ORGANISATION = {
    "name": "Hôpital Test",
    "legal_form": "ASBL",
    "type": OrganisationType.HOSPITAL,
    "street": "Rue Haute 1",
    "postal_code": "5000",
    "city": "Namur",
}


@pytest.mark.parametrize("typed", ["0464.281.392", "0464281392", "0464 281 392", " 0464.281.392 ", "0464-281-392"])
def test_valid_number_is_accepted_and_normalised(typed):
    assert normalise_enterprise_number(typed) == "0464281392"
    assert format_enterprise_number("0464281392") == "0464.281.392"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0464.281.393", "Les chiffres de contrôle de ce numéro d'entreprise sont incorrects"),
        ("046428139", "Le numéro d'entreprise doit compter 10 chiffres ; 9 ont été saisis."),
        ("04642813921", "Le numéro d'entreprise doit compter 10 chiffres ; 11 ont été saisis."),
        ("0464.ABC.392", "Le numéro d'entreprise ne peut contenir que des chiffres"),
        ("BE0464281392", "Le numéro d'entreprise ne peut contenir que des chiffres"),
        ("2464.281.392", "Le numéro d'entreprise doit commencer par 0 ou 1."),
        ("", "Indiquez le numéro d'entreprise (BCE/KBO)."),
    ],
)
def test_bad_numbers_get_a_french_message_naming_the_problem(typed, message):
    with pytest.raises(ValidationError) as caught:
        normalise_enterprise_number(typed)
    assert message in caught.value.messages[0]


def test_wrong_check_digit_message_gives_the_expected_digits():
    with pytest.raises(ValidationError) as caught:
        normalise_enterprise_number("0464.281.393")
    assert "92" in caught.value.messages[0]


@pytest.mark.django_db
def test_duplicate_number_is_refused_with_a_clear_error_and_no_second_row():
    services.organisation_create(actor=None, enterprise_number="0464.281.392", **ORGANISATION)
    with pytest.raises(ValidationError) as caught:
        services.organisation_create(actor=None, enterprise_number="0464 281 392", **{**ORGANISATION, "name": "Autre"})
    assert "déjà enregistrée" in caught.value.message_dict["enterprise_number"][0]
    assert Organisation.objects.filter(enterprise_number="0464281392").count() == 1


@pytest.mark.django_db
def test_organisation_creation_is_audited():
    organisation = services.organisation_create(actor=None, enterprise_number="0464281392", **ORGANISATION)
    from core.models import AuditEntry

    entry = AuditEntry.objects.get(action="members.organisation.created")
    assert entry.target == organisation
    assert entry.data["enterprise_number"] == "0464281392"
