"""Ready for the law reform (issue 14, item 6): a reform scheme valid from a date.

Records of days before it keep the old types; records after it use the new scheme; where two
schemes are offered each type names its scheme; powers are acts of the scheme; a
guardianship may carry a term with a reminder; the court may end it (a closing reason).
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.forms import AssessmentForm, DecisionForm
from advocacy.cases.models import Assessment, Case, Decision, Petition
from advocacy.cases.services import petition_powers_map, powers_match, record_save
from advocacy.portal.forms import RequestForm
from advocacy.reference.models import FamilyCourt, GrantedAct, GuardianshipScheme, GuardianshipType
from advocacy.stats.services import report_build, report_rows
from tests import factories
from workflows import forms as step_forms
from workflows.guardian_support.flows import GuardianSupportFlow
from workflows.reminders import term_reminders_send
from workflows.steps import CLOSING_REASON_OF

pytestmark = pytest.mark.django_db

# The reform takes effect on the first day of a fiscal year's second half: FY2025 is
# before it, FY2026 is the transition year.
REFORM_DAY = datetime.date(2026, 10, 1)
BEFORE = datetime.date(2026, 5, 15)
AFTER = datetime.date(2026, 11, 2)


@pytest.fixture
def reform():
    old = GuardianshipScheme.objects.get(code="civil-code-2000")
    old.valid_until = REFORM_DAY - datetime.timedelta(days=1)
    old.save()
    new = GuardianshipScheme.objects.create(
        code="civil-code-2026", name="改正後の成年後見制度（一元化）", valid_from=REFORM_DAY
    )
    GuardianshipType.objects.create(scheme=new, code="reform_guardian", name="後見", sort_order=1)
    GuardianshipType.objects.create(
        scheme=new, code="reform_voluntary", name="任意後見", voluntary=True, sort_order=2
    )
    GrantedAct.objects.create(scheme=new, code="reform_deposits", name="預貯金の管理", sort_order=1)
    GrantedAct.objects.create(scheme=new, code="reform_care", name="介護契約", sort_order=2)
    return old, new


def _old(code):
    return GuardianshipType.objects.get(scheme__code="civil-code-2000", code=code)


def _new(code="reform_guardian"):
    return GuardianshipType.objects.get(scheme__code="civil-code-2026", code=code)


def _decision_data(held_on, gtype):
    return {
        "held_on": held_on.isoformat(),
        "participants": "架空の参加者",
        "outcome": "guardianship",
        "guardianship_type": str(gtype.pk),
        "petitioner_type": "mayor",
        "reasons": "架空の理由",
        "advice": "",
    }


def _choice_labels(field):
    return [str(label) for value, label in field.choices if value]


def test_the_conference_form_offers_the_types_of_the_scheme_in_force_on_its_date(reform):
    before = DecisionForm(data=_decision_data(BEFORE, _old("guardianship")))
    after = DecisionForm(data=_decision_data(AFTER, _new()))

    assert set(before.fields["guardianship_type"].queryset) == set(
        GuardianshipType.objects.filter(scheme__code="civil-code-2000")
    )
    assert set(after.fields["guardianship_type"].queryset) == {_new(), _new("reform_voluntary")}
    assert before.is_valid(), before.errors
    assert after.is_valid(), after.errors


def test_a_type_of_another_scheme_is_refused_for_the_records_date(reform):
    old_type_after = DecisionForm(data=_decision_data(AFTER, _old("assistance")))
    new_type_before = DecisionForm(data=_decision_data(BEFORE, _new()))

    assert not old_type_after.is_valid()
    assert "guardianship_type" in old_type_after.errors
    assert not new_type_before.is_valid()
    assert "guardianship_type" in new_type_before.errors


def test_two_schemes_on_one_form_name_their_scheme_so_no_type_appears_twice(reform):
    # An unbound form (the date not yet entered) offers both during the transition.
    form = DecisionForm()

    labels = _choice_labels(form.fields["guardianship_type"])
    assert "後見（改正後の成年後見制度（一元化））" in labels
    assert "後見（成年後見制度（後見・保佐・補助））" in labels
    assert len(labels) == len(set(labels))


def test_one_scheme_alone_is_offered_without_its_name():
    labels = _choice_labels(DecisionForm().fields["guardianship_type"])

    assert labels == ["後見", "保佐", "補助", "任意後見"]


def test_the_portal_request_offers_todays_types_named_by_scheme_when_two_are_in_force(reform):
    labels = [label for value, label in RequestForm().fields["type_sought"].choices if value]

    # Today (after REFORM_DAY) only the reform's types are in force.
    assert labels == ["後見", "任意後見"]
    old, _new_scheme = reform
    old.valid_until = None  # both in force (an overlap the admin may set)
    old.save()
    labels = [label for value, label in RequestForm().fields["type_sought"].choices if value]
    assert "補助（成年後見制度（後見・保佐・補助））" in labels
    assert "後見（改正後の成年後見制度（一元化））" in labels
    assert len(labels) == len(set(labels))


def test_filing_after_the_reform_refuses_the_old_type_carried_from_the_conference(reform):
    petition = Petition(petitioner_type="relative", type_sought=_old("curatorship"))
    court = FamilyCourt.objects.get(code="otsu")
    data = {"court": str(court.pk), "filed_on": AFTER.isoformat(), "type_sought": ""}

    form = step_forms.PetitionFileForm(data=data, instance=petition)

    assert not form.is_valid()
    assert "type_sought" in form.errors
    ok = step_forms.PetitionFileForm(
        data={**data, "type_sought": str(_new().pk)}, instance=petition
    )
    assert ok.is_valid(), ok.errors


def test_the_ruling_grants_acts_of_its_scheme_chosen_from_a_list(reform):
    petition = Petition(
        petitioner_type="relative", filed_on=BEFORE, type_sought=_old("curatorship")
    )
    data = {
        "ruling_on": AFTER.isoformat(),
        "court_case_number": "",
        "type_granted": str(_new().pk),
        "acts": [str(GrantedAct.objects.get(code="reform_deposits").pk)],
        "term_kind": "review",
        "term_until": (AFTER + datetime.timedelta(days=365 * 3)).isoformat(),
    }

    form = step_forms.RulingForm(data=data, instance=petition)

    assert "powers" not in form.fields
    assert set(form.fields["acts"].queryset) == set(GrantedAct.objects.filter(scheme=reform[1]))
    assert form.is_valid(), form.errors
    old_act = GrantedAct.objects.get(scheme=reform[0], code="deposits")
    refused = step_forms.RulingForm(data={**data, "acts": [str(old_act.pk)]}, instance=petition)
    assert not refused.is_valid()
    assert "acts" in refused.errors


def test_the_doctors_view_follows_the_scheme_of_the_assessment_day(reform):
    old = Assessment(assessed_on=BEFORE, doctor_view="curatorship")
    new = Assessment(assessed_on=AFTER)

    old_choices = dict(step_forms.DocumentsForm(instance=old).fields["doctor_view"].choices)
    new_choices = dict(step_forms.DocumentsForm(instance=new).fields["doctor_view"].choices)

    assert old_choices["curatorship"] == "保佐相当"
    assert "curatorship" not in new_choices
    assert new_choices["reform_guardian"] == "後見相当"
    assert set(new_choices) == {"", "not_applicable", "reform_guardian"}


def test_an_old_assessment_keeps_its_doctors_view_on_the_case_page(reform, city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    case = factories.case_for(worker, consulted_on=BEFORE)
    record = record_save(
        actor=worker,
        case=case,
        record=Assessment(assessed_on=BEFORE, doctor_view="curatorship"),
    )

    from advocacy.cases import presenters

    rows = dict(presenters.rows(Assessment.objects.get(pk=record.pk), AssessmentForm))
    assert rows["医師の所見"] == "保佐相当"


def _ruled_case(worker, *, ruling_on, gtype, filed_on=None):
    case = factories.case_for(worker, consulted_on=filed_on or ruling_on)
    record_save(
        actor=worker,
        case=case,
        record=Decision(
            held_on=filed_on or ruling_on,
            participants="架空",
            outcome="guardianship",
            guardianship_type=gtype,
            reasons="架空",
        ),
    )
    petition = record_save(
        actor=worker,
        case=case,
        record=Petition(
            petitioner_type="relative",
            filed_on=filed_on or ruling_on,
            type_sought=gtype,
            ruling_on=ruling_on,
            type_granted=gtype,
        ),
    )
    return case, petition


def test_a_transition_years_report_shows_the_old_and_new_types_side_by_side(reform, city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    for _i in range(5):
        _ruled_case(worker, ruling_on=BEFORE, gtype=_old("guardianship"))
        _ruled_case(worker, ruling_on=AFTER, gtype=_new())

    transition = report_build(fiscal_year=2026)
    earlier = report_build(fiscal_year=2025)

    table = next(t for t in transition.tables() if t.key == "petitions")
    header = table.header()
    old_col = "成年後見制度（後見・保佐・補助）：後見"
    new_col = "改正後の成年後見制度（一元化）：後見"
    assert old_col in header and new_col in header
    relative = dict(table.body())["四親等内の親族"]
    assert relative[header.index(old_col)] == "5"
    assert relative[header.index(new_col)] == "5"
    # The year before the reform knows one scheme: plain names, no reform columns.
    earlier_header = next(t for t in earlier.tables() if t.key == "petitions").header()
    assert "後見" in earlier_header and new_col not in earlier_header
    # The export prints the same headers.
    assert any(new_col in row for row in report_rows(transition))


def test_term_reminder_is_sent_once_before_the_review_date(city, settings):
    settings.WORKFLOWS = {}
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    worker.email = "worker@example.invalid"
    worker.save()
    today = timezone.localdate()
    _case, petition = _ruled_case(
        worker, ruling_on=today - datetime.timedelta(days=30), gtype=_old("guardianship")
    )
    petition.term_kind = "review"
    petition.term_until = today + datetime.timedelta(days=120)
    record_save(actor=worker, case=petition.case, record=petition)

    assert term_reminders_send(today=today) == 0
    near = today + datetime.timedelta(days=31)
    assert term_reminders_send(today=near) == 1
    assert term_reminders_send(today=near) == 0
    message = mail.outbox[-1]
    assert petition.case.number in message.subject
    assert "見直し" in message.subject
    assert message.to == ["worker@example.invalid"]
    # Names no one: the person's name is not in the mail.
    assert petition.case.person.name not in message.body


def test_no_term_reminder_for_a_closed_case(city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    worker.email = "worker@example.invalid"
    worker.save()
    today = timezone.localdate()
    case, petition = _ruled_case(
        worker, ruling_on=today - datetime.timedelta(days=30), gtype=_old("guardianship")
    )
    petition.term_kind = "end"
    petition.term_until = today + datetime.timedelta(days=10)
    record_save(actor=worker, case=case, record=petition)
    Case.objects.filter(pk=case.pk).update(closed_on=today, closing_reason="ended_by_court")

    assert term_reminders_send(today=today) == 0


def test_a_term_needs_its_kind_and_a_date_after_the_ruling():
    petition = Petition(
        petitioner_type="relative", filed_on=BEFORE, type_sought=_old("guardianship")
    )
    data = {
        "ruling_on": BEFORE.isoformat(),
        "court_case_number": "",
        "type_granted": str(_old("guardianship").pk),
        "term_kind": "end",
        "term_until": "",
    }
    assert "term_until" in step_forms.RulingForm(data=data, instance=petition).errors
    data["term_until"] = BEFORE.isoformat()
    assert "term_until" in step_forms.RulingForm(data=data, instance=petition).errors


def test_the_command_runs_the_term_reminders(city, settings):
    """The cron command sends a term reminder due today (not only the function does)."""
    settings.WORKFLOWS = {}
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    worker.email = "worker@example.invalid"
    worker.save()
    today = timezone.localdate()
    _case, petition = _ruled_case(
        worker, ruling_on=today - datetime.timedelta(days=30), gtype=_old("guardianship")
    )
    petition.term_kind = "review"
    petition.term_until = today + datetime.timedelta(days=60)
    record_save(actor=worker, case=petition.case, record=petition)
    mail.outbox.clear()

    call_command("send_reminders")

    assert [m.to for m in mail.outbox if "見直し" in m.subject] == [["worker@example.invalid"]]


def test_the_court_ending_a_guardianship_is_a_closing_reason(walker, worker, supervisor, case):
    GuardianSupportFlow.start.run(case=case, actor=worker)

    walker.event(worker, case, "closing", {"reason": "ended_by_court"})
    walker.step(
        worker,
        case,
        "guardiansupport",
        "handover",
        {"handed_over_on": timezone.localdate().isoformat()},
    )
    walker.step(worker, case, "guardiansupport", "final_settlement", {"settled": "on"})
    walker.step(
        supervisor,
        case,
        "guardiansupport",
        "approve_close",
        {"reason": "ended_by_court", "closed_on": timezone.localdate().isoformat()},
    )

    case.refresh_from_db()
    assert case.closing_reason == Case.ClosingReason.ENDED_BY_COURT
    assert CLOSING_REASON_OF["ended_by_court"] == Case.ClosingReason.ENDED_BY_COURT


def test_recorded_powers_are_matched_to_acts_and_the_rest_kept(city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    case, petition = _ruled_case(
        worker, ruling_on=datetime.date(2024, 6, 1), gtype=_old("curatorship")
    )
    petition.powers = "預貯金の管理・払戻し、施設入所契約、ペットの世話"
    record_save(actor=worker, case=case, record=petition)

    read, changed, _last = petition_powers_map()

    assert (read, changed) == (1, 1)
    petition = Petition.objects.get(pk=petition.pk)
    assert {a.code for a in petition.acts.all()} == {"deposits", "facility_admission"}
    assert petition.powers == "ペットの世話"
    event = AuditEvent.objects.filter(action=Action.PETITION_POWERS_MAPPED).get()
    assert "ペット" not in (event.reason or "") and case.number in event.label
    # Rerunning changes nothing.
    assert petition_powers_map() == (1, 0, petition.pk)


def test_matching_uses_only_the_acts_offered():
    found, kept = powers_match("訴訟行為、預金", ["deposits"])

    assert found == {"deposits"}
    assert kept == "訴訟行為"
