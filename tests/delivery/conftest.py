import pytest

from tests.factories import FundingSourceFactory, InputTypeFactory, ProjectFactory, UserFactory


@pytest.fixture
def reference(db):
    """Two sources of funds, two types of input."""
    return {
        "XBTC": FundingSourceFactory(code="XBTC"),
        "RBTC": FundingSourceFactory(code="RBTC"),
        "EXPERTS": InputTypeFactory(code="EXPERTS"),
        "TRAINING": InputTypeFactory(code="TRAINING"),
    }


@pytest.fixture
def project_a(reference):
    return ProjectFactory(symbol="RAF/26/01/USA", funding_source=reference["XBTC"])


@pytest.fixture
def project_b(reference):
    return ProjectFactory(symbol="RLA/26/02/USA", funding_source=reference["RBTC"])


@pytest.fixture
def officer(db):
    return UserFactory(username="officer", role="OFFICER")
