"""Logging in and landing on the page made for each role."""

import pytest
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("secretary", lambda w: reverse("portal:community_detail", args=[w.a.community.pk])),
        ("cadre", lambda w: reverse("portal:community_detail", args=[w.a.community.pk])),
        ("head", lambda w: reverse("buildings:building_detail", args=[w.a.building.pk])),
        ("official", lambda w: reverse("portal:community_list")),
        ("superuser", lambda w: reverse("portal:community_list")),
    ],
)
def test_home_sends_each_role_to_its_page(client, world, role, target):
    user = {
        "secretary": world.a.secretary,
        "cadre": world.a.cadre,
        "head": world.a.head,
        "official": world.official,
        "superuser": world.superuser,
    }[role]
    client.force_login(user)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url == target(world)


def test_home_secretary_sees_own_community_not_other(client, world):
    client.force_login(world.a.secretary)

    content = client.get(reverse("home"), follow=True).content.decode()

    assert world.a.community.name in content
    assert world.b.community.name not in content


def test_home_head_of_two_buildings_gets_building_list(client, world):
    world.a.section_building.head = world.a.head
    world.a.section_building.save()
    client.force_login(world.a.head)

    response = client.get(reverse("home"))

    assert response.url == reverse("buildings:building_list")


def test_home_user_without_role_sees_explanation(client, world):
    client.force_login(world.outsider)

    content = client.get(reverse("home")).content.decode()

    assert "尚未在任何社区担任角色" in content


def test_login_unknown_user_gets_login_page_with_error(client, db):
    response = client.post(reverse("login"), {"username": "nobody", "password": "x"})

    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_login_secretary_lands_on_community(client, world):
    response = client.post(
        reverse("login"),
        {"username": world.a.secretary.username, "password": DEFAULT_PASSWORD},
        follow=True,
    )

    assert response.status_code == 200
    assert f'<h1 class="h3 mb-1">{world.a.community.name}' in response.content.decode()


def test_logout_ends_session(client, world):
    client.force_login(world.a.secretary)

    client.post(reverse("logout"))
    response = client.get(reverse("buildings:resident_list"))

    assert response.status_code == 302
    assert "/login/" in response.url
