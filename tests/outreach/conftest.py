import pytest


@pytest.fixture(autouse=True)
def default_workflow_settings(settings):
    settings.WORKFLOWS = {}


@pytest.fixture
def worker(users_by_role):
    return users_by_role["city_caseworker"]


@pytest.fixture
def supervisor(users_by_role):
    return users_by_role["city_supervisor"]


@pytest.fixture
def council_worker(users_by_role):
    return users_by_role["council_caseworker"]


@pytest.fixture
def council_supervisor(users_by_role):
    return users_by_role["council_supervisor"]
