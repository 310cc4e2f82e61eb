import pytest
from allauth.account.models import EmailAddress

from coachprog.accounts.services import access_policy_update
from tests.factories import UserFactory


@pytest.fixture
def verified_user():
    """Someone with a confirmed address who can sign in with tests.factories.PASSWORD."""
    user = UserFactory(email="known@nhs.net")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


@pytest.fixture
def nhs_net_allowed(programme_lead):
    """The access policy lets anyone with an nhs.net address sign up."""
    return access_policy_update(
        by=programme_lead, allowed_signup_domains="nhs.net", require_two_factor_for_leads=False
    )
