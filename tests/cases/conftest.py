"""Fixtures shared by the cases tests."""

import pytest

from tests.factories import ServiceFactory


@pytest.fixture
def sending():
    """A service a case is transferred from."""
    return ServiceFactory(name="Community Idva", code="CIDVA")


@pytest.fixture
def receiving(sending):
    """Another service of the same provider, which a case is transferred to."""
    return ServiceFactory(name="Hospital Idva", code="HIDVA", provider=sending.provider)
