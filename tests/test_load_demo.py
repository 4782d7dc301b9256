"""``manage.py load_demo``: the report's communities, residents, one login per role, and the
corridors with their exhibits and generated photos, the report's funds and duty rosters."""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from PIL import Image, ImageStat

from buildings import roster_services
from buildings import services as fund_services
from buildings.models import (
    Building,
    Donation,
    DutyRoster,
    DutyShift,
    Expense,
    Fund,
    Household,
    Resident,
    RosterExemption,
)
from communities.models import Community, District, Membership, User
from corridor_portal import demo
from engagement import advice
from engagement import services as engagement_services
from engagement.models import (
    Campaign,
    Channel,
    GuidanceProblem,
    GuidanceVisit,
    GuidanceVisitor,
    Poll,
    PollOption,
    PollTally,
    Suggestion,
    Symposium,
    ThemeRule,
)
from exhibits.models import (
    BeforeAfterPair,
    Corridor,
    Exhibit,
    ExhibitPhoto,
    ExhibitPlacement,
    ExhibitTransition,
)

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


# --- Corridors and exhibits -------------------------------------------------------------------


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def exhibit_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in (
            Corridor,
            Exhibit,
            ExhibitPhoto,
            ExhibitTransition,
            ExhibitPlacement,
            BeforeAfterPair,
        )
    }


@pytest.mark.django_db
def test_load_demo_corridors_have_the_report_themes_and_every_status():
    output = run_load_demo("--force")

    corridors = {
        c.theme: c
        for c in Corridor.objects.select_related("unit__building__community", "certified_by")
    }
    assert set(corridors) == {"楼馨园", "绿色楼道", "老年之友", "书画天地", "学习园地", "自立自强"}
    assert str(corridors["楼馨园"].unit) == "清福二区15号楼6单元"
    assert str(corridors["绿色楼道"].unit) == "清福一区4号楼9单元"
    assert corridors["自立自强"].unit.building.community.code == "jianfu"
    for theme in ("老年之友", "书画天地", "学习园地"):
        assert corridors[theme].unit.building.compound == "农行小区", theme
    assert "300" in corridors["楼馨园"].style_notes
    assert "570" in corridors["绿色楼道"].style_notes
    assert all(c.style_notes for c in corridors.values())
    assert {c.status for c in corridors.values()} == set(Corridor.Status.values)
    certified = corridors["楼馨园"]
    assert certified.status == Corridor.Status.CERTIFIED
    assert certified.certified_by.username == "official"
    assert certified.certified_at is not None
    assert certified.created_by.username == "secretary-qingfu"
    for corridor in corridors.values():
        assert 3 <= corridor.exhibits.count() <= 8, corridor.theme
    assert "Corridors: 6 (planning 1, building 1, complete 2, certified 2)" in output
    assert "approved" in output and "retired 1" in output


@pytest.mark.django_db
def test_load_demo_exhibits_walk_the_workflow_through_every_status():
    run_load_demo("--force")

    assert set(Exhibit.objects.values_list("status", flat=True)) == set(Exhibit.Status.values)
    assert set(Exhibit.objects.values_list("kind", flat=True)) >= {
        "calligraphy",
        "painting",
        "plaque",
        "mirror_plaque",
        "photo",
        "poster",
        "literary",
        "plants",
    }
    for exhibit in Exhibit.objects.all():
        exhibit.full_clean()
        statuses = list(exhibit.transitions.values_list("to_status", flat=True))
        assert statuses[0] == Exhibit.Status.DRAFT, exhibit.title
        assert statuses[-1] == exhibit.status, exhibit.title

    returned = Exhibit.objects.filter(status=Exhibit.Status.RETURNED)
    assert returned.exists()
    for exhibit in returned:
        last = exhibit.transitions.last()
        assert "请补充作者姓名和创作时间" in last.note
        assert last.by.username.startswith(("secretary-", "official"))
    # Returned by the district at "checked", fixed, and then approved.
    plaque = Exhibit.objects.get(title="清风正气")
    assert plaque.status == Exhibit.Status.APPROVED
    back = plaque.transitions.get(to_status=Exhibit.Status.RETURNED)
    assert back.from_status == Exhibit.Status.CHECKED
    assert back.by.username == "official"

    approved = Exhibit.objects.filter(status=Exhibit.Status.APPROVED).first()
    by = dict(approved.transitions.values_list("to_status", "by__username"))
    assert by[Exhibit.Status.APPROVED] == "official"
    assert by[Exhibit.Status.CHECKED].startswith("secretary-")

    retired = Exhibit.objects.get(status=Exhibit.Status.RETIRED)
    assert not retired.placements.filter(until__isnull=True).exists()

    li = Exhibit.objects.filter(creator_resident__name="李淑芹")
    assert li.exists()
    assert Exhibit.objects.filter(creator_resident__name="米丽芳").exists()
    assert Exhibit.objects.filter(creator_name="老年大学学员").exists()
    assert Exhibit.objects.filter(title="厚德载物", kind="calligraphy").exists()
    assert Exhibit.objects.filter(on_landing=True).exists()
    dated = Exhibit.objects.exclude(installed_on=None).values_list("installed_on", flat=True)
    assert dated and all(day.year == 2026 for day in dated)


@pytest.mark.django_db
def test_load_demo_moved_exhibit_keeps_both_placements():
    run_load_demo("--force")

    moved = Exhibit.objects.get(title="松鹤延年")
    placements = list(moved.placements.select_related("corridor"))
    assert [p.corridor.theme for p in placements] == ["书画天地", "老年之友"]
    assert placements[0].until is not None
    assert placements[1].until is None
    assert moved.corridor.theme == "老年之友"
    assert placements[1].by.username == "secretary-huayuan"


@pytest.mark.django_db
def test_load_demo_photos_and_thumbnails_are_stored_files(settings):
    run_load_demo("--force")

    for exhibit in Exhibit.objects.prefetch_related("photos"):
        assert 1 <= len(exhibit.photos.all()) <= 2, exhibit.title
    photos = list(ExhibitPhoto.objects.all())
    assert photos
    for photo in photos:
        for name in (photo.image, photo.thumb_small, photo.thumb_large):
            assert default_storage.exists(name), name
        assert photo.content_type == "image/jpeg"
        assert (photo.width, photo.height) == (800, 1000)
        assert str(settings.MEDIA_ROOT) in default_storage.path(photo.image)
    pair = BeforeAfterPair.objects.get()
    assert str(pair.corridor.unit) == "清福二区15号楼6单元"
    for name in (pair.before_image, pair.before_thumb, pair.after_image, pair.after_thumb):
        assert default_storage.exists(name), name
    with (
        default_storage.open(pair.before_image) as before,
        default_storage.open(pair.after_image) as after,
    ):
        before_light = ImageStat.Stat(Image.open(before).convert("L")).mean[0]
        after_light = ImageStat.Stat(Image.open(after).convert("L")).mean[0]
    assert before_light + 40 < after_light


@pytest.mark.django_db
def test_load_demo_second_run_adds_no_exhibits_photos_or_files(settings):
    settings.DEBUG = True
    run_load_demo()
    first = exhibit_counts()
    first_files = stored_files(settings)
    Corridor.objects.filter(theme="绿色楼道").update(theme="改名了")

    output = run_load_demo()

    assert exhibit_counts() == first
    assert stored_files(settings) == first_files
    assert first["exhibits.Exhibit"] >= 20
    assert len(first_files) > first["exhibits.ExhibitPhoto"] * 3 - 1
    assert Corridor.objects.filter(theme="绿色楼道").exists()
    assert "0 exhibits created this run" in output


@pytest.mark.django_db
def test_load_demo_draws_pictures_without_cjk_fonts(monkeypatch):
    monkeypatch.setattr(demo, "CJK_FONT_CANDIDATES", ("/nonexistent/NotoSerifCJK-Regular.ttc",))
    assert demo.DemoPictures().font_file is None

    run_load_demo("--force")

    assert ExhibitPhoto.objects.count() >= Exhibit.objects.count()
    photo = ExhibitPhoto.objects.first()
    assert default_storage.exists(photo.thumb_small)


def test_demo_pictures_are_valid_photos_for_the_pipeline():
    pictures = demo.DemoPictures()
    for kind in Exhibit.Kind.values:
        processed = pictures.work_photo(kind, "厚德载物", "老年大学学员", date(2026, 4, 12))
        assert (processed.width, processed.height) == (800, 1000)
        assert processed.format == "JPEG"
    # The same picture is drawn and processed once.
    again = pictures.work_photo("calligraphy", "厚德载物", "老年大学学员", date(2026, 4, 12))
    assert again is pictures.work_photo(
        "calligraphy", "厚德载物", "老年大学学员", date(2026, 4, 12)
    )
    work = pictures.work("calligraphy", "厚德载物", "老年大学学员", date(2026, 4, 12))
    assert work.getpixel((400, 60)) == (0xF3, 0xE9, 0xD2)  # rice paper
    assert pictures.before_photo() is pictures.before_photo()


@pytest.mark.django_db
def test_load_demo_failure_after_photos_deletes_their_files(settings, monkeypatch):
    def broken(ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(demo, "_exhibit_summary", broken)

    with pytest.raises(RuntimeError):
        run_load_demo("--force")

    assert not Corridor.objects.exists()
    assert not ExhibitPhoto.objects.exists()
    assert stored_files(settings) == []


# --- Funds ------------------------------------------------------------------------------------


def ledger_counts():
    return {
        model._meta.label: model._default_manager.count() for model in (Fund, Donation, Expense)
    }


def report_funds():
    funds = Fund.objects.select_related("building__community", "unit", "leader", "created_by")
    return {fund.purpose: fund for fund in funds}


@pytest.mark.django_db
def test_load_demo_creates_the_report_funds_with_their_quotas_and_leaders():
    output = run_load_demo("--force")

    funds = report_funds()
    assert set(funds) == {"修建楼馨园健身场所及护栏", "粉刷楼道", "绿色楼道", "文明楼道建设"}
    fitness = funds["修建楼馨园健身场所及护栏"]
    assert str(fitness.unit) == "清福二区15号楼6单元"
    assert fitness.quota == Decimal("300.00")
    households = Household.objects.filter(unit=fitness.unit).exclude(occupancy="vacant")
    assert fitness.target == Decimal("300.00") * households.count()
    assert fitness.leader.name == "刘铁华"
    assert fitness.created_by.username == "head-qingfu-15"
    green = funds["绿色楼道"]
    assert str(green.unit) == "清福一区4号楼9单元"
    assert green.quota == Decimal("570.00")
    assert green.leader.name == "王治普"
    painting = funds["粉刷楼道"]
    assert painting.unit == green.unit
    assert painting.quota is None
    assert painting.leader.name == "米丽芳"
    assert not painting.is_open
    huayuan = funds["文明楼道建设"]
    assert huayuan.building.community.code == "huayuan"
    assert huayuan.building.compound == "农行小区"
    assert huayuan.unit is None
    assert huayuan.leader.name == "李淑芹"
    for fund in funds.values():
        fund.full_clean()
    assert "Funds: 4," in output
    assert "4 funds created this run" in output


@pytest.mark.django_db
def test_load_demo_credits_the_technical_school_money_to_li_shuqin():
    run_load_demo("--force")

    fund = report_funds()["文明楼道建设"]
    school = Donation.objects.get(fund=fund, donor_name="电业局技校")
    assert school.amount == Decimal("500.00")
    assert school.kind == Donation.Kind.MONEY
    assert school.raised_by.name == "李淑芹"
    assert school.donor_household is None and school.donor_resident is None
    own = Donation.objects.get(fund=fund, donor_resident__name="李淑芹")
    assert own.amount == Decimal("200.00")
    assert own.raised_by is None
    assert Donation.objects.filter(fund=fund, kind=Donation.Kind.GOODS).exists()
    assert fund_services.fund_totals(fund)["raised"] == Decimal("700.00")


@pytest.mark.django_db
def test_load_demo_quota_funds_have_full_partial_and_unpaid_households():
    run_load_demo("--force")

    funds = report_funds()
    fitness = fund_services.quota_status(funds["修建楼馨园健身场所及护栏"])
    statuses = [row["status"] for row in fitness]
    assert statuses.count("full") >= 5
    assert statuses.count("partial") == 2
    assert 1 <= statuses.count("none") <= 3
    assert {row["paid"] for row in fitness if row["status"] == "partial"} == {Decimal("150.00")}
    assert all(row["household"].occupancy != "vacant" for row in fitness)
    green = [row["status"] for row in fund_services.quota_status(funds["绿色楼道"])]
    assert green.count("full") > green.count("none") > 0

    labour = Donation.objects.filter(
        fund=funds["修建楼馨园健身场所及护栏"], kind=Donation.Kind.LABOUR
    )
    assert labour.filter(description__contains="安装护栏", amount=Decimal("200.00")).exists()
    painting = Donation.objects.filter(fund=funds["粉刷楼道"])
    money = painting.filter(kind=Donation.Kind.MONEY)
    # Every household of 4号楼9单元 gave money and labour for the painting.
    assert money.count() == painting.filter(kind=Donation.Kind.LABOUR).count() > 0
    assert set(money.values_list("amount", flat=True)) == {Decimal("50.00")}
    receipts = Donation.objects.exclude(receipt_no="").values_list("receipt_no", flat=True)
    assert "QF15-6-001" in receipts


@pytest.mark.django_db
def test_load_demo_fund_balances_are_raised_minus_spent_and_never_negative():
    run_load_demo("--force")

    funds = report_funds()
    for fund in funds.values():
        totals = fund_services.fund_totals(fund)
        assert totals["spent"] > 0, fund.purpose
        assert totals["balance"] == totals["raised"] - totals["spent"], fund.purpose
        assert totals["balance"] >= 0, fund.purpose
    fitness = fund_services.fund_totals(funds["修建楼馨园健身场所及护栏"])
    assert fitness["in_kind"] == Decimal("300.00")  # the labour's estimated value
    items = set(Expense.objects.values_list("item", flat=True))
    assert {"绿竹", "装饰花", "彩灯", "窗户护栏"} <= items
    assert any(item.startswith("装裱书画作品") for item in items)


@pytest.mark.django_db
def test_load_demo_corrects_a_mistaken_donation_with_a_reversal():
    run_load_demo("--force")

    reversal = Donation.objects.select_related("reverses", "recorded_by").get(
        reverses__isnull=False
    )
    original = reversal.reverses
    assert reversal.amount == -original.amount
    assert "收据号录入错误" in reversal.reason
    assert reversal.donor_household == original.donor_household
    assert reversal.recorded_by.username == "head-qingfu-15"
    # The household paid again under the right receipt number, so it has paid in full.
    corrected = Donation.objects.filter(
        fund=original.fund, donor_household=original.donor_household, reverses__isnull=True
    ).exclude(pk=original.pk)
    assert corrected.get().receipt_no in reversal.reason
    row = next(
        row
        for row in fund_services.quota_status(original.fund)
        if row["household"] == original.donor_household
    )
    assert (row["paid"], row["status"]) == (Decimal("300.00"), "full")


@pytest.mark.django_db
def test_load_demo_expense_receipt_photos_are_stored(settings):
    run_load_demo("--force")

    with_photo = Expense.objects.exclude(receipt_image="")
    assert with_photo.filter(item__startswith="健身器材").exists()
    for expense in with_photo:
        assert default_storage.exists(expense.receipt_image), expense.item
        assert default_storage.exists(expense.receipt_thumb), expense.item
        assert expense.receipt_image.startswith("photos/receipts/")
        with default_storage.open(expense.receipt_image) as file:
            assert Image.open(file).size == demo.RECEIPT_SIZE


@pytest.mark.django_db
def test_load_demo_second_run_records_no_ledger_entries(settings):
    settings.DEBUG = True
    run_load_demo()
    first = ledger_counts()
    first_files = stored_files(settings)

    output = run_load_demo()

    assert ledger_counts() == first
    assert stored_files(settings) == first_files
    assert first["buildings.Fund"] == 4
    assert first["buildings.Donation"] > 40
    assert "0 funds created this run" in output


@pytest.mark.django_db
def test_load_demo_entry_tokens_are_deterministic():
    run_load_demo("--force")

    spec = demo.FUNDS[0]
    token = demo.fund_token(spec, "household:101")
    assert token == demo.fund_token(spec, "household:101")
    assert Donation.objects.get(token=token).receipt_no == "QF15-6-001"
    assert demo.fund_token(demo.FUNDS[1], "household:101") != token
    # Recording the same entry again returns the recorded one.
    fund = report_funds()["修建楼馨园健身场所及护栏"]
    donation, created = fund_services.donation_record(
        fund=fund,
        data={
            "donor_name": "重复提交",
            "amount": Decimal("1.00"),
            "date": date(2026, 3, 2),
        },
        token=token,
        by=User.objects.get(username="head-qingfu-15"),
    )
    assert not created
    assert donation.receipt_no == "QF15-6-001"


@pytest.mark.django_db
def test_load_demo_failure_after_receipts_deletes_their_files(settings, monkeypatch):
    def broken(ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(demo, "_fund_summary", broken)

    with pytest.raises(RuntimeError):
        run_load_demo("--force")

    assert not Fund.objects.exists()
    assert stored_files(settings) == []


def test_capital_yuan_writes_receipt_amounts():
    assert demo.capital_yuan(Decimal("1260.00")) == "壹仟贰佰陆拾元整"
    assert demo.capital_yuan(Decimal("1005.00")) == "壹仟零伍元整"
    assert demo.capital_yuan(Decimal("10500.00")) == "壹万零伍佰元整"
    assert demo.capital_yuan(Decimal("570.50")) == "伍佰柒拾元伍角"
    assert demo.capital_yuan(Decimal("0.05")) == "伍分"


# --- Duty rosters -----------------------------------------------------------------------------

S = DutyShift.Status


def roster_of(unit_label: str) -> DutyRoster:
    rosters = DutyRoster.objects.select_related("unit__building", "created_by")
    return next(r for r in rosters if str(r.unit) == unit_label)


def by_state(roster: DutyRoster) -> dict[str, list[DutyShift]]:
    """The roster's turns: done, missed, overdue (ended, not marked), in progress, to come."""
    today = timezone.localdate()
    states = {"done": [], "missed": [], "overdue": [], "current": [], "to_come": []}
    for shift in roster.shifts.order_by("starts_on"):
        if shift.status != S.UPCOMING:
            states[shift.status].append(shift)
        elif shift.ends_on < today:
            states["overdue"].append(shift)
        elif shift.starts_on <= today:
            states["current"].append(shift)
        else:
            states["to_come"].append(shift)
    return states


@pytest.mark.django_db
def test_load_demo_gives_qingfu_15_6_a_weekly_roster_with_done_missed_overdue_and_upcoming():
    output = run_load_demo("--force")

    today = timezone.localdate()
    roster = roster_of("清福二区15号楼6单元")
    assert roster.rotation == DutyRoster.Rotation.WEEKLY
    assert roster.duties == ["清扫楼梯", "擦拭扶手", "检查楼道灯", "照看楼馨园绿植"]
    assert roster.created_by.username == "head-qingfu-15"
    assert roster.starts_on.weekday() == 0
    assert 70 <= (today - roster.starts_on).days < 77
    shifts = list(roster.shifts.order_by("starts_on"))
    assert shifts[0].starts_on == roster.starts_on
    for before, after in zip(shifts, shifts[1:], strict=False):  # no gap, no overlap
        assert before.ends_on + timedelta(days=1) == after.starts_on
    assert today + timedelta(weeks=7) < shifts[-1].starts_on <= today + timedelta(weeks=8)

    states = by_state(roster)
    assert len(states["done"]) >= 6
    assert len(states["missed"]) == 2
    assert {s.note for s in states["missed"]} == {"外出探亲，未清扫"}
    assert 1 <= len(states["overdue"]) <= 2
    assert len(states["current"]) == 1
    assert len(states["to_come"]) >= 7
    marked = states["done"] + states["missed"]
    assert {s.marked_by.username for s in marked} == {"head-qingfu-15"}
    assert all(s.marked_at is not None for s in marked)
    vacant = roster.unit.households.get(room="502")
    assert vacant.occupancy == Household.Occupancy.VACANT
    assert not roster.shifts.filter(household=vacant).exists()

    swapped = list(roster.shifts.filter(swapped_with__isnull=False).select_related("swapped_by"))
    assert len(swapped) == 2
    first, second = swapped
    assert (first.swapped_with_id, second.swapped_with_id) == (second.pk, first.pk)
    assert all(s.starts_on > today and s.status == S.UPCOMING for s in swapped)
    assert {s.swapped_by.username for s in swapped} == {"head-qingfu-15"}

    counts = roster_services.completion(roster.shifts.all())
    assert counts["missed"] == 2 and counts["overdue"] == len(states["overdue"])
    assert 50 < counts["rate"] < 100
    assert "Rosters: 3," in output
    assert "3 rosters created this run" in output


@pytest.mark.django_db
def test_load_demo_exempt_household_has_no_turn_after_its_exemption():
    run_load_demo("--force")

    roster = roster_of("清福二区15号楼6单元")
    exemption = RosterExemption.objects.select_related("household", "created_by").get(roster=roster)
    assert exemption.reason == "高龄独居老人"
    assert exemption.household.room == "101"
    assert exemption.household.residents.count() == 1
    assert exemption.created_by.username == "head-qingfu-15"
    assert roster.starts_on < exemption.since < timezone.localdate()
    turns = roster.shifts.filter(household=exemption.household)
    assert turns.filter(starts_on__lt=exemption.since).exists()
    assert not turns.filter(starts_on__gte=exemption.since).exists()
    # Every other non-vacant household keeps its turns after the exemption.
    others = roster.unit.households.exclude(occupancy=Household.Occupancy.VACANT).exclude(
        pk=exemption.household_id
    )
    later = set(
        roster.shifts.filter(starts_on__gte=exemption.since).values_list("household", flat=True)
    )
    assert later == set(others.values_list("pk", flat=True))


@pytest.mark.django_db
def test_load_demo_other_units_run_weekly_rosters_with_a_mix():
    run_load_demo("--force")

    rosters = {str(r.unit): r for r in DutyRoster.objects.select_related("unit__building")}
    assert set(rosters) == {"清福二区15号楼6单元", "清福一区4号楼9单元", "农行小区2号楼1单元"}
    green = by_state(rosters["清福一区4号楼9单元"])
    assert green["done"] and green["missed"] and green["overdue"] and green["to_come"]
    assert rosters["清福一区4号楼9单元"].created_by.username == "head-qingfu-4"
    bank = by_state(rosters["农行小区2号楼1单元"])
    assert bank["done"] and bank["overdue"] and bank["to_come"]
    for roster in rosters.values():
        assert roster.rotation == DutyRoster.Rotation.WEEKLY
        assert roster.is_active
        roster.full_clean()


@pytest.mark.django_db
def test_load_demo_second_run_adds_no_roster_or_shift(settings):
    settings.DEBUG = True
    run_load_demo()
    first = list(
        DutyShift.objects.order_by("pk").values_list("pk", "household", "status", "swapped_with")
    )
    rosters = DutyRoster.objects.count()

    output = run_load_demo()

    assert DutyRoster.objects.count() == rosters == 3
    assert (
        list(
            DutyShift.objects.order_by("pk").values_list(
                "pk", "household", "status", "swapped_with"
            )
        )
        == first
    )
    assert RosterExemption.objects.count() == 1
    assert "0 rosters created this run" in output


# --- Listening to residents and guiding the work ----------------------------------------------

REPORT_OFFICIALS = {
    "曹岩柏": "市精神文明办主任",
    "冯红": "市精神文明办主任",
    "王毅": "区委常委、组织部长",
    "关丽": "宣传部部长",
    "赵占鹏": "副区长",
    "赵军": "区民政局局长",
    "李刚": "区精神文明办主任",
    "卢晓萍": "区计生局局长",
    "孙晓梅": "区文体局副局长",
}


def engagement_rows():
    """Every engagement row as values, in a fixed order: what a rerun must leave alone."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in (
            Campaign,
            Symposium,
            Suggestion,
            Poll,
            PollOption,
            PollTally,
            GuidanceVisit,
            GuidanceVisitor,
            GuidanceProblem,
            ThemeRule,
        )
    }


def theme_advice(community_code: str) -> list[str]:
    """The themes the active rules suggest for the community, read as its page reads them."""
    community = Community.objects.get(code=community_code)
    reader = User.objects.get(username="staff")
    residents = Resident.objects.filter(household__unit__building__community=community)
    poll = advice.latest_poll(reader, community)
    winners = engagement_services.poll_results(poll)["winners"] if poll else []
    profile = advice.Profile(
        residents=residents.count(),
        tag_counts={t.pk: t.resident_count for t in advice.tag_profile(reader, community)},
        poll_winner=winners[0].label if winners else "",
    )
    return [item.rule.themes for item in advice.suggest_themes(profile, advice.active_rules())]


@pytest.mark.django_db
def test_load_demo_pilot_campaign_sent_1800_letters():
    output = run_load_demo("--force")

    campaign = Campaign.objects.select_related("community", "created_by").get()
    assert campaign.title == "致辖区居民的一封信"
    assert campaign.community.code == "qingfu"
    assert campaign.letters_sent == 1800
    assert campaign.channels == ["letter", "box", "phone", "symposium"]
    assert "1800" in campaign.description
    assert campaign.created_by.username == "secretary-qingfu"
    campaign.full_clean()
    assert "Engagement: campaigns 1, suggestions 21" in output


@pytest.mark.django_db
def test_load_demo_suggestions_come_from_every_channel_in_every_status():
    run_load_demo("--force")

    suggestions = Suggestion.objects.select_related("decided_by", "campaign")
    assert {s.channel for s in suggestions} == set(Channel.values)
    assert {s.status for s in suggestions} == set(Suggestion.Status.values)
    for suggestion in suggestions:
        suggestion.full_clean()
        assert suggestion.campaign.title == "致辖区居民的一封信"
        if suggestion.is_answered:
            assert suggestion.reply
            assert suggestion.decided_by.username == "secretary-qingfu"
            assert suggestion.decided_at is not None
        else:
            assert suggestion.decided_by is None
    statuses = Counter(s.status for s in suggestions)
    assert statuses["adopted"] > statuses["declined"] > 0
    assert statuses["considered"] > 0 and statuses["new"] > 0
    adopted = suggestions.get(content="建议在楼道里办书画展，让老年大学学员的书画作品上墙")
    assert adopted.status == Suggestion.Status.ADOPTED
    assert adopted.resident.name == "米丽芳"
    assert str(adopted.building) == "清福一区4号楼"


@pytest.mark.django_db
def test_load_demo_symposiums_have_attendees_and_their_suggestions():
    run_load_demo("--force")

    symposiums = list(Symposium.objects.select_related("campaign").order_by("held_on"))
    assert len(symposiums) == 2
    for symposium in symposiums:
        symposium.full_clean()
        assert symposium.attendees > 0
        assert symposium.campaign.title == "致辖区居民的一封信"
        produced = symposium.suggestions.all()
        assert produced.count() >= 3
        assert {s.channel for s in produced} == {"symposium"}
        assert produced.filter(status="adopted").exists()
    assert not Suggestion.objects.filter(channel="symposium", symposium__isnull=True).exists()


@pytest.mark.django_db
def test_load_demo_poll_was_won_by_calligraphy_and_painting_and_is_closed():
    run_load_demo("--force")

    poll = Poll.objects.select_related("community", "closed_by", "campaign").get()
    assert poll.question == "居民最喜欢哪种楼道文化活动？"
    assert poll.community.code == "qingfu"
    assert poll.campaign.title == "致辖区居民的一封信"
    assert poll.is_closed
    assert poll.closed_by.username == "secretary-qingfu"
    assert poll.closed_at is not None
    results = engagement_services.poll_results(poll)
    assert [o.label for o in results["winners"]] == ["书画展"]
    buildings = [row["building"] for row in results["by_building"]]
    assert {str(b) for b in buildings if b} == {
        "清福二区15号楼",
        "清福二区16号楼",
        "清福一区4号楼",
        "清福一区5号楼",
    }
    for row in results["by_building"]:  # the favourite in every building
        assert row["cells"][0] == max(row["cells"])
    assert results["ballots"] == sum(row["total"] for row in results["by_building"])
    with pytest.raises(ValidationError):  # closed: its tallies no longer change
        engagement_services.poll_count_in(
            poll=poll,
            building=None,
            votes={results["options"][1].pk: 999},
            by=User.objects.get(username="secretary-qingfu"),
        )


@pytest.mark.django_db
def test_load_demo_guidance_visits_name_the_report_officials_with_their_titles():
    run_load_demo("--force")

    visitors = list(GuidanceVisitor.objects.select_related("visit__community"))
    assert {(v.name, v.title) for v in visitors} == set(REPORT_OFFICIALS.items())
    visits = GuidanceVisit.objects.select_related("community", "created_by")
    assert {v.community.code for v in visits} == {"qingfu", "huayuan", "jianfu"}
    assert {v.created_by.username for v in visits} == {"official"}
    li_gang = GuidanceVisit.objects.get(visitors__name="李刚")
    assert li_gang.purpose == "深入基层出点子、想办法"
    assert li_gang.community.code == "huayuan"
    design = GuidanceVisit.objects.get(visitors__name="卢晓萍")
    assert set(design.visitors.values_list("name", flat=True)) == {"卢晓萍", "孙晓梅"}
    assert "亲自装钉" in design.purpose
    for visit in visits:
        visit.full_clean()
        assert visit.notes


@pytest.mark.django_db
def test_load_demo_problems_some_closed_out_some_open():
    run_load_demo("--force")

    problems = GuidanceProblem.objects.select_related("visit__community", "closed_by")
    closed = [p for p in problems if p.status == GuidanceProblem.Status.CLOSED]
    still_open = [p for p in problems if p.status == GuidanceProblem.Status.OPEN]
    assert closed and still_open
    for problem in closed:
        problem.full_clean()
        assert problem.fixed_by and problem.resolution
        assert problem.visit.visited_on <= problem.fixed_on <= timezone.localdate()
        assert problem.closed_by.username.startswith("secretary-")
        assert problem.closed_at is not None
    for problem in still_open:
        assert not (problem.fixed_by or problem.fixed_on or problem.resolution)
        assert problem.closed_by is None
    assert {p.visit.community.code for p in still_open} >= {"huayuan", "jianfu"}
    money = GuidanceProblem.objects.get(description="布展缺少资金")
    assert money.fixed_by == "老党员李淑芹"
    assert "500元" in money.resolution


@pytest.mark.django_db
def test_load_demo_theme_rules_are_the_reports_advice():
    run_load_demo("--force")

    rules = {rule.themes: rule for rule in ThemeRule.objects.select_related("tag")}
    assert rules["牌匾、书法、居民自养花卉"].tag.name == "离退休干部"
    assert rules["自强自立、市场信息"].tag.name == "下岗职工"
    assert rules["书画天地"].poll_keyword == "书画"
    assert rules["书画天地"].tag is None
    assert rules["学习园地、老年之友"].tag.name == "老年大学学员"
    for rule in rules.values():
        rule.full_clean()
        assert rule.is_active and rule.explanation


@pytest.mark.django_db
def test_load_demo_advice_fires_for_the_communities_as_the_report_did():
    run_load_demo("--force")

    huayuan, jianfu, qingfu = (theme_advice(code) for code in ("huayuan", "jianfu", "qingfu"))

    assert "牌匾、书法、居民自养花卉" in huayuan
    assert "自强自立、市场信息" not in huayuan
    assert "自强自立、市场信息" in jianfu
    assert "牌匾、书法、居民自养花卉" not in jianfu
    assert "书画天地" in qingfu  # the poll's winner, 书画展
    assert "牌匾、书法、居民自养花卉" not in qingfu


@pytest.mark.django_db
def test_load_demo_residents_have_birth_years_that_fit_their_tags():
    run_load_demo("--force")

    residents = Resident.objects.prefetch_related("tags")
    years = [r.birth_year for r in residents if r.birth_year is not None]
    unknown = residents.filter(birth_year__isnull=True).count()
    assert len(years) > 500
    assert 0 < unknown < residents.count() // 4
    assert all(1900 <= year <= timezone.localdate().year for year in years)
    for resident in residents.filter(tags__code="retired-cadre", birth_year__isnull=False):
        assert resident.birth_year <= 1962, resident.name
    laid_off = residents.filter(tags__code="laid-off", birth_year__isnull=False).exclude(
        tags__code__in=["party-veteran", "senior-university"]
    )
    assert laid_off.exists()
    for resident in laid_off:
        assert 1956 <= resident.birth_year <= 1976, resident.name


@pytest.mark.django_db
def test_load_demo_leading_groups_have_leader_deputy_and_members_and_every_section_a_cadre():
    run_load_demo("--force")

    for community in Community.objects.all():
        group = Membership.objects.filter(community=community, is_active=True).exclude(
            group_position=""
        )
        positions = Counter(group.values_list("group_position", flat=True))
        assert positions["leader"] == 1, community.name
        assert positions["deputy"] >= 1, community.name
        assert positions["member"] >= 2, community.name
        assert all(group.values_list("title", flat=True)), community.name
        leader = group.get(group_position="leader")
        assert leader.role == Membership.Role.SECRETARY
        for section in community.sections.all():
            assert Membership.objects.filter(
                role=Membership.Role.CADRE, section=section, is_active=True
            ).exists(), section.name


@pytest.mark.django_db
def test_load_demo_second_run_changes_no_engagement_row(settings):
    settings.DEBUG = True
    run_load_demo()
    first = engagement_rows()

    output = run_load_demo()

    assert engagement_rows() == first
    assert len(first["engagement.Suggestion"]) == 21
    assert len(first["engagement.GuidanceVisit"]) == 6
    assert "0 suggestions and 0 visits created this run" in output


@pytest.mark.django_db
def test_load_demo_brings_back_the_campaign_and_rules():
    run_load_demo("--force")
    Campaign.objects.update(letters_sent=5)
    ThemeRule.objects.filter(poll_keyword="书画").update(is_active=False, min_share=9)
    before = Suggestion.objects.count()

    run_load_demo("--force")

    assert Campaign.objects.get().letters_sent == 1800
    rule = ThemeRule.objects.get(poll_keyword="书画")
    assert rule.is_active
    assert Suggestion.objects.count() == before
