"""factory-boy factories for accounts; later apps add theirs beside these."""

import uuid

import factory
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from accounts.models import FormSubmission, Marac, Membership, Provider, Role, Service, Team, User

TEST_PASSWORD = "correct horse battery staple lantern"


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Provider {n}")


class MaracFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Marac
        django_get_or_create = ["name"]

    # Every test service is in the one test MARAC unless given another.
    name = "Testshire"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    code = factory.Sequence(lambda n: f"S{n:03d}")
    area = "Testshire"
    marac = factory.SubFactory(MaracFactory)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    service = factory.SubFactory(ServiceFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        """Users have a TOTP authenticator unless built with second_factor=False."""
        if create:
            self.save()
            if extracted is not False:
                self.totp_secret = generate_totp_secret()
                TOTP.activate(self, self.totp_secret)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    service = factory.SubFactory(ServiceFactory)
    role = Role.CASEWORKER


class ClientFactory(factory.django.DjangoModelFactory):
    """A synthetic client (never real data)."""

    class Meta:
        model = "cases.Client"

    service = factory.SubFactory(ServiceFactory)
    provider = factory.SelfAttribute("service.provider")
    first_name = factory.Faker("first_name_female", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=70)
    safe_phone = factory.Sequence(lambda n: f"07700 9{n:05d}")


class CaseFactory(factory.django.DjangoModelFactory):
    """A case created directly (bypassing case_open) for tests that need one quickly."""

    class Meta:
        model = "cases.Case"

    service = factory.SubFactory(ServiceFactory)
    client = factory.SubFactory(ClientFactory, service=factory.SelfAttribute("..service"))
    reference = factory.Sequence(lambda n: f"TST-2026-{n:05d}")
    opened_on = factory.Faker("date_between", start_date="-120d", end_date="-30d")
    status = "open"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.Contact"

    case = factory.SubFactory(CaseFactory)
    occurred_at = factory.Faker(
        "date_time_between",
        start_date="-20d",
        end_date="-1d",
        tzinfo=__import__("datetime").timezone.utc,
    )
    contact_type = "phone"
    recorded_by = factory.SubFactory(UserFactory)


class PerpetratorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.Perpetrator"

    case = factory.SubFactory(CaseFactory)


class ChildInCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.ChildInCase"

    case = factory.SubFactory(CaseFactory)


class ClosureRequestFactory(factory.django.DjangoModelFactory):
    """A closure waiting for a team leader's sign-off."""

    class Meta:
        model = "cases.ClosureRequest"

    case = factory.SubFactory(CaseFactory)
    requested_by = factory.SubFactory(UserFactory)
    requested_at = factory.LazyFunction(timezone.now)
    closed_on = factory.LazyFunction(timezone.localdate)
    closure_type = "Planned closure"


class ConsentRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.ConsentRecord"

    client = factory.SubFactory(ClientFactory)
    purpose = "contact"
    recorded_on = factory.LazyFunction(timezone.localdate)
    recorded_by = factory.SubFactory(UserFactory)


class FormSubmissionFactory(factory.django.DjangoModelFactory):
    """A create form's claimed one-time token."""

    class Meta:
        model = FormSubmission

    token = factory.LazyFunction(uuid.uuid4)
    user = factory.SubFactory(UserFactory)
