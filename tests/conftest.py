from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from advocacy.accounts.models import Organisation
from advocacy.accounts.roles import Role
from tests import factories

CHROMIUM = Path("/usr/bin/chromium")

# Hypothesis searches briefly while developing and thoroughly in CI, which sets
# HYPOTHESIS_PROFILE=ci (.ci/run). Tests set only what their nature needs (no deadline for
# database round trips, a health check they may skip), never max_examples: the profile decides.
# "ci" is Hypothesis's own CI profile (derandomized, so a red run is rerun with the same examples;
# no example database on a clean clone; failures print a reproduction blob) with more examples.
hypothesis_settings.register_profile("dev", max_examples=20)
hypothesis_settings.register_profile("ci", hypothesis_settings.get_profile("ci"), max_examples=200)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_collection_modifyitems(config, items):
    # Browser tests need Debian's chromium; .ci/run installs it, so CI always runs them.
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason="/usr/bin/chromium is not installed")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def city(db) -> Organisation:
    return factories.organisation(Organisation.Kind.CITY_OFFICE, name="テスト市 くらし連携支援室")


@pytest.fixture
def council(db) -> Organisation:
    return factories.organisation(
        Organisation.Kind.COUNCIL_CENTRE, name="テスト市社会福祉協議会 サポートセンター"
    )


@pytest.fixture
def committee_org(db) -> Organisation:
    return factories.organisation(Organisation.Kind.COMMITTEE, name="テスト市 ネットワーク委員会")


@pytest.fixture
def users_by_role(city, council, committee_org) -> dict[str, object]:
    """One user for each role the system knows, plus a user with no role."""
    return {
        "city_caseworker": factories.user(Role.CITY_CASEWORKER, organisation=city),
        "council_caseworker": factories.user(Role.COUNCIL_CASEWORKER, organisation=council),
        "city_supervisor": factories.user(Role.CITY_CASEWORKER, Role.SUPERVISOR, organisation=city),
        "council_supervisor": factories.user(
            Role.COUNCIL_CASEWORKER, Role.SUPERVISOR, organisation=council
        ),
        "professional": factories.professional_user(),
        "committee_member": factories.user(Role.COMMITTEE_MEMBER, organisation=committee_org),
        "system_admin": factories.user(Role.SYSTEM_ADMIN, organisation=city),
        "no_role": factories.user(organisation=city),
    }


@pytest.fixture(autouse=True, scope="session")
def url_patterns_loaded():
    """Load the URLconf before any test: viewflow learns a flow's URL namespace from it.

    A test that reverses a task URL before any request was made (the first test of a
    worker process under xdist, or a file run alone) would otherwise find no namespace.
    """
    from django.urls import get_resolver

    assert get_resolver().url_patterns


@pytest.fixture
def latest_schema_after(transactional_db):
    """Migrate the test database back to every app's latest migration after a migration test.

    A test that migrates to an older state and forward to the migration it checks would
    leave the later migrations unapplied for the tests after it in the same process.
    """
    yield
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests that check hashing ask for it explicitly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def staff_second_factor_off(settings):
    # Production asks staff for a TOTP code too (ADVOCACY_OTP_FOR_STAFF is on without DEBUG);
    # tests log staff in with force_login, so it is off here and on where a test says so.
    settings.ADVOCACY_OTP_FOR_STAFF = False


SEED_MIGRATIONS = [
    "advocacy.reference.migrations.0002_seed_areas",
    "advocacy.reference.migrations.0004_seed_classifications",
    "advocacy.reference.migrations.0006_seed_family_courts",
    "advocacy.accounts.migrations.0002_role_groups",
    "advocacy.accounts.migrations.0004_h17_meeting_member_group",
    "advocacy.stats.migrations.0002_seed_national_figures",
]


@pytest.fixture(autouse=True)
def reseed_after_flush(request):
    """Put the seeded reference rows back for tests that run outside a rolled-back transaction.

    Transactional tests end with a flush that empties every table, data migrations included;
    the seeds are idempotent, so running them again is harmless.
    """
    if not {"transactional_db", "live_server"} & set(request.fixturenames):
        marker = request.node.get_closest_marker("django_db")
        if not (marker and marker.kwargs.get("transaction")):
            return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    for module in SEED_MIGRATIONS:
        seed = importlib.import_module(module)
        (seed.seed if hasattr(seed, "seed") else seed.create_groups)(apps, None)
