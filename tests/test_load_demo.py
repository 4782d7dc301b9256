"""``manage.py load_demo``: the report's communities, residents, one login per role, and the
corridors with their exhibits and generated photos, the report's funds and duty rosters."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
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
