from datetime import date

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import User
from members.enums import OrganisationStatus, OrganisationType
from members.models import Organisation

TEST_PASSWORD = "a-long-test-password-2026"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enterprise_number_for(seed: int) -> str:
    base = f"{400000000 + seed * 7919:08d}"[-8:]
    base = "0" + base[1:]
    return base + f"{97 - int(base) % 97:02d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_BE")
    last_name = factory.Faker("last_name", locale="fr_BE")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def with_totp(self, create, extracted, **kwargs):
        if create and extracted:
            TOTP.activate(self, TOTP_SECRET)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    legal_form = "ASBL"
    type = OrganisationType.HOSPITAL
    enterprise_number = factory.Sequence(enterprise_number_for)
    street = "Rue de la Loi 1"
    postal_code = "5000"
    city = "Namur"
    status = OrganisationStatus.ACTIVE
    member_since = factory.LazyFunction(lambda: date(2026, 3, 2))
