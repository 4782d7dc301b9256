"""pk_url gives what reverse() gives."""

import pytest
from django.urls import NoReverseMatch, reverse

from communities.links import pk_url


@pytest.mark.parametrize(
    "name", ["buildings:resident_detail", "buildings:household_detail", "exhibits:exhibit_detail"]
)
@pytest.mark.parametrize("pk", [1, 42, 2147480647, 10**12])
def test_pk_url_equals_reverse(name, pk):
    assert pk_url(name, pk) == reverse(name, args=[pk])


def test_a_url_name_with_other_arguments_is_refused():
    with pytest.raises(NoReverseMatch):
        pk_url("exhibits:photo", 1)
