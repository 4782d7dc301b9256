"""``manage.py load_demo``: the report's communities, residents and one login per role."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from buildings.models import Building, Resident
from communities.models import Community, District, Membership, User
from corridor_portal import demo

# (username, role, community code, section name) of the logins the README promises, and more.
EXPECTED_LOGINS = [
    ("official", Membership.Role.OFFICIAL, None, None),
    ("secretary-qingfu", Membership.Role.SECRETARY, "qingfu", None),
    ("secretary-huayuan", Membership.Role.SECRETARY, "huayuan", None),
    ("secretary-jianfu", Membership.Role.SECRETARY, "jianfu", None),
    ("cadre-qingfu", Membership.Role.CADRE, "qingfu", "清福二区片"),
    ("head-qingfu-15", Membership.Role.HEAD, "qingfu", None),
]


@pytest.fixture(autouse=True)
def demo_environment(settings, monkeypatch):
    # The demo hashes its password once per run; PBKDF2 would make every call cost ~0.5 s.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The default password applies only when the developer's shell does not set one.
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def run_load_demo(*args):
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def model_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


@pytest.mark.django_db
def test_load_demo_with_force_creates_the_three_communities():
    run_load_demo("--force")

    communities = {c.code: c for c in Community.objects.select_related("district")}
    assert set(communities) == {"qingfu", "huayuan", "jianfu"}
    assert communities["qingfu"].name == "清福社区"
    assert communities["qingfu"].is_pilot
    assert communities["qingfu"].org_kind == Community.OrgKind.GENERAL_BRANCH
    assert "1800" in communities["qingfu"].theme
    assert communities["huayuan"].org_kind == Community.OrgKind.BRANCH
    assert communities["jianfu"].org_kind == Community.OrgKind.COMMITTEE
    assert {c.district.code for c in communities.values()} == {"dongan"}
    assert District.objects.get().name == "东安区"


@pytest.mark.django_db
def test_load_demo_in_debug_places_report_residents_in_their_units(settings):
    settings.DEBUG = True

    run_load_demo()

    expected = {
        "刘铁华": ("清福社区", "清福二区15号楼6单元"),
        "米丽芳": ("清福社区", "清福一区4号楼9单元"),
        "王治普": ("清福社区", "清福一区4号楼9单元"),
        "李淑芹": ("花园社区", None),
    }
    for name, (community, unit) in expected.items():
        resident = Resident.objects.select_related("household__unit__building__community").get(
            name=name
        )
        assert resident.is_party_member, name
        assert resident.household.unit.building.community.name == community
        if unit:
            assert str(resident.household.unit) == unit
    li = Resident.objects.get(name="李淑芹")
    assert li.household.unit.building.compound == "农行小区"
    assert {"party-veteran", "senior-university"} <= {t.code for t in li.tags.all()}


@pytest.mark.django_db
def test_load_demo_generated_residents_have_fictitious_valid_phones():
    run_load_demo("--force")

    phones = [p for p in Resident.objects.values_list("phone", flat=True) if p]
    assert len(phones) > 100
    assert all(len(p) == 11 and p.startswith("1390000") for p in phones)
    for resident in Resident.objects.all()[:50]:
        resident.full_clean()


@pytest.mark.django_db
def test_load_demo_tags_residents_by_community():
    run_load_demo("--force")

    huayuan = Resident.objects.filter(household__unit__building__community__code="huayuan")
    jianfu = Resident.objects.filter(household__unit__building__community__code="jianfu")
    assert huayuan.filter(tags__code="retired-cadre").exists()
    assert not huayuan.filter(tags__code="laid-off").exists()
    assert jianfu.filter(tags__code="laid-off").exists()
    assert not jianfu.filter(tags__code="retired-cadre").exists()


@pytest.mark.django_db
def test_load_demo_logins_have_their_roles_and_the_password_works():
    output = run_load_demo("--force")

    for username, role, community, section in EXPECTED_LOGINS:
        membership = Membership.objects.select_related("community", "section").get(
            user__username=username
        )
        assert membership.role == role, username
        assert membership.district.code == "dongan"
        assert (membership.community.code if membership.community else None) == community
        assert (membership.section.name if membership.section else None) == section
        assert authenticate(username=username, password="corridor-demo") is not None, username
        assert username in output
    staff = authenticate(username="staff", password="corridor-demo")
    assert staff is not None
    assert staff.is_staff and staff.is_superuser
    assert "staff" in output
    assert "corridor-demo" in output
    assert Membership.objects.get(user__username="official").title == "区委常委、组织部长"


@pytest.mark.django_db
def test_load_demo_head_qingfu_15_heads_building_15():
    run_load_demo("--force")

    building = Building.objects.get(community__code="qingfu", compound="清福二区", number="15")
    assert building.head.username == "head-qingfu-15"
    assert building.units.count() == 6
    assert building.units.get(number=6).households.count() == 12


@pytest.mark.django_db
def test_load_demo_twice_keeps_every_count(settings):
    settings.DEBUG = True
    run_load_demo()
    first = model_counts()
    first_residents = list(Resident.objects.order_by("pk").values_list("name", "phone"))

    run_load_demo()

    assert model_counts() == first
    assert list(Resident.objects.order_by("pk").values_list("name", "phone")) == first_residents
    assert first["buildings.Household"] > 100


@pytest.mark.django_db
def test_load_demo_without_debug_or_force_raises_and_creates_nothing(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        run_load_demo()

    assert not District.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_load_demo_password_option_sets_and_resets_the_password():
    run_load_demo("--force")

    output = run_load_demo("--force", "--password", "another-secret-42")

    assert "another-secret-42" in output
    assert authenticate(username="secretary-qingfu", password="another-secret-42") is not None
    assert authenticate(username="secretary-qingfu", password="corridor-demo") is None


@pytest.mark.django_db
def test_load_demo_password_from_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "from-the-env-7")

    run_load_demo("--force")

    assert authenticate(username="official", password="from-the-env-7") is not None


@pytest.mark.django_db
def test_load_demo_failure_midway_rolls_everything_back(monkeypatch):
    def broken(ctx, *, password):
        raise RuntimeError("boom")

    monkeypatch.setattr(demo, "load_people", broken)

    with pytest.raises(RuntimeError):
        run_load_demo("--force")

    assert not Community.objects.exists()
    assert not Resident.objects.exists()
