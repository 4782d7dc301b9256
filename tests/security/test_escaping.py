"""Stored text is shown as text: markup, quotes and Chinese punctuation in every free-text
field that a page shows come back escaped on every page (lists, details, dashboards, the
public corridor page, the admin), as plain string cells in the .xlsx files (a text that
looks like a formula stays text), and as literal text in the .docx report.

Each field gets its own payload (``alert(<n>)``), so that the test can tell that every
field is really shown somewhere; no page may carry any payload's raw ``<script>``.
"""

import contextlib
import io
import zipfile

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

from tests import factories
from tests.dashboard.matrix_dashboard import fill_community
from tests.engagement.matrix_campaigns import matrix_campaigns
from tests.engagement.matrix_guidance import matrix_guidance
from tests.engagement.matrix_polls import matrix_poll
from tests.security.support import KWARGS, portal_routes, read
from tests.test_matrix import matrix_funds, matrix_rosters

RAW = "<script>alert("
FORMULA = "=cmd|' /C calc'!A0"


def payload(number: int, width: int) -> str:
    """``<script>alert(n)</script>"'“”，。《》``, cut to the column's width."""
    return f"<script>alert({number})</script>\"'“”，。《》"[:width]


def _stored(world) -> list[tuple[str, object, str, str]]:
    """(label, model, pk, field) of every free-text field given a payload."""
    funds = matrix_funds(world)
    campaigns = matrix_campaigns(world)
    poll = matrix_poll(world)
    guidance = matrix_guidance(world)
    matrix_rosters(world)
    ea = world.ea
    return [
        ("community name", world.a.community, "name"),
        ("community theme", world.a.community, "theme"),
        ("section name", world.a.section, "name"),
        ("building compound", world.a.building, "compound"),
        ("building name", world.a.building, "name"),
        ("resident name", world.a.resident, "name"),
        ("secretary's name", world.a.secretary, "full_name"),
        ("corridor name", ea.corridor, "theme"),
        ("corridor notes", ea.corridor, "style_notes"),
        ("exhibit title", ea.exhibit, "title"),
        ("exhibit description", ea.exhibit, "description"),
        ("exhibit creator", ea.exhibit, "creator_name"),
        ("pair caption", ea.pair, "caption"),
        ("fund purpose", funds.fund, "purpose"),
        ("fund description", funds.fund, "description"),
        ("campaign title", campaigns.campaign, "title"),
        ("campaign letter", campaigns.campaign, "description"),
        ("suggestion text", campaigns.suggestion, "content"),
        ("suggestion reply", campaigns.answered, "reply"),
        ("symposium title", campaigns.symposium, "title"),
        ("symposium notes", campaigns.symposium, "notes"),
        ("poll question", poll, "question"),
        ("poll option", poll.options.order_by("position").first(), "label"),
        ("visit purpose", guidance.visit, "purpose"),
        ("visit notes", guidance.visit, "notes"),
        ("visitor name", guidance.visit.visitors.first(), "name"),
        ("problem", guidance.problem, "description"),
    ]


def _ledger_entries(world):
    """Ledger rows cannot change once written: a donation from a donor named like a
    formula and an expense with a payload are recorded through the services."""
    import uuid
    from datetime import date
    from decimal import Decimal

    from buildings import services

    fund = matrix_funds(world).fund
    services.donation_record(
        fund=fund,
        data={"kind": "money", "amount": Decimal("5.00"), "date": date(2026, 5, 4)}
        | {"donor_name": FORMULA},
        token=uuid.uuid4(),
        by=world.a.secretary,
    )
    world.payloads["expense item"] = payload(90, 100)
    services.expense_record(
        fund=fund,
        data={"item": world.payloads["expense item"], "amount": Decimal("1.00")}
        | {"date": date(2026, 5, 5)},
        token=uuid.uuid4(),
        by=world.a.secretary,
    )


@pytest.fixture
def hostile_world(exhibit_world):
    """The exhibit world with its records, every free-text field holding a payload (and
    a donor's name, a second resident's name and side B's name holding a formula)."""
    world = exhibit_world
    fill_community(world.a.community, world.superuser, 98)  # records of every kind
    world.payloads = {}
    for number, (label, row, field) in enumerate(_stored(world)):
        width = row._meta.get_field(field).max_length or 2000
        text = payload(number, width)
        type(row)._base_manager.filter(pk=row.pk).update(**{field: text})
        world.payloads[label] = text
    _ledger_entries(world)

    factories.ResidentFactory(household=world.a.household, name=FORMULA)
    type(world.b.community)._base_manager.filter(pk=world.b.community.pk).update(name=FORMULA)
    return world


def _pages(world):
    """Every page of the portal a person reads, with side A's records in its URL."""
    names = sorted({route.name for route in portal_routes()} - {"logout", "set_language"})
    return [(name, reverse(name, kwargs=KWARGS[name](world))) for name in names]


def test_pages_show_stored_text_escaped(hostile_world):
    world = hostile_world
    seen = set()
    raw = []
    for user in (world.superuser, world.a.secretary, world.official, None):
        client = Client()
        if user is not None:
            client.force_login(user)
        for _name, url in _pages(world):
            response = client.get(url)
            body = read(response)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            if RAW in body:
                raw.append(f"{user} {url}")
            seen |= {label for label, text in world.payloads.items() if escape(text) in body}

    assert not raw, f"raw <script> on {raw}"
    assert set(world.payloads) - seen == set(), "fields never shown (escaped) on any page"


def _admin_urls(world):
    urls = []
    rows = {type(row): row for label, row, field in _stored(world)}
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model in rows:
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse("admin:{}_{}_change".format(*info), args=[rows[model].pk]))
    return urls


def test_admin_shows_stored_text_escaped(hostile_world, client):
    world = hostile_world
    client.force_login(world.superuser)
    raw = []
    seen = set()
    for url in _admin_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        body = read(response)
        if RAW in body:
            raw.append(url)
        seen |= {label for label, text in world.payloads.items() if escape(text) in body}

    assert not raw, f"raw <script> in the admin: {raw}"
    assert {"resident name", "exhibit title", "suggestion text", "fund purpose"} <= seen


# Files


def _workbook_cells(content: bytes) -> list:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def _download(client, name, world) -> bytes:
    response = client.get(reverse(name, kwargs=KWARGS[name](world)))
    assert response.status_code == 200, name
    return b"".join(response.streaming_content) if response.streaming else response.content


XLSX = {
    # file: (texts it must hold as string cells, formulas it must hold as text)
    "buildings:roster_export": (["resident name"], [FORMULA]),
    "buildings:fund_export": (["expense item"], [FORMULA]),
    "buildings:community_funds_export": (["fund purpose"], []),
    "dashboard:export": (["community name"], [FORMULA]),
}


@pytest.mark.parametrize("name", sorted(XLSX))
def test_spreadsheets_hold_text_as_text(hostile_world, client, name):
    world = hostile_world
    client.force_login(world.superuser)
    labels, formulas = XLSX[name]

    cells = _workbook_cells(_download(client, name, world))

    by_value = {cell.value: cell for cell in cells if isinstance(cell.value, str)}
    for label in labels:
        text = world.payloads[label]
        assert text in by_value, f"{name}: {label} not in the workbook"
        assert by_value[text].data_type == "s"
    for formula in formulas:
        assert formula in by_value, f"{name}: {formula!r} not in the workbook"
        cell = by_value[formula]
        assert cell.data_type == "s" and cell.quotePrefix, f"{name}: {formula!r} is a formula"
    assert not any(cell.data_type == "f" for cell in cells), f"{name} holds a formula"


def test_report_docx_holds_text_literally(hostile_world, client):
    import docx

    world = hostile_world
    client.force_login(world.superuser)
    content = _download(client, "dashboard:report_docx", world)

    document = docx.Document(io.BytesIO(content))
    texts = [paragraph.text for paragraph in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = "\n".join(texts)
    assert world.payloads["community name"] in text
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("word/document.xml").decode()
    assert RAW not in xml
