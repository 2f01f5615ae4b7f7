import pytest

from tests.delivery.factories import SpendingProjectFactory
from tests.factories import FundingSourceFactory, InputTypeFactory, UnitFactory, UserFactory


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
def unit(db):
    """The unit responsible for project_a and project_b (the officer's)."""
    return UnitFactory(code="RO-DELIVERY")


@pytest.fixture
def project_a(reference, unit):
    return SpendingProjectFactory(symbol="RAF/26/01/USA", funding_source=reference["XBTC"], responsible_unit=unit)


@pytest.fixture
def project_b(reference, unit):
    return SpendingProjectFactory(symbol="RLA/26/02/USA", funding_source=reference["RBTC"], responsible_unit=unit)


@pytest.fixture
def officer(unit):
    """An officer of the projects' unit: allocations and expenditure follow the project's edit rule."""
    return UserFactory(username="officer", role="OFFICER", units=[unit])
