"""The security suite covers every named URL: a URL added without what these tests need
(a matrix row giving the id of a record of community A) fails here, not silently."""

from tests.security.support import KWARGS, named_urls, object_urls
from tests.security.test_cross_community import POST_DATA


def test_every_url_has_a_record_to_test_with():
    """The cross-community, hostile-input and escaping tests build their URLs from the
    role x URL matrix (tests/test_matrix.py): every named URL needs a row there."""
    missing = named_urls() - set(KWARGS)
    assert not missing, f"named URLs without a matrix row: {sorted(missing)}"


def test_post_only_urls_get_forged_data():
    """A POST-only URL has no page whose form could be read: it needs a row in
    ``POST_DATA`` (what the button on its record's page sends)."""
    from tests.budgets import EXEMPT

    post_only = {name for name, reason in EXEMPT.items() if "POST only" in reason}
    missing = (post_only & set(object_urls())) - set(POST_DATA)
    assert not missing, f"POST-only URLs without forged data: {sorted(missing)}"
