"""The upward report: its content from a small report_data data set, the .docx, filters, access."""

import io
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn

from buildings import services as fund_services
from communities.models import Community, Membership
from corridor_portal.dashboard import Period
from engagement.models import PollTally, Suggestion
from exhibits import services as exhibit_services
from exhibits.models import Corridor
from tests import factories
from tests.budgets import BUDGETS
from tests.utils import assert_constant_queries

TODAY = timezone.localdate()
START = TODAY - timedelta(days=89)
REPORT = reverse("dashboard:report")
DOCX = reverse("dashboard:report_docx")
PERIOD_QUERY = f"?start={START:%Y-%m-%d}&end={TODAY:%Y-%m-%d}"


def _days_ago(n):
    return TODAY - timedelta(days=n)


def _donate(fund, by, **data):
    fields = {"kind": "money", "amount": Decimal("300.00"), "date": _days_ago(10)} | data
    donation, _ = fund_services.donation_record(fund=fund, data=fields, token=uuid.uuid4(), by=by)
    return donation


@dataclass
class Known:
    world: object
    leader: object  # side A's Party member who leads the fund
    raiser: object  # side A's Party member who brought in outside money


@pytest.fixture
def en_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def report_data(exhibit_world):
    """Side A with one of everything the report names; side B with a fund of its own."""
    w = exhibit_world
    a = w.a
    Community.objects.filter(pk=a.community.pk).update(
        target_corridors=2, is_pilot=True, theme="以书画展为主题创建楼道文化"
    )
    Membership.objects.filter(user=a.secretary).update(
        group_position=Membership.GroupPosition.LEADER
    )
    Corridor.objects.filter(pk=w.ea.corridor.pk).update(
        status=Corridor.Status.CERTIFIED, theme="楼馨园"
    )
    exhibit_services.exhibit_submit(exhibit=w.ea.exhibit, by=a.secretary)
    exhibit_services.exhibit_check(exhibit=w.ea.exhibit, by=a.secretary)
    exhibit_services.exhibit_approve(exhibit=w.ea.exhibit, by=w.official)

    # 刘铁华 leads a 300-yuan fund; two households pay; 李淑芹 brings in 500 from outside.
    leader = factories.ResidentFactory(household=a.household, name="刘铁华", is_party_member=True)
    raiser = factories.ResidentFactory(
        household__unit=a.unit, household__room="502", name="李淑芹", is_party_member=True
    )
    neighbour = factories.HouseholdFactory(unit=a.unit, room="401")
    fund = fund_services.fund_create(
        building=a.building,
        data={
            "unit": a.unit,
            "purpose": "修建楼馨园",
            "quota": Decimal("300.00"),
            "leader": leader,
            "opened_on": _days_ago(60),
        },
        by=a.secretary,
    )
    _donate(fund, a.secretary, donor_household=a.household)
    _donate(fund, a.secretary, donor_household=neighbour)
    _donate(
        fund,
        a.secretary,
        amount=Decimal("500.00"),
        donor_name="电业局技校",
        raised_by=raiser,
    )
    fund_services.expense_record(
        fund=fund,
        data={"item": "健身器材", "amount": Decimal("250.00"), "date": _days_ago(5)},
        token=uuid.uuid4(),
        by=a.secretary,
    )

    # Listening and guidance.
    campaign = factories.CampaignFactory(
        community=a.community,
        title="致辖区居民的一封信",
        letters_sent=1800,
        starts_on=_days_ago(50),
        created_by=a.secretary,
    )
    factories.SuggestionFactory(community=a.community, campaign=campaign, received_on=_days_ago(40))
    factories.SuggestionFactory(
        community=a.community,
        campaign=campaign,
        received_on=_days_ago(30),
        status=Suggestion.Status.ADOPTED,
        reply="已采纳",
        decided_at=timezone.now(),
    )
    poll = factories.PollFactory(
        community=a.community, opens_on=_days_ago(20), options=["书画展", "摄影展"]
    )
    for option, votes in zip(poll.options.order_by("position"), [120, 30], strict=True):
        PollTally.objects.create(option=option, votes=votes, counted_by=a.secretary)
    factories.GuidanceVisitFactory(
        community=a.community,
        visited_on=_days_ago(15),
        created_by=w.official,
        visitors=[("曹岩柏", "市精神文明办主任"), ("王毅", "区委常委、组织部长")],
    )

    # Side B: a fund led by its own Party member, which side A's secretary must not see.
    b_fund = fund_services.fund_create(
        building=w.b.building,
        data={"purpose": "花园书画廊", "leader": w.b.resident, "opened_on": _days_ago(30)},
        by=w.b.secretary,
    )
    _donate(b_fund, w.b.secretary, donor_household=w.b.household, amount=Decimal("80.00"))
    return Known(w, leader, raiser)


def _text(response) -> str:
    return response.content.decode()


def _row(content, name):
    return next(r for r in content.table.rows if r.cells[0].value == name)


def _values(row) -> list[str]:
    return [cell.value for cell in row.cells]


# The page


@pytest.mark.django_db
def test_report_official_shows_figures_and_named_examples(en_client, report_data):
    w = report_data.world
    en_client.force_login(w.official)

    response = en_client.get(REPORT + PERIOD_QUERY)

    assert response.status_code == 200
    html = _text(response)
    assert "Small corridors, new places for Party building" in html
    assert "刘铁华" in html and "修建楼馨园" in html and "300.00" in html
    assert "李淑芹" in html and "电业局技校" in html and "500.00" in html
    assert "曹岩柏" in html and "市精神文明办主任" in html
    assert "1800 letters" in html and "致辖区居民的一封信" in html
    assert "书画展" in html and "120 of 150 ballots" in html
    assert "以书画展为主题创建楼道文化" in html
    assert "楼馨园" in html and "civilized corridor" in html
    assert w.a.community.name in html and w.b.community.name in html
    assert 'href="/dashboard/report.docx?' in html


@pytest.mark.django_db
def test_report_table_row_matches_hand_counts(en_client, report_data):
    w = report_data.world
    en_client.force_login(w.official)

    content = en_client.get(REPORT + PERIOD_QUERY).context["content"]

    row = _values(_row(content, w.a.community.name))
    # corridors, certified / target, approved, participation (2 of 3 households), raised,
    # spent, duty, suggestions received / adopted, visits
    assert row[1:] == ["1", "1 / 2", "1", "67%", "1,100.00", "250.00", "—", "2 / 1", "1"]
    total = _row(content, "Total")
    assert total.is_total and total.cells[5].value == "1,180.00"


@pytest.mark.django_db
def test_report_secretary_sees_only_their_community(en_client, report_data):
    w = report_data.world
    en_client.force_login(w.a.secretary)

    response = en_client.get(REPORT + PERIOD_QUERY)

    html = _text(response)
    assert response.status_code == 200
    assert w.a.community.name in html and "刘铁华" in html
    assert w.b.community.name not in html
    assert "花园书画廊" not in html and w.b.resident.name not in html
    content = response.context["content"]
    assert [r.cells[0].value for r in content.table.rows] == [w.a.community.name]
    assert 'name="community"' not in html


@pytest.mark.django_db
def test_report_official_filters_one_community(en_client, report_data):
    w = report_data.world
    en_client.force_login(w.official)

    response = en_client.get(REPORT + PERIOD_QUERY + f"&community={w.b.community.pk}")

    html = _text(response)
    assert "花园书画廊" in html
    assert "刘铁华" not in html and "曹岩柏" not in html
    assert f"community={w.b.community.pk}" in html  # the .docx link keeps the filter


@pytest.mark.django_db
def test_report_without_data_says_so(en_client, report_data):
    w = report_data.world
    en_client.force_login(w.official)

    response = en_client.get(REPORT + "?start=2001-01-01&end=2001-12-31")

    html = _text(response)
    assert "No guidance visits were recorded in the period." in html
    assert "No fund led by a Party member raised money in the period." in html
    assert "No money was raised or spent in the period." in html
    assert "No corridor had been started by the end of the period." in html
    assert "刘铁华" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "?start=garbage&end=2026-01-01",
        "?start=2026-05-01&end=2026-01-01",
        "?start=1900-01-01&end=2026-01-01",
        "?community=abc",
        "?community=999999",
        "?start=" + "9" * 5000,
    ],
)
def test_report_bad_filter_shows_error_and_default_period(en_client, report_data, query):
    en_client.force_login(report_data.world.official)

    response = en_client.get(REPORT + query)

    assert response.status_code == 200
    assert "The filter could not be used" in _text(response)
    assert response.context["content"].period == Period.default()


@pytest.mark.django_db
def test_report_secretary_cannot_pick_another_community(en_client, report_data):
    w = report_data.world
    en_client.force_login(w.a.secretary)

    response = en_client.get(REPORT + f"?community={w.b.community.pk}")

    assert response.status_code == 200
    assert "The filter could not be used" in _text(response)
    assert "花园书画廊" not in _text(response)


# The .docx


@pytest.mark.django_db
def test_report_docx_has_title_period_names_and_table(client, report_data):
    w = report_data.world
    client.force_login(w.official)
    page = client.get(REPORT + PERIOD_QUERY).context["content"]

    response = client.get(DOCX + PERIOD_QUERY)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="upward-report_district_')
    assert f'{START:%Y-%m-%d}_{TODAY:%Y-%m-%d}.docx"' in disposition
    assert "filename*=UTF-8''" in disposition
    document = Document(io.BytesIO(response.content))
    titles = [p.text for p in document.paragraphs if p.style.name == "Title"]
    assert titles == [page.title]
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"{START.year}年{START.month}月{START.day}日" in text
    assert f"{TODAY.year}年{TODAY.month}月{TODAY.day}日" in text
    assert "刘铁华" in text and "曹岩柏" in text and "电业局技校" in text
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in document.tables[0].rows}
    assert rows[w.a.community.name][1:6] == ["1", "1 / 2", "1", "67%", "1,100.00"]
    assert w.b.community.name in rows


@pytest.mark.django_db
def test_report_docx_is_a4_with_east_asian_font(client, report_data):
    client.force_login(report_data.world.official)

    response = client.get(DOCX + PERIOD_QUERY)

    document = Document(io.BytesIO(response.content))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    run = next(p for p in document.paragraphs if "刘铁华" in p.text).runs[0]
    assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "宋体"


@pytest.mark.django_db
def test_report_docx_secretary_gets_their_community_file(client, report_data):
    w = report_data.world
    client.force_login(w.a.secretary)

    response = client.get(DOCX)

    assert response.status_code == 200
    assert f"upward-report_{w.a.community.code}_" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    names = [row.cells[0].text for row in document.tables[0].rows[1:]]
    assert names == [w.a.community.name]
    assert "花园书画廊" not in "\n".join(p.text for p in document.paragraphs)


@pytest.mark.django_db
def test_report_docx_bad_filter_falls_back_to_default_period(client, report_data):
    client.force_login(report_data.world.official)

    response = client.get(DOCX + "?start=2026-13-45&community=x")

    assert response.status_code == 200
    default = Period.default()
    assert f"{default.start:%Y-%m-%d}_{default.end:%Y-%m-%d}" in response["Content-Disposition"]


@pytest.mark.django_db
def test_report_docx_survives_control_characters_in_stored_text(client, report_data):
    w = report_data.world
    Community.objects.filter(pk=w.a.community.pk).update(
        name="清福\x01社区", theme="书画\x0b展\x1f"
    )
    client.force_login(w.official)

    response = client.get(DOCX + PERIOD_QUERY)

    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "书画" in text and "\x01" not in text


# Access


@pytest.mark.django_db
@pytest.mark.parametrize("url", [REPORT, DOCX])
@pytest.mark.parametrize("role", ["cadre", "head", "outsider"])
def test_report_refused_to_cadres_heads_and_outsiders(client, report_data, url, role):
    w = report_data.world
    user = {"cadre": w.a.cadre, "head": w.a.head, "outsider": w.outsider}[role]
    client.force_login(user)

    response = client.get(url)

    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("url", [REPORT, DOCX])
def test_report_anonymous_sent_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_report_docx_refuses_post(client, report_data):
    client.force_login(report_data.world.official)

    response = client.post(DOCX)

    assert response.status_code == 405


# Queries


def _grow_report(world):
    """Forty communities, each with a Party-led fund and its donation, a themed corridor
    and a guidance visit with two visitors."""

    def grow():
        by = world.official
        for i in range(40):
            community = factories.CommunityFactory(district=world.district, name=f"新社区{i}")
            secretary = factories.UserFactory(username=f"new-secretary-{i}")
            factories.MembershipFactory(
                user=secretary, role=Membership.Role.SECRETARY, community=community
            )
            member = factories.ResidentFactory(
                household__unit__building__community=community,
                name=f"新党员{i}",
                is_party_member=True,
            )
            unit = member.household.unit
            fund = fund_services.fund_create(
                building=unit.building,
                data={"purpose": f"新集资{i}", "leader": member, "opened_on": _days_ago(20)},
                by=secretary,
            )
            _donate(fund, secretary, donor_household=member.household)
            exhibit_services.corridor_create(unit=unit, theme=f"新楼道{i}", by=secretary)
            factories.GuidanceVisitFactory(
                community=community,
                visited_on=_days_ago(3),
                created_by=by,
                visitors=[(f"新领导{i}", "区领导"), (f"新干部{i}", "科长")],
            )

    return grow


@pytest.mark.django_db
def test_report_filtered_queries_constant(client, report_data):
    w = report_data.world
    client.force_login(w.official)
    url = REPORT + PERIOD_QUERY + f"&community={w.a.community.pk}"

    assert_constant_queries(
        client,
        url,
        grow=_grow_report(w),
        budget=BUDGETS["dashboard:report"],
        expect_text=lambda: "刘铁华",
    )


@pytest.mark.django_db
def test_report_docx_queries_constant(client, report_data):
    w = report_data.world
    client.force_login(w.official)
    url = DOCX + PERIOD_QUERY

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _grow_report(w)()
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert response.status_code == 200
    assert len(few) == len(many) <= BUDGETS["dashboard:report"]
