"""The admin is scoped by the one scoping rule; user accounts are for superusers only."""

from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from communities.admin import CappedCountPaginator, ScopedAdmin, ScopedAdminMixin, is_scoped
from communities.models import Community, District, Membership
from tests import factories
from tests.conftest import grant_admin_access


def _filter_labels(response) -> set[str]:
    return {
        str(label)
        for spec in response.context["cl"].filter_specs
        for _, label in getattr(spec, "lookup_choices", [])
    }


def _membership_post(world, **changes) -> dict:
    data = {
        "user": world.a.head.pk,
        "role": Membership.Role.CADRE,
        "district": world.district.pk,
        "community": world.a.community.pk,
        "section": world.a.section.pk,
        "group_position": "",
        "title": "",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_every_admin_of_a_community_owned_model_is_scoped():
    scoped_models = [model for model in admin.site._registry if is_scoped(model)]

    assert scoped_models, "expected community-owned models in the admin"
    for model in scoped_models:
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, ScopedAdmin), model
        assert model_admin.show_full_result_count is False, model
        for inline in model_admin.inlines:
            if is_scoped(inline.model):
                assert issubclass(inline, ScopedAdminMixin), (model, inline)


def test_every_autocomplete_target_admin_is_scoped():
    for model, model_admin in admin.site._registry.items():
        for name in model_admin.autocomplete_fields:
            target = model._meta.get_field(name).remote_field.model
            target_admin = admin.site._registry[target]

            assert target_admin.search_fields, (model, name)
            if is_scoped(target):
                assert isinstance(target_admin, ScopedAdmin), (model, name)


def test_admin_site_titles_name_the_portal():
    with translation.override("en"):
        titles = (admin.site.site_header, admin.site.site_title, admin.site.index_title)

        assert [str(title) for title in titles] == [
            "Corridor Portal administration",
            "Corridor Portal",
            "Records",
        ]


def test_admin_index_secretary_sees_records_but_not_users(client, staff_world):
    client.force_login(staff_world.a.secretary)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    models = {
        model["object_name"] for app in response.context["app_list"] for model in app["models"]
    }
    assert {"Community", "Section", "Membership", "Building", "Resident"} <= models
    assert "User" not in models


def test_admin_index_without_membership_shows_no_scoped_models(client, staff_world):
    grant_admin_access(staff_world.outsider)
    client.force_login(staff_world.outsider)

    response = client.get(reverse("admin:index"))

    models = {
        model["object_name"] for app in response.context["app_list"] for model in app["models"]
    }
    assert models <= {"ResidentTag"}


def test_user_admin_refused_to_staff_secretary(client, staff_world):
    client.force_login(staff_world.a.secretary)

    listing = client.get(reverse("admin:communities_user_changelist"))
    change = client.get(reverse("admin:communities_user_change", args=[staff_world.b.head.pk]))

    assert listing.status_code == 403
    assert change.status_code == 403


def test_user_admin_superuser_sees_full_names(client, staff_world):
    client.force_login(staff_world.superuser)

    response = client.get(reverse("admin:communities_user_changelist"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "清福书记" in content
    assert "花园书记" in content


def test_community_changelist_secretary_sees_only_own(client, staff_world):
    client.force_login(staff_world.a.secretary)

    response = client.get(reverse("admin:communities_community_changelist"))

    content = response.content.decode()
    assert "清福社区" in content
    assert "花园社区" not in content


def test_community_change_other_community_looks_missing(client, staff_world):
    client.force_login(staff_world.a.secretary)
    url = reverse("admin:communities_community_change", args=[staff_world.b.community.pk])

    response = client.get(url, follow=True)

    assert response.redirect_chain[0][0] == reverse("admin:index")
    assert "花园社区" not in response.content.decode()


def test_community_change_secretary_saves_own(client, staff_world):
    community = staff_world.a.community
    client.force_login(staff_world.a.secretary)
    url = reverse("admin:communities_community_change", args=[community.pk])

    response = client.post(
        url,
        {
            "district": community.district_id,
            "name": community.name,
            # The world's code "清福" is no valid slug, so the form would refuse it.
            "code": "qingfu",
            "org_kind": community.org_kind,
            "address": "",
            "theme": "书画展",
            "target_corridors": "12",
        },
    )

    assert response.status_code == 302
    community.refresh_from_db()
    assert (community.code, community.theme, community.target_corridors) == (
        "qingfu",
        "书画展",
        12,
    )


def test_community_add_refused_to_secretary(client, staff_world):
    client.force_login(staff_world.a.secretary)

    response = client.get(reverse("admin:communities_community_add"))

    assert response.status_code == 403


def test_section_changelist_cadre_reads_own_community(client, staff_world):
    client.force_login(staff_world.a.cadre)

    response = client.get(reverse("admin:communities_section_changelist"))
    adding = client.get(reverse("admin:communities_section_add"))

    content = response.content.decode()
    assert "清福一片" in content
    assert "花园一片" not in content
    assert adding.status_code == 403


def test_section_add_secretary_other_community_forged_saves_nothing(client, staff_world):
    client.force_login(staff_world.a.secretary)
    before = staff_world.b.community.sections.count()

    response = client.post(
        reverse("admin:communities_section_add"),
        {"community": staff_world.b.community.pk, "name": "花园三片"},
    )

    assert response.status_code == 200
    assert "community" in response.context["adminform"].form.errors
    assert staff_world.b.community.sections.count() == before


def test_district_admin_read_only_for_secretary(client, staff_world):
    district = staff_world.district
    client.force_login(staff_world.a.secretary)
    url = reverse("admin:communities_district_change", args=[district.pk])

    read = client.get(url)
    response = client.post(url, {"name": "改名区", "code": district.code})

    assert read.status_code == 200
    assert response.status_code == 403
    district.refresh_from_db()
    assert district.name == "东安区"


def test_district_admin_lists_district_once_for_secretary_of_two_communities(client, staff_world):
    secretary = staff_world.a.secretary
    factories.MembershipFactory(
        user=secretary, role=Membership.Role.SECRETARY, community=staff_world.b.community
    )
    client.force_login(secretary)

    listing = client.get(reverse("admin:communities_district_changelist"))
    change = client.get(
        reverse("admin:communities_district_change", args=[staff_world.district.pk])
    )

    assert list(listing.context["cl"].result_list) == [staff_world.district]
    assert change.status_code == 200


def test_district_admin_hides_other_district(client, staff_world):
    other = factories.DistrictFactory(name="西林区", code="xilin")
    client.force_login(staff_world.a.secretary)

    response = client.get(reverse("admin:communities_district_changelist"))

    content = response.content.decode()
    assert "东安区" in content
    assert other.name not in content


def test_membership_changelist_secretary_sees_only_own_community(client, staff_world):
    client.force_login(staff_world.a.secretary)

    response = client.get(reverse("admin:communities_membership_changelist"))

    content = response.content.decode()
    assert "清福委员" in content
    assert "花园委员" not in content
    assert "花园书记" not in content
    labels = _filter_labels(response)
    assert "清福社区 · 清福一片" in labels
    assert not any("花园" in label for label in labels)


def test_membership_changelist_superuser_filters_name_both(client, staff_world):
    client.force_login(staff_world.superuser)

    response = client.get(reverse("admin:communities_membership_changelist"))

    assert _filter_labels(response) >= {
        "清福社区",
        "花园社区",
        "清福社区 · 清福一片",
        "花园社区 · 花园一片",
    }


def test_membership_add_form_choices_stay_in_community(client, staff_world):
    a, b = staff_world.a, staff_world.b
    client.force_login(a.secretary)

    response = client.get(reverse("admin:communities_membership_add"))

    fields = response.context["adminform"].form.fields
    assert set(fields["community"].queryset) == {a.community}
    assert set(fields["section"].queryset) == {a.section, a.other_section}
    assert list(fields["district"].queryset) == [staff_world.district]
    assert set(fields["user"].queryset) == {a.secretary, a.cadre, a.head}
    assert Membership.Role.OFFICIAL not in {value for value, _ in fields["role"].choices}
    assert b.secretary.full_name not in response.content.decode()


def test_membership_add_secretary_creates_cadre(client, staff_world):
    client.force_login(staff_world.a.secretary)

    response = client.post(
        reverse("admin:communities_membership_add"), _membership_post(staff_world)
    )

    assert response.status_code == 302
    assert Membership.objects.filter(
        user=staff_world.a.head, role=Membership.Role.CADRE, section=staff_world.a.section
    ).exists()


def test_membership_add_forged_official_role_saves_nothing(client, staff_world):
    client.force_login(staff_world.a.secretary)
    before = Membership.objects.count()

    response = client.post(
        reverse("admin:communities_membership_add"),
        _membership_post(staff_world, role=Membership.Role.OFFICIAL, community="", section=""),
    )

    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert Membership.objects.count() == before


def test_membership_add_forged_other_community_saves_nothing(client, staff_world):
    b = staff_world.b
    client.force_login(staff_world.a.secretary)
    before = Membership.objects.count()

    response = client.post(
        reverse("admin:communities_membership_add"),
        _membership_post(
            staff_world, user=b.head.pk, community=b.community.pk, section=b.section.pk
        ),
    )

    assert response.status_code == 200
    assert {"user", "community", "section"} <= set(response.context["adminform"].form.errors)
    assert Membership.objects.count() == before


def test_membership_change_other_community_refused(client, staff_world):
    b = staff_world.b
    membership = Membership.objects.get(user=b.cadre)
    client.force_login(staff_world.a.secretary)
    url = reverse("admin:communities_membership_change", args=[membership.pk])

    response = client.post(url, _membership_post(staff_world, user=b.cadre.pk, is_active=""))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    membership.refresh_from_db()
    assert membership.is_active is True


def test_official_reads_all_communities_but_changes_none(client, staff_world):
    community = staff_world.b.community
    client.force_login(staff_world.official)

    listing = client.get(reverse("admin:communities_community_changelist"))
    change = client.post(
        reverse("admin:communities_community_change", args=[community.pk]),
        {"district": community.district_id, "name": "改名", "code": community.code},
    )

    content = listing.content.decode()
    assert "清福社区" in content
    assert "花园社区" in content
    assert change.status_code == 403
    assert Community.objects.get(pk=community.pk).name == "花园社区"
    assert District.objects.count() == 1


def test_capped_count_paginator_stops_counting_at_cap(world):
    paginator = CappedCountPaginator(Membership.objects.order_by("pk"), per_page=2)
    paginator.count_cap = 3

    count = paginator.count

    assert Membership.objects.count() > 3
    assert count == 3
    assert paginator.num_pages == 2
