import pytest

from advocacy.ledger.mapping import mapping_from_json
from tests.ledger import books


@pytest.fixture
def supervisor(users_by_role):
    return users_by_role["city_supervisor"]


@pytest.fixture
def mapping():
    return mapping_from_json(books.mapping_json())
