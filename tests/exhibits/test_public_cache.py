"""The public corridor page is cached under its community's data version: a second visit
costs one query, and every change to the corridor, its works or their photos shows at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exhibits import services
from exhibits.models import Corridor, Exhibit, ExhibitPhoto


def _approved(ew, title, photos=()):
    exhibit = services.exhibit_create(
        corridor=ew.ea.corridor,
        data={"kind": "painting", "title": title, "creator_name": "居民"},
        photos=list(photos),
        by=ew.a.secretary,
    )
    services.exhibit_submit(exhibit=exhibit, by=ew.a.secretary)
    services.exhibit_check(exhibit=exhibit, by=ew.a.secretary)
    services.exhibit_approve(exhibit=exhibit, by=ew.official)
    return exhibit


@pytest.mark.django_db
def test_public_page_is_served_from_the_cache_and_follows_every_change(client, exhibit_world):
    ew = exhibit_world
    corridor = ew.ea.corridor
    url = corridor.get_public_url()
    first = _approved(ew, "共绘美好生活")
    assert "共绘美好生活" in client.get(url).content.decode()

    with CaptureQueriesContext(connection) as captured:
        again = client.get(url).content.decode()
    assert len(captured) == 1  # the corridor with its community's data version
    assert "共绘美好生活" in again

    # A new approved work, a renamed theme, a retired work: each shows on the next visit.
    _approved(ew, "孝老爱亲")
    assert "孝老爱亲" in client.get(url).content.decode()
    Corridor.objects.filter(pk=corridor.pk).update(theme="书香楼道")
    assert "书香楼道" in client.get(url).content.decode()
    services.exhibit_retire(exhibit=first, by=ew.a.secretary)
    assert "共绘美好生活" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_photo_added_to_a_work_shows_on_the_public_page(client, exhibit_world):
    ew = exhibit_world
    exhibit = _approved(ew, "镜匾")
    url = ew.ea.corridor.get_public_url()
    assert "No photo" in client.get(url, headers={"accept-language": "en"}).content.decode()

    ExhibitPhoto.objects.create(
        exhibit=exhibit,
        image="photos/a.jpg",
        thumb_small="photos/a-400.jpg",
        thumb_large="photos/a-1600.jpg",
        content_type="image/jpeg",
        thumb_content_type="image/jpeg",
        width=800,
        height=600,
    )
    content = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert "No photo" not in content and "/exhibits/photos/" in content


@pytest.mark.django_db
def test_page_numbers_beyond_the_cached_ones_are_not_cached(client, exhibit_world):
    url = exhibit_world.ea.corridor.get_public_url()
    assert client.get(url + "?page=99999").status_code == 200
    assert client.get(url + "?page=abc").status_code == 200
    assert Exhibit.objects.filter(corridor=exhibit_world.ea.corridor).exists()
