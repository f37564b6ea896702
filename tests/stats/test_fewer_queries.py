"""The preview's cheaper reads give exactly what the reads they replaced gave (issue 20).

Each test computes the figures the old way (one query a count or a median, the template's
loop over a table's rows) next to the new one, on the same records.
"""

from __future__ import annotations

import datetime

import pytest
from django.db.models import F
from django.template import engines
from django.template.loader import get_template, render_to_string
from django.utils import translation

from advocacy.cases.models import Petition
from advocacy.outreach import services as outreach
from advocacy.outreach.models import Trainee, TrainingCourse
from advocacy.stats import selectors, services
from advocacy.stats.selectors import DaysBetween, _in_year, _median
from tests import factories
from tests.stats.conftest import FY

pytestmark = pytest.mark.django_db

# The table body as the template wrote it before the table_rows tag.
ROWS_TAG = "    {% table_rows table %}\n"
ROWS_LOOP = (
    "    {% for label, cells, width in table.display %}\n"
    "      <tr><th>{{ label }}</th>{% for cell in cells %}<td>{{ cell }}</td>{% endfor %}"
    '{% if not table.follows %}<td class="stats-bar-cell">{% if width is not None %}'
    '<span class="stats-bar stats-w{{ width }}"></span>{% endif %}</td>{% endif %}</tr>\n'
    "    {% endfor %}\n"
)


def _with_the_loop():
    source = get_template(services.REPORT_TEMPLATE).template.source
    assert ROWS_TAG in source
    return engines["django"].from_string(source.replace(ROWS_TAG, ROWS_LOOP))


def test_the_table_rows_tag_writes_what_the_loop_wrote(stats_world):
    users, _cases = stats_world
    release = services.report_release(
        actor=users["city_supervisor"], fiscal_year=FY, kind="before_committee"
    )
    looped = _with_the_loop()
    for report in (services.report_build(fiscal_year=FY), services.release_report(release)):
        assert any(t.follows for t in report.tables()), "a table that follows another (no bar)"
        for code in ("ja", "en"):
            with translation.override(code):
                assert render_to_string(services.REPORT_TEMPLATE, {"report": report}) == (
                    looped.render({"report": report})
                )


def _course(actor, starts_on: datetime.date, trainees: int, completed_on, registered_on):
    course = outreach.course_create(
        actor=actor,
        course=TrainingCourse(
            title="養成研修",
            cohort=starts_on.year,
            starts_on=starts_on,
            sessions=1,
            required_sessions=1,
        ),
    )
    enrolled = [
        outreach.trainee_enrol(
            actor=actor, course=course, trainee=Trainee(name=f"架空 受講{i}", kana="かくう")
        )
        for i in range(trainees)
    ]
    outreach.attendance_record(actor=actor, course=course, session=1, present=enrolled)
    for trainee, on in zip(enrolled, completed_on, strict=False):
        outreach.trainee_complete(actor=actor, trainee=trainee, on=on)
    for trainee, on in zip(enrolled, registered_on, strict=False):
        outreach.trainee_register(
            actor=actor, trainee=trainee, on=on, backup="supervision", area_codes=[]
        )


def test_the_trainee_counts_of_one_query_are_those_of_three(users_by_role):
    council = users_by_role["council_caseworker"]
    day = datetime.date
    # A course of the year, and one of the year before whose trainees finish in this year
    # and register in the next: each count on its own day.
    _course(council, day(FY, 5, 1), 3, [day(FY, 7, 1)] * 2, [day(FY, 8, 1)])
    _course(council, day(FY, 2, 1), 2, [day(FY, 4, 10)] * 2, [day(FY + 1, 4, 5)])
    trainees = Trainee.objects.all()
    old = (
        trainees.filter(_in_year("course__starts_on", FY)).count(),
        trainees.filter(_in_year("completed_on", FY)).count(),
        trainees.filter(_in_year("registered_on", FY)).count(),
    )
    assert old == (3, 4, 1)
    counts = selectors.guardian_development_counts(FY)
    assert (
        counts[("trainees", "n")],
        counts[("completed", "n")],
        counts[("registered", "n")],
    ) == old


def test_the_spans_to_a_ruling_of_one_query_are_those_of_one_query_each(stats_world):
    ruled = Petition.objects.filter(_in_year("ruling_on", FY))
    assert ruled.exists()
    by_code = {lead.code: (lead.n, lead.median) for lead in selectors.lead_times(FY)}
    assert by_code["petition_ruling"] == _median(ruled, DaysBetween(F("ruling_on"), F("filed_on")))
    assert by_code["intake_ruling"] == _median(
        ruled, DaysBetween(F("ruling_on"), F("case__opened_on"))
    )


def test_the_appointment_tables_of_one_query_are_those_of_three(stats_world):
    from django.db.models import Count

    from advocacy.cases.models import GuardianAppointment

    def grouped(queryset, *fields):
        rows = queryset.values(*fields).annotate(n=Count("*")).order_by()
        return {tuple(str(row[f]) for f in fields): row["n"] for row in rows}

    users, cases = stats_world
    worker, case = users["city_caseworker"], cases[0]
    change = factories.case_record(
        worker,
        case,
        Petition(
            purpose=Petition.Purpose.APPOINTMENT,
            change_kind=Petition.ChangeKind.RESIGNATION,
            petitioner_type="guardian",
            filed_on=datetime.date(FY, 9, 1),
            ruling_on=datetime.date(FY, 10, 1),
        ),
    )
    # Beside the world's lawyers (no petition): a change, a citizen guardian, a corporate
    # supervisor, and one of another year.
    for petition, profession, role, on in (
        (change, "lawyer", "guardian", datetime.date(FY, 10, 1)),
        (change, "citizen_guardian", "guardian", datetime.date(FY, 10, 2)),
        (None, "corporate", "supervisor", datetime.date(FY, 11, 1)),
        (None, "citizen_guardian", "guardian", datetime.date(FY + 1, 5, 1)),
    ):
        factories.case_record(
            worker,
            case,
            GuardianAppointment(
                petition=petition,
                kind="person",
                profession=profession,
                role=role,
                name="架空 後見人",
                appointed_on=on,
            ),
        )
    of_year = GuardianAppointment.objects.filter(_in_year("appointed_on", FY))
    # The three queries as they were.
    starts = grouped(
        of_year.filter(role=GuardianAppointment.Role.GUARDIAN).exclude(
            petition__purpose=Petition.Purpose.APPOINTMENT
        ),
        "profession",
    )
    changes = grouped(
        of_year.filter(petition__purpose=Petition.Purpose.APPOINTMENT),
        "petition__change_kind",
        "profession",
    )
    survey = grouped(of_year.filter(profession__in=["citizen_guardian", "corporate"]), "profession")
    assert len(starts) == 1 and len(changes) == 2 and len(survey) == 2
    assert selectors.appointment_counts(FY) == {(p, "n"): n for (p,), n in starts.items()}
    assert selectors.change_counts(FY) == changes
    assert selectors.survey_appointments(FY) == {p: n for (p,), n in survey.items()}
