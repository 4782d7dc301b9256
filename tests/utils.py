"""Test helpers."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), response


def assert_constant_queries(client, url, *, grow, budget, expect_text=None):
    """Request ``url``, let ``grow()`` add rows, request again: the counts must match.

    ``expect_text`` (a callable returning text) proves the second page shows the new rows.
    """
    small, _ = count_queries(client, url)
    grow()
    large, response = count_queries(client, url)
    if expect_text is not None:
        assert expect_text() in response.content.decode()
    assert small == large, f"{url}: {small} queries with few rows, {large} with many"
    assert large <= budget, f"{url}: {large} queries, budget {budget}"
