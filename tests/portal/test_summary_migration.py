"""portal.0003: typed summary categories become choices; what names nothing is not kept."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from advocacy.accounts.models import Organisation
from advocacy.accounts.roles import Role
from advocacy.portal import services
from advocacy.portal.models import CoordinationRequest
from tests import factories
from tests.portal.conftest import summary_for

BEFORE = [("portal", "0002_candidate_languages_specialities")]
AFTER = [("portal", "0003_summary_choices")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_typed_values_become_the_listed_choices_and_other_text_is_not_kept(
    capsys, latest_schema_after
):
    city = factories.organisation(Organisation.Kind.CITY_OFFICE)
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    lawyer = factories.professional_user().professional
    typed = [
        # age band, category text, type text → kept band, categories, type code
        (
            ("80-84", "高齢者、知的障害", "保佐"),
            ("80-84", {"elderly", "intellectual"}, "curatorship"),
        ),
        (("80代", "高齢者 試験花子", "後見"), ("", {"elderly"}, "guardianship")),
        (("70-74", "", "架空の類型"), ("70-74", set(), None)),
    ]
    requests = []
    for _typed, _kept in typed:
        case = factories.case_for(worker)
        requests.append(
            services.request_send(
                actor=worker,
                case=case,
                professional=lawyer,
                need="legal",
                summary=summary_for(case),
                portal_url="/app/portal/",
            ).pk
        )

    old = _migrate(BEFORE).get_model("portal", "CoordinationRequest")
    for pk, ((band, category, kind), _kept) in zip(requests, typed, strict=True):
        old.objects.filter(pk=pk).update(age_band=band, category=category, type_sought=kind)
    _migrate(AFTER)

    for pk, (_typed, (band, categories, kind)) in zip(requests, typed, strict=True):
        request = CoordinationRequest.objects.get(pk=pk)
        assert request.age_band == band
        assert {c.code for c in request.categories.all()} == categories
        assert (request.type_sought.code if request.type_sought else None) == kind
    output = capsys.readouterr().out
    assert "age_band 1, category 1, type_sought 1" in output
    assert "試験" not in output and "架空" not in output
