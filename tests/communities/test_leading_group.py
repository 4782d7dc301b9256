"""The leading-group page: the secretary sets positions and job titles of the members."""

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from communities.models import Membership
from tests import factories

LEADER = Membership.GroupPosition.LEADER
DEPUTY = Membership.GroupPosition.DEPUTY
MEMBER = Membership.GroupPosition.MEMBER


@pytest.fixture
def en_client(client):
    """The pages in English, so that assertions do not depend on the translations."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _url(community):
    return reverse("communities:leading_group", args=[community.pk])


def _membership(user):
    return Membership.objects.get(user=user)


def _post(rows):
    """The formset as the page sends it: ``rows`` is ``[(membership id, position, title)]``."""
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, (pk, position, title) in enumerate(rows):
        data |= {
            f"form-{i}-membership": str(pk),
            f"form-{i}-group_position": position,
            f"form-{i}-title": title,
        }
    return data


def _side_rows(side, **changes):
    """Every active membership of the side, unchanged unless given in ``changes``
    (keyed by role: secretary, cadre, head)."""
    rows = []
    for role in ("secretary", "cadre", "head"):
        membership = _membership(getattr(side, role))
        position, title = changes.get(role, (membership.group_position, membership.title))
        rows.append((membership.pk, position, title))
    return rows


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_leading_group_page_lists_the_active_members(en_client, world):
    gone = factories.UserFactory(username="former", full_name="离任委员")
    factories.MembershipFactory(
        user=gone,
        role=Membership.Role.CADRE,
        community=world.a.community,
        section=world.a.section,
        is_active=False,
    )
    en_client.force_login(world.a.secretary)

    response = en_client.get(_url(world.a.community))

    members = {form.member.user for form in response.context["formset"].forms}
    assert members == {world.a.secretary, world.a.cadre, world.a.head}
    content = response.content.decode()
    assert world.a.cadre.full_name in content
    assert "离任委员" not in content
    assert world.b.secretary.full_name not in content


def test_leading_group_save_sets_positions_and_titles(en_client, world):
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        _url(world.a.community),
        _post(
            _side_rows(
                world.a,
                secretary=(LEADER, "党委书记"),
                cadre=(DEPUTY, "居委会副主任"),
                head=(MEMBER, "楼院长"),
            )
        ),
    )

    assert response.status_code == 302
    assert response.url == world.a.community.get_absolute_url()
    assert (
        _membership(world.a.secretary).group_position,
        _membership(world.a.secretary).title,
    ) == (
        LEADER,
        "党委书记",
    )
    assert _membership(world.a.cadre).group_position == DEPUTY
    assert _membership(world.a.head).title == "楼院长"
    assert "Leading group of 清福社区 saved." in _messages(response)


def test_leading_group_save_clears_a_position(en_client, world):
    cadre = _membership(world.a.cadre)
    cadre.group_position, cadre.title = MEMBER, "委员"
    cadre.save()
    en_client.force_login(world.a.secretary)

    en_client.post(_url(world.a.community), _post(_side_rows(world.a, cadre=("", ""))))

    cadre.refresh_from_db()
    assert (cadre.group_position, cadre.title) == ("", "")


def test_leading_group_two_leaders_refused(en_client, world):
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        _url(world.a.community),
        _post(_side_rows(world.a, secretary=(LEADER, "书记"), cadre=(LEADER, "主任"))),
    )

    assert response.status_code == 200
    assert "The leading group has one leader." in response.content.decode()
    assert not Membership.objects.exclude(group_position="").exists()


def test_leading_group_second_leader_beside_a_saved_one_refused(en_client, world):
    secretary = _membership(world.a.secretary)
    secretary.group_position = LEADER
    secretary.save()
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        _url(world.a.community),
        _post([(_membership(world.a.cadre).pk, LEADER, "主任")]),
    )

    assert response.status_code == 200
    assert "The leading group has one leader." in response.content.decode()
    assert _membership(world.a.cadre).group_position == ""


def test_leading_group_forged_membership_of_another_community_refused(en_client, world):
    other = _membership(world.b.cadre)
    en_client.force_login(world.a.secretary)
    rows = _side_rows(world.a, secretary=(LEADER, "书记"))

    response = en_client.post(_url(world.a.community), _post([*rows, (other.pk, MEMBER, "伪造")]))

    other.refresh_from_db()
    assert response.status_code == 200
    assert "Only this community&#x27;s members can join its leading group." in (
        response.content.decode()
    )
    assert (other.group_position, other.title) == ("", "")
    assert _membership(world.a.secretary).group_position == ""


@pytest.mark.parametrize(
    ("position", "title"),
    [("chairman", "主任"), (LEADER, "长" * 51)],
)
def test_leading_group_bad_input_saves_nothing(en_client, world, position, title):
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        _url(world.a.community), _post(_side_rows(world.a, cadre=(position, title)))
    )

    assert response.status_code == 200
    assert not response.context["formset"].is_valid()
    assert not Membership.objects.exclude(group_position="").exists()


def test_leading_group_duplicate_rows_refused(en_client, world):
    cadre = _membership(world.a.cadre)
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        _url(world.a.community), _post([(cadre.pk, MEMBER, "甲"), (cadre.pk, DEPUTY, "乙")])
    )

    cadre.refresh_from_db()
    assert response.status_code == 200
    assert cadre.group_position == ""


def test_leading_group_garbage_management_form_is_not_a_server_error(en_client, world):
    en_client.force_login(world.a.secretary)

    response = en_client.post(_url(world.a.community), {"form-TOTAL_FORMS": "x"})

    assert response.status_code == 200
    assert not Membership.objects.exclude(group_position="").exists()


@pytest.mark.parametrize(("role", "status"), [("cadre", 403), ("head", 403)])
def test_leading_group_refused_to_other_roles_of_the_community(en_client, world, role, status):
    en_client.force_login(getattr(world.a, role))

    response = en_client.post(
        _url(world.a.community), _post(_side_rows(world.a, cadre=(LEADER, "主任")))
    )

    assert response.status_code == status
    assert _membership(world.a.cadre).group_position == ""


def test_leading_group_official_reads_but_cannot_edit(en_client, world):
    en_client.force_login(world.official)

    response = en_client.get(_url(world.a.community))

    assert response.status_code == 403


def test_leading_group_of_another_community_is_404(en_client, world):
    en_client.force_login(world.b.secretary)

    response = en_client.post(
        _url(world.a.community), _post(_side_rows(world.a, cadre=(LEADER, "主任")))
    )

    assert response.status_code == 404
    assert _membership(world.a.cadre).group_position == ""
