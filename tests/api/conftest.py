import pytest

from tests.api.base import Scope


@pytest.fixture
def scope(db):
    return Scope()
