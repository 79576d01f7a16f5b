import pytest
from django.core.exceptions import ValidationError

from members import services
from members.enums import OrganisationType


@pytest.mark.django_db
def test_an_elder_care_home_cannot_get_a_decarbonation_delegate_from_any_entry_point():
    from members.enums import OrganisationRoleType
    from members.models import OrganisationRole
    from tests.factories import OrganisationFactory, UserFactory
    from thematic_groups.models import ThematicGroup

    home = OrganisationFactory(type=OrganisationType.ELDER_CARE_HOME, name="Résidence Gamma")
    decarbonation = ThematicGroup.objects.get(slug="decarbonation")
    person = UserFactory()
    with pytest.raises(ValidationError) as caught:
        services.organisation_role_assign(
            actor=None, organisation=home, user=person, role=OrganisationRoleType.DELEGATE, thematic_group=decarbonation
        )
    assert "Résidence Gamma ne peut pas participer au groupe « Décarbonation »" in str(caught.value)
    role = OrganisationRole(
        user=person, organisation=home, role=OrganisationRoleType.DELEGATE, thematic_group=decarbonation
    )
    with pytest.raises(ValidationError):
        role.full_clean()  # what the admin's inline runs
    assert not OrganisationRole.objects.exists()
