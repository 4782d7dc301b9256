"""The fund's spreadsheets through the pages: export, upload, preview, confirm."""

import uuid
from datetime import date
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from buildings import services
from buildings.models import Donation

HEADER = ["日期", "捐款人", "类别", "说明", "金额（元）", "争取人", "收据号"]


@pytest.fixture
def fund(world):
    return services.fund_create(
        building=world.a.building,
        data={"unit": world.a.unit, "purpose": "楼馨园", "opened_on": date(2026, 5, 1)},
        by=world.a.secretary,
    )


def _xlsx(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "捐款"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("donations.xlsx", buffer.getvalue())


def _upload(client, fund, rows):
    return client.post(reverse("buildings:donation_import", args=[fund.pk]), {"file": _xlsx(rows)})


GOOD = [
    ["2026-05-02", "301", "现金", "", 300, "", "R-1"],
    ["2026-05-03", "电业局技校", "现金", "", 500, "", "R-2"],
]


def test_import_preview_then_confirm_records_all(client, world, fund):
    client.force_login(world.a.secretary)

    preview = _upload(client, fund, GOOD)
    assert preview.status_code == 200 and Donation.objects.count() == 0
    token = preview.context["token"]
    client.post(reverse("buildings:donation_import_confirm", args=[fund.pk]), {"token": token})

    assert Donation.objects.filter(fund=fund).count() == 2
    assert services.fund_totals(fund)["raised"] == Decimal("800.00")


def test_import_bad_row_in_middle_saves_nothing(client, world, fund):
    client.force_login(world.a.secretary)
    rows = [GOOD[0], ["2026-05-03", "甲", "现金", "", "1.234", "", "R-3"], GOOD[1]]

    response = _upload(client, fund, rows)

    assert any("3" in message for message in response.context["row_errors"])
    assert Donation.objects.count() == 0


def test_import_confirm_forged_token_refused(client, world, fund):
    client.force_login(world.a.secretary)

    response = client.post(
        reverse("buildings:donation_import_confirm", args=[fund.pk]),
        {"token": uuid.uuid4().hex},
        follow=True,
    )

    assert response.status_code == 200
    assert Donation.objects.count() == 0


def test_import_by_official_forbidden(client, world, fund):
    client.force_login(world.official)

    response = _upload(client, fund, GOOD)

    assert response.status_code == 403
    assert Donation.objects.count() == 0


def test_fund_export_opens_again(client, world, fund):
    services.donation_record(
        fund=fund,
        data={
            "kind": "money",
            "amount": Decimal("300.00"),
            "date": date(2026, 5, 2),
            "donor_name": "=HYPERLINK(1)",
        },
        token=uuid.uuid4(),
        by=world.a.secretary,
    )
    client.force_login(world.official)

    response = client.get(reverse("buildings:fund_export", args=[fund.pk]))
    workbook = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content)))

    cells = [c for row in workbook["捐款"].iter_rows() for c in row if c.value == "=HYPERLINK(1)"]
    assert len(cells) == 1 and cells[0].data_type == "s"


def test_community_funds_export_other_community_404(client, world, fund):
    client.force_login(world.b.secretary)

    response = client.get(reverse("buildings:community_funds_export", args=[world.a.community.pk]))

    assert response.status_code == 404
