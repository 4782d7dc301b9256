"""bench/dashboard.py keeps working: its generator and its measurements on a tiny district."""

import pytest

from bench import dashboard as bench_dashboard

TINY = [
    *("--communities", "2", "--buildings", "2", "--units", "2", "--households", "3"),
    *("--requests", "2", "--explain"),
]
PAGES = (
    "District dashboard",
    "Community dashboard",
    "Building dashboard",
    "Report page",
    "Report .docx",
    "`compute()`",
    "`trends()`",
)


@pytest.mark.django_db
def test_bench_dashboard_measures_every_page_for_both_roles():
    args = bench_dashboard.parse_args(TINY)

    report = bench_dashboard.run(args, check_database=False, log=lambda *_args: None)

    measured = {(page, r.role) for r in report.results for page in PAGES if r.page.startswith(page)}
    assert measured == {(page, role) for page in PAGES for role in ("official", "secretary")}
    for result in report.results:
        assert result.queries > 0, result.page
        assert len(result.times) == 2, result.page
        assert 0 < result.median_ms <= result.p95_ms, result.page
        assert 0 < result.sql_ms < result.p95_ms, result.page
        assert f"| {result.page} | {result.role} | {result.queries} |" in report.markdown
    counts = dict(report.counts)
    assert counts["households"] == 2 * 2 * 2 * 3
    assert counts["exhibits"] == args.scale.exhibits
    assert counts["duty turns"] == 2 * 2 * 2 * 3 * bench_dashboard.SHIFTS_PER_HOUSEHOLD
    assert "Plan:" in report.plan


def test_bench_dashboard_scale_defaults_follow_the_households():
    args = bench_dashboard.parse_args(["--communities", "1", "--buildings", "10"])

    assert args.scale.total_households == 500
    assert (args.scale.exhibits, args.scale.donations, args.scale.shifts) == (250, 1000, 5000)


def test_bench_dashboard_writes_between_the_markers(tmp_path):
    doc = tmp_path / "dashboard.md"
    doc.write_text(
        f"# Dashboards\n\n{bench_dashboard.BEGIN}\nold\n{bench_dashboard.END}\n\nAfter.\n"
    )

    bench_dashboard.write_doc("| new |\n", doc)

    text = doc.read_text()
    assert f"{bench_dashboard.BEGIN}\n| new |\n{bench_dashboard.END}" in text
    assert "old" not in text
    assert text.endswith("\n\nAfter.\n")


def test_bench_dashboard_appends_a_section_without_markers(tmp_path):
    doc = tmp_path / "dashboard.md"
    doc.write_text("# Dashboards\n\nText.\n")

    bench_dashboard.write_doc("| new |\n", doc)

    assert doc.read_text() == (
        "# Dashboards\n\nText.\n\n## Benchmark\n\n"
        f"{bench_dashboard.BEGIN}\n| new |\n{bench_dashboard.END}\n"
    )
