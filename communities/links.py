"""Detail-page URLs without a ``reverse()`` for each row of a long list.

``reverse()`` walks the URL resolver on every call: on a 50-row resident list, with a link
to the resident and one to the household on each row, that was a tenth of the page's time.
:func:`pk_url` reverses each URL name once (per script prefix) with a placeholder id and
then only puts the row's id in its place.
"""

from functools import lru_cache

from django.urls import get_script_prefix, reverse

_PLACEHOLDER = "2147480647"  # no URL of the portal holds this number by itself


@lru_cache(maxsize=256)
def _with_placeholder(name: str, script_prefix: str) -> str:
    url = reverse(name, args=[int(_PLACEHOLDER)])
    if url.count(_PLACEHOLDER) != 1:
        raise ValueError(f"{name}: {url} does not hold its id once")
    return url


def pk_url(name: str, pk) -> str:
    """``reverse(name, args=[pk])`` for a URL whose only argument is an integer id."""
    return _with_placeholder(name, get_script_prefix()).replace(_PLACEHOLDER, str(int(pk)))
