"""Test helpers."""

import html
import zipfile
from io import BytesIO

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url) -> tuple[int, object]:
    """The queries of one GET of ``url`` (which must answer 200) and its response.

    A streamed response (a file download) is read to the end inside the count, so that
    its queries count too and the file is closed; its bytes are kept as ``response.body``
    (``response.content`` does not exist for a stream).
    """
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            response.body = b"".join(response.streaming_content)
        else:
            response.body = response.content
    assert response.status_code == 200, url
    return len(captured), response


def response_text(response) -> str:
    """The text a check can look for in a response read by ``count_queries``.

    Pages and JSON are decoded; an .xlsx or .docx file (a zip of XML parts) gives its XML
    parts with character references resolved (openpyxl writes ``&#26032;`` for 新); any
    other file (a photo) its bytes as Latin-1, so that a format
    marker such as ``WEBP`` or ``JFIF`` can be found.
    """
    body = response.body
    if body.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(BytesIO(body)) as archive:
            return "".join(
                html.unescape(archive.read(name).decode())
                for name in archive.namelist()
                if name.endswith((".xml", ".rels"))
            )
    content_type = response.get("Content-Type", "")
    if content_type.startswith(("text/", "application/json")):
        return body.decode()
    return body.decode("latin-1")


def assert_constant_queries(client, url, *, grow, budget, expect_text=None):
    """Request ``url``, let ``grow()`` add rows, request again: the counts must match.

    ``expect_text`` (a callable returning text) proves the second response shows the new
    rows (see ``response_text`` for files). The cache is emptied before each request,
    so that both counts are of the uncached path.
    """
    cache.clear()  # both counts from a cold cache (the dashboards cache their figures)
    small, _ = count_queries(client, url)
    grow()
    cache.clear()
    large, response = count_queries(client, url)
    if expect_text is not None:
        text = expect_text()
        assert text in response_text(response), f"{url}: {text!r} not shown after growing"
    assert small == large, f"{url}: {small} queries with few rows, {large} with many"
    assert large <= budget, f"{url}: {large} queries, budget {budget}"
