"""Fixtures for the coaching pages: signed-in clients for each role around project A."""

import pytest
from django.test import Client


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def coach_client(coach):
    return _client_for(coach)


@pytest.fixture
def qi_lead_client(qi_lead):
    return _client_for(qi_lead)


@pytest.fixture
def sponsor_client(sponsor):
    return _client_for(sponsor)
