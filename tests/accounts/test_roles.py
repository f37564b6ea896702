import pytest
from django.contrib.auth.models import Group, Permission
from guardian.conf import settings as guardian_settings

from advocacy.accounts.models import User
from advocacy.accounts.roles import Role
from advocacy.accounts.services import user_set_roles
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_role_exists_as_a_group_after_migrating():
    names = set(Group.objects.values_list("name", flat=True))
    assert {role.value for role in Role} <= names


def test_no_role_group_holds_any_model_wide_permission():
    holding = Permission.objects.filter(group__name__in=[role.value for role in Role])
    assert list(holding) == []


def test_user_create_gives_the_roles_and_admin_flag_only_to_system_admins(city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    admin = factories.user(Role.SYSTEM_ADMIN, organisation=city)

    assert list(worker.groups.values_list("name", flat=True)) == ["city_caseworker"]
    assert worker.is_staff is False
    assert admin.is_staff is True


def test_taking_the_admin_role_away_removes_the_admin_flag(city):
    admin = factories.user(Role.SYSTEM_ADMIN, organisation=city)

    user_set_roles(user=admin, roles=[Role.CITY_CASEWORKER])

    admin.refresh_from_db()
    assert admin.is_staff is False
    assert list(admin.groups.values_list("name", flat=True)) == ["city_caseworker"]


def test_professional_record_keeps_profession_body_areas_and_capacity():
    account = factories.professional_user(profession="judicial_scrivener")

    professional = account.professional
    assert professional.get_profession_display() == "司法書士"
    assert professional.registration_body == "テスト弁護士会"
    assert list(professional.areas.values_list("name", flat=True)) == ["高島"]
    assert professional.capacity == 5


def test_the_six_areas_of_the_city_are_seeded_in_order():
    from advocacy.reference.models import Area

    assert list(Area.objects.values_list("name", flat=True)) == [
        "マキノ",
        "今津",
        "朽木",
        "安曇川",
        "高島",
        "新旭",
    ]


def test_guardian_keeps_no_anonymous_user_row():
    assert guardian_settings.ANONYMOUS_USER_NAME is None
    assert not User.objects.filter(username="AnonymousUser").exists()


def test_a_users_name_is_written_family_name_first_everywhere(client, city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    worker.last_name, worker.first_name = "架空", "一郎"
    worker.save()
    client.force_login(worker)

    page = client.get("/app/cases/").content.decode()

    assert worker.get_full_name() == str(worker) == "架空 一郎"
    assert "架空 一郎" in page
    assert "一郎 架空" not in page
