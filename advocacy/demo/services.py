"""Build the invented demo organisations and logins; running it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from advocacy.accounts.models import Organisation, Professional, User
from advocacy.accounts.roles import Role
from advocacy.accounts.services import organisation_create, professional_create, user_create
from advocacy.dates import fiscal_year_of
from advocacy.demo.court import demo_court_load
from advocacy.demo.ledger import demo_ledger_load
from advocacy.demo.meetings import demo_meetings_after_commit
from advocacy.stats.models import Release
from advocacy.stats.services import report_release

# A shared, published password: demo accounts exist only in DEBUG databases.
DEMO_PASSWORD = "demo-takashima-2026"  # noqa: S105

CITY = "高島市 くらし連携支援室"
COUNCIL = "高島市社会福祉協議会 成年後見サポートセンター"
BAR = "滋賀弁護士会"
COMMITTEE = "高島市権利擁護支援ネットワーク委員会"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    last_name: str
    first_name: str
    organisation: str
    roles: tuple[Role, ...]
    profession: str = ""
    registration_body: str = ""


DEMO_LOGINS = (
    DemoLogin("city1", "青柳", "みなみ", CITY, (Role.CITY_CASEWORKER,)),
    DemoLogin("city2", "浜辺", "こうた", CITY, (Role.CITY_CASEWORKER,)),
    DemoLogin("city_sv", "湖西", "ひろみ", CITY, (Role.CITY_CASEWORKER, Role.SUPERVISOR)),
    DemoLogin("council1", "朝霧", "ゆうき", COUNCIL, (Role.COUNCIL_CASEWORKER,)),
    DemoLogin("council_sv", "若草", "たまき", COUNCIL, (Role.COUNCIL_CASEWORKER, Role.SUPERVISOR)),
    DemoLogin(
        "lawyer1",
        "川端",
        "しげる",
        BAR,
        (Role.PROFESSIONAL,),
        Professional.Profession.LAWYER,
        "滋賀弁護士会",
    ),
    DemoLogin(
        "scrivener1",
        "松原",
        "あやの",
        BAR,
        (Role.PROFESSIONAL,),
        Professional.Profession.JUDICIAL_SCRIVENER,
        "リーガルサポート滋賀",
    ),
    DemoLogin(
        "socialworker1",
        "杉野",
        "ともこ",
        BAR,
        (Role.PROFESSIONAL,),
        Professional.Profession.SOCIAL_WORKER,
        "ぱあとなあ滋賀",
    ),
    DemoLogin("committee1", "栗林", "まさし", COMMITTEE, (Role.COMMITTEE_MEMBER,)),
    # An outside member of 支援会議 (a care manager): no organisation of ours.
    DemoLogin("meeting1", "湖北", "さくら", "", (Role.MEETING_MEMBER,)),
    DemoLogin("sysadmin", "管理", "担当", CITY, (Role.SYSTEM_ADMIN,)),
)

ORGANISATIONS = (
    (CITY, Organisation.Kind.CITY_OFFICE, "くらし連携支援室"),
    (COUNCIL, Organisation.Kind.COUNCIL_CENTRE, "サポートセンター"),
    (BAR, Organisation.Kind.PROFESSIONAL_BODY, "専門職"),
    (COMMITTEE, Organisation.Kind.COMMITTEE, "ネットワーク委員会"),
)


@transaction.atomic
def demo_load() -> list[DemoLogin]:
    """Create the demo organisations and logins that do not exist yet."""
    organisations = {}
    for name, kind, short_name in ORGANISATIONS:
        organisations[name] = Organisation.objects.filter(name=name).first() or (
            organisation_create(name=name, kind=kind, short_name=short_name)
        )
    for login in DEMO_LOGINS:
        if User.objects.filter(username=login.username).exists():
            continue
        user = user_create(
            username=login.username,
            password=DEMO_PASSWORD,
            organisation=organisations.get(login.organisation),
            roles=login.roles,
            last_name=login.last_name,
            first_name=login.first_name,
            email=f"{login.username}@demo.invalid",
        )
        if login.profession:
            professional_create(
                user=user,
                profession=login.profession,
                registration_body=login.registration_body,
                area_codes=["takashima", "imazu", "adogawa"],
            )
    _load_cases()
    demo_court_load()
    # Its services commit on their own (durable), so it runs once this transaction has.
    transaction.on_commit(_load_outreach)
    demo_meetings_after_commit()
    # The ledger import commits batch by batch (durable), so it runs once this has committed.
    transaction.on_commit(lambda: demo_ledger_load(supervisor=User.objects.get(username="city_sv")))
    return list(DEMO_LOGINS)


def _load_outreach() -> None:
    from advocacy.demo.outreach import demo_outreach_load

    demo_outreach_load()


def _load_cases() -> int:
    from advocacy.accounts.roles import has_role, is_case_staff
    from advocacy.demo.cases import demo_cases_load

    staff = [u for u in User.objects.order_by("username") if is_case_staff(u)]
    workers = [u for u in staff if not has_role(u, Role.SUPERVISOR)]
    supervisors = {u.organisation_id: u for u in staff if has_role(u, Role.SUPERVISOR)}
    return demo_cases_load(workers=workers, supervisors=supervisors)


def demo_release() -> Release | None:
    """Release this fiscal year's report once, as the city's demo supervisor would.

    So the demo committee login sees figures at once. Its own (durable) transaction: the
    release service refuses to run inside another, so it follows ``demo_load``.
    """
    fiscal_year = fiscal_year_of(timezone.localdate())
    if Release.objects.filter(fiscal_year=fiscal_year).exists():
        return None
    supervisor = User.objects.get(username="city_sv")
    return report_release(
        actor=supervisor, fiscal_year=fiscal_year, kind=Release.Kind.BEFORE_COMMITTEE
    )
