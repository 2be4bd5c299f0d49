"""Issue 18, item 5: nothing lands in the wrong service. A membership's team is a team of the
membership's own service: the model refuses it with a message on the team field, the admin shows
that message in place, and the database refuses a raw insert or update that goes round both."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Membership, Role
from tests.factories import MembershipFactory, ServiceFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

WRONG_TEAM = "Choose a team of the membership's service."


@pytest.fixture
def hospital_service(service):
    return ServiceFactory(name="Ruby - Royal Hospital", provider=service.provider)


@pytest.fixture
def hospital_team(hospital_service):
    return TeamFactory(service=hospital_service, name="Ward team")


def test_the_model_refuses_a_team_of_another_service(service, hospital_team):
    membership = Membership(
        user=UserFactory(), service=service, role=Role.CASEWORKER, team=hospital_team
    )
    with pytest.raises(ValidationError) as refused:
        membership.full_clean()
    assert refused.value.message_dict == {"team": [WRONG_TEAM]}


def test_the_model_accepts_a_team_of_its_own_service_or_none(service):
    own_team = TeamFactory(service=service)
    Membership(
        user=UserFactory(), service=service, role=Role.CASEWORKER, team=own_team
    ).full_clean()
    Membership(user=UserFactory(), service=service, role=Role.CASEWORKER).full_clean()


def test_the_admin_shows_the_error_on_the_team_field(client_for, service, hospital_team):
    admin = MembershipFactory(service=service, role=Role.ADMIN).user
    colleague = UserFactory()
    MembershipFactory(user=colleague, service=service, role=Role.TEAM_LEADER)
    response = client_for(admin).post(
        reverse("admin:accounts_membership_add"),
        {
            "user": colleague.pk,
            "service": service.pk,
            "role": Role.CASEWORKER,
            "team": hospital_team.pk,
        },
    )
    assert response.status_code == 200  # the form again, not a 500
    assert response.context["adminform"].form.errors == {"team": [WRONG_TEAM]}
    assert escape(WRONG_TEAM) in response.content.decode()
    assert not Membership.objects.filter(user=colleague, role=Role.CASEWORKER).exists()


def test_the_database_refuses_an_insert_with_a_team_of_another_service(service, hospital_team):
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_membership "
            "(user_id, service_id, role, team_id, read_only, created_at, updated_at) "
            "VALUES (%s, %s, 'caseworker', %s, false, now(), now())",
            [user.pk, service.pk, hospital_team.pk],
        )
    assert not Membership.objects.filter(user=user).exists()


def test_the_database_refuses_an_update_that_goes_round_the_model(service, hospital_team):
    membership = MembershipFactory(service=service, role=Role.CASEWORKER)
    with pytest.raises(IntegrityError), transaction.atomic():
        # .update() runs no clean(): only the database stands in the way.
        Membership.objects.filter(pk=membership.pk).update(team=hospital_team)
    membership.refresh_from_db()
    assert membership.team is None


def test_a_team_cannot_move_to_another_service_with_its_members(service, hospital_service):
    team = TeamFactory(service=service)
    MembershipFactory(service=service, role=Role.CASEWORKER, team=team)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(team).objects.filter(pk=team.pk).update(service=hospital_service)
