"""The exhibits admin: scoped like the pages, history read-only, status only via services."""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from exhibits.models import (
    BeforeAfterPair,
    Corridor,
    Exhibit,
    ExhibitPhoto,
    ExhibitPlacement,
    ExhibitTransition,
)
from tests import factories
from tests.conftest import grant_admin_access
from tests.utils import assert_constant_queries

S = Exhibit.Status
ADMIN_LIST_BUDGET = 12


def _corridor(side, *, unit=None, theme="老年之友", **fields) -> Corridor:
    return Corridor.objects.create(
        unit=unit or side.unit, theme=theme, created_by=side.secretary, **fields
    )


def _exhibit(corridor, title, *, by, status=S.DRAFT, **fields) -> Exhibit:
    fields.setdefault("creator_name", "老年大学学员")
    return Exhibit.objects.create(
        corridor=corridor,
        kind=Exhibit.Kind.CALLIGRAPHY,
        title=title,
        status=status,
        status_changed_at=timezone.now(),
        created_by=by,
        **fields,
    )


def _photo(exhibit, caption="正面") -> ExhibitPhoto:
    return ExhibitPhoto.objects.create(
        exhibit=exhibit,
        image="photos/exhibits/x.jpg",
        thumb_small="photos/exhibits/x-400.jpg",
        thumb_large="photos/exhibits/x-1600.jpg",
        content_type="image/jpeg",
        thumb_content_type="image/jpeg",
        width=60,
        height=40,
        caption=caption,
    )


@dataclass
class AdminWorld:
    world: object
    corridor_a: Corridor
    corridor_b: Corridor
    exhibit_a: Exhibit
    exhibit_b: Exhibit


@pytest.fixture
def aw(world) -> AdminWorld:
    """Every role may enter the admin; each side has a corridor with a draft exhibit."""
    grant_admin_access(
        world.official,
        world.a.secretary,
        world.a.cadre,
        world.a.head,
        world.b.secretary,
        world.b.cadre,
        world.b.head,
    )
    corridor_a = _corridor(world.a, theme="书画天地")
    corridor_b = _corridor(world.b, theme="学习园地")
    exhibit_a = _exhibit(corridor_a, "清福书法", by=world.a.secretary)
    exhibit_b = _exhibit(corridor_b, "花园书法", by=world.b.secretary)
    return AdminWorld(world, corridor_a, corridor_b, exhibit_a, exhibit_b)


@pytest.fixture
def en_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _change_url(exhibit) -> str:
    return reverse("admin:exhibits_exhibit_change", args=[exhibit.pk])


def _form_data(response) -> dict:
    """What the browser would post back from a change page, inlines included."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def _run_action(client, url, action, *objects):
    return client.post(
        url,
        {"action": action, "index": "0", "_selected_action": [str(obj.pk) for obj in objects]},
        follow=True,
    )


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# Changelists and change pages


def test_exhibit_changelist_secretary_sees_only_own_community(client, aw):
    client.force_login(aw.world.a.secretary)

    response = client.get(reverse("admin:exhibits_exhibit_changelist"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "清福书法" in content
    assert "花园书法" not in content


def test_exhibit_change_other_community_looks_missing(client, aw):
    client.force_login(aw.world.a.secretary)

    response = client.get(_change_url(aw.exhibit_b), follow=True)

    assert response.redirect_chain[0][0] == reverse("admin:index")
    content = response.content.decode()
    assert "花园书法" not in content
    assert "学习园地" not in content


def test_corridor_changelist_secretary_sees_only_own_community(client, aw):
    client.force_login(aw.world.a.secretary)

    response = client.get(reverse("admin:exhibits_corridor_changelist"))

    content = response.content.decode()
    assert "书画天地" in content
    assert "学习园地" not in content
    assert "花园" not in content


def test_exhibit_change_page_shows_history_read_only_and_thumbnail(client, aw):
    photo = _photo(aw.exhibit_a)
    ExhibitTransition.objects.create(
        exhibit=aw.exhibit_a, from_status="", to_status=S.DRAFT, by=aw.world.a.secretary
    )
    client.force_login(aw.world.a.secretary)

    response = client.get(_change_url(aw.exhibit_a))

    content = response.content.decode()
    assert reverse("exhibits:photo", args=[photo.pk, "small"]) in content
    formsets = {type(i.opts).__name__: i for i in response.context["inline_admin_formsets"]}
    photos = formsets["ExhibitPhotoInline"].formset
    transitions = formsets["ExhibitTransitionInline"].formset
    assert set(photos.forms[0].fields) >= {"caption", "position"}
    assert not {"from_status", "to_status", "by", "note"} & set(transitions.forms[0].fields)
    assert not transitions.can_delete
    assert "status" not in response.context["adminform"].form.fields


def test_exhibit_change_post_leaves_status_unchanged(client, aw):
    exhibit = aw.exhibit_a
    _photo(exhibit)
    client.force_login(aw.world.a.secretary)
    data = _form_data(client.get(_change_url(exhibit)))
    data.update(title="厚德载物", status=S.APPROVED)

    response = client.post(_change_url(exhibit), data)

    assert response.status_code == 302
    exhibit.refresh_from_db()
    assert exhibit.title == "厚德载物"
    assert exhibit.status == S.DRAFT
    assert not ExhibitTransition.objects.filter(exhibit=exhibit).exists()


def test_exhibit_change_post_checked_exhibit_text_stays(client, aw):
    exhibit = aw.exhibit_a
    Exhibit.objects.filter(pk=exhibit.pk).update(status=S.CHECKED)
    client.force_login(aw.world.a.secretary)
    data = _form_data(client.get(_change_url(exhibit)))
    data.update(title="改过的标题", kind=Exhibit.Kind.POSTER)

    response = client.post(_change_url(exhibit), data)

    assert response.status_code == 302
    exhibit.refresh_from_db()
    assert (exhibit.title, exhibit.kind, exhibit.status) == (
        "清福书法",
        Exhibit.Kind.CALLIGRAPHY,
        S.CHECKED,
    )


def test_exhibit_change_post_new_corridor_records_a_move(client, aw):
    exhibit = aw.exhibit_a
    first = ExhibitPlacement.objects.create(
        exhibit=exhibit, corridor=aw.corridor_a, by=aw.world.a.secretary
    )
    other_unit = factories.UnitFactory(building=aw.world.a.section_building, number=9)
    target = _corridor(aw.world.a, unit=other_unit, theme="老年之友")
    client.force_login(aw.world.a.secretary)
    data = _form_data(client.get(_change_url(exhibit)))
    data["corridor"] = target.pk

    response = client.post(_change_url(exhibit), data)

    assert response.status_code == 302
    exhibit.refresh_from_db()
    first.refresh_from_db()
    assert exhibit.corridor == target
    assert first.until is not None
    assert ExhibitPlacement.objects.get(exhibit=exhibit, until__isnull=True).corridor == target


def test_exhibit_change_post_resident_of_other_community_refused(client, aw):
    exhibit = aw.exhibit_a
    client.force_login(aw.world.a.secretary)
    data = _form_data(client.get(_change_url(exhibit)))
    data["creator_resident"] = aw.world.b.resident.pk

    response = client.post(_change_url(exhibit), data)

    assert response.status_code == 200
    assert "creator_resident" in response.context["adminform"].form.errors
    exhibit.refresh_from_db()
    assert exhibit.creator_resident is None


def test_exhibit_add_view_refused(client, aw):
    client.force_login(aw.world.a.secretary)

    exhibit = client.get(reverse("admin:exhibits_exhibit_add"))
    pair = client.get(reverse("admin:exhibits_beforeafterpair_add"))

    assert exhibit.status_code == 403
    assert pair.status_code == 403


def test_exhibit_delete_refused_to_secretary(client, aw):
    client.force_login(aw.world.a.secretary)

    response = client.post(
        reverse("admin:exhibits_exhibit_delete", args=[aw.exhibit_a.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Exhibit.objects.filter(pk=aw.exhibit_a.pk).exists()


def test_exhibit_change_page_official_reads_other_communities(client, aw):
    client.force_login(aw.world.official)

    response = client.get(_change_url(aw.exhibit_b))

    assert response.status_code == 200
    assert "花园书法" in response.content.decode()
    assert not response.context["has_change_permission"]


def test_pair_change_page_shows_before_and_after(client, aw):
    pair = BeforeAfterPair.objects.create(
        corridor=aw.corridor_a,
        caption="粉刷前后",
        before_image="b.jpg",
        before_thumb="b-1600.jpg",
        before_content_type="image/jpeg",
        after_image="a.jpg",
        after_thumb="a-1600.jpg",
        after_content_type="image/jpeg",
        created_by=aw.world.a.secretary,
    )
    client.force_login(aw.world.a.secretary)

    response = client.get(reverse("admin:exhibits_beforeafterpair_change", args=[pair.pk]))

    content = response.content.decode()
    assert reverse("exhibits:pair_photo", args=[pair.pk, "before"]) in content
    assert reverse("exhibits:pair_photo", args=[pair.pk, "after"]) in content


def test_corridor_add_secretary_records_creator(client, aw):
    unit = factories.UnitFactory(building=aw.world.a.section_building, number=8)
    client.force_login(aw.world.a.secretary)

    response = client.post(
        reverse("admin:exhibits_corridor_add"),
        {"unit": unit.pk, "theme": "学习园地", "style_notes": "", "status": "planning"},
    )

    assert response.status_code == 302
    corridor = Corridor.objects.get(unit=unit)
    assert (corridor.theme, corridor.created_by) == ("学习园地", aw.world.a.secretary)


def test_corridor_add_other_community_unit_saves_nothing(client, aw):
    client.force_login(aw.world.a.secretary)
    unit = factories.UnitFactory(building=aw.world.b.building, number=8)

    response = client.post(
        reverse("admin:exhibits_corridor_add"),
        {"unit": unit.pk, "theme": "学习园地", "style_notes": "", "status": "planning"},
    )

    assert response.status_code == 200
    assert "unit" in response.context["adminform"].form.errors
    assert not Corridor.objects.filter(unit=unit).exists()


# Actions


def test_exhibit_approve_action_secretary_refused(en_client, aw):
    exhibit = aw.exhibit_a
    Exhibit.objects.filter(pk=exhibit.pk).update(status=S.CHECKED)
    en_client.force_login(aw.world.a.secretary)

    response = _run_action(
        en_client, reverse("admin:exhibits_exhibit_changelist"), "approve_selected", exhibit
    )

    exhibit.refresh_from_db()
    assert exhibit.status == S.CHECKED
    assert not ExhibitTransition.objects.filter(exhibit=exhibit).exists()
    assert _messages(response) == ["Exhibits approved: 0. Refused: 1."]


def test_exhibit_approve_action_official_approves_checked(en_client, aw):
    exhibit = aw.exhibit_a
    Exhibit.objects.filter(pk=exhibit.pk).update(status=S.CHECKED)
    en_client.force_login(aw.world.official)

    response = _run_action(
        en_client,
        reverse("admin:exhibits_exhibit_changelist"),
        "approve_selected",
        exhibit,
        aw.exhibit_b,  # a draft: refused, and it does not stop the other row
    )

    exhibit.refresh_from_db()
    assert exhibit.status == S.APPROVED
    transition = ExhibitTransition.objects.get(exhibit=exhibit)
    assert (transition.from_status, transition.to_status, transition.by) == (
        S.CHECKED,
        S.APPROVED,
        aw.world.official,
    )
    assert Exhibit.objects.get(pk=aw.exhibit_b.pk).status == S.DRAFT
    assert _messages(response) == ["Exhibits approved: 1. Refused: 1."]


def test_exhibit_check_action_secretary_checks_submitted(en_client, aw):
    exhibit = aw.exhibit_a
    Exhibit.objects.filter(pk=exhibit.pk).update(status=S.SUBMITTED)
    en_client.force_login(aw.world.a.secretary)

    response = _run_action(
        en_client, reverse("admin:exhibits_exhibit_changelist"), "check_selected", exhibit
    )

    exhibit.refresh_from_db()
    assert exhibit.status == S.CHECKED
    assert ExhibitTransition.objects.filter(exhibit=exhibit, to_status=S.CHECKED).count() == 1
    assert _messages(response) == ["Exhibits checked: 1. Refused: 0."]


def test_exhibit_action_other_community_row_untouched(en_client, aw):
    Exhibit.objects.filter(pk=aw.exhibit_b.pk).update(status=S.SUBMITTED)
    en_client.force_login(aw.world.a.secretary)

    _run_action(
        en_client, reverse("admin:exhibits_exhibit_changelist"), "check_selected", aw.exhibit_b
    )

    assert Exhibit.objects.get(pk=aw.exhibit_b.pk).status == S.SUBMITTED


def test_corridor_certify_action_official_certifies_complete(en_client, aw):
    corridor = aw.corridor_a
    Corridor.objects.filter(pk=corridor.pk).update(status=Corridor.Status.COMPLETE)
    url = reverse("admin:exhibits_corridor_changelist")
    en_client.force_login(aw.world.a.secretary)
    refused = _run_action(en_client, url, "certify_selected", corridor)
    en_client.force_login(aw.world.official)

    certified = _run_action(en_client, url, "certify_selected", corridor)

    corridor.refresh_from_db()
    assert _messages(refused) == ["Corridors certified: 0. Refused: 1."]
    assert _messages(certified) == ["Corridors certified: 1. Refused: 0."]
    assert corridor.status == Corridor.Status.CERTIFIED
    assert corridor.certified_by == aw.world.official
    assert corridor.certified_at is not None


def test_corridor_withdraw_action_official_withdraws(en_client, aw):
    corridor = aw.corridor_a
    Corridor.objects.filter(pk=corridor.pk).update(
        status=Corridor.Status.CERTIFIED,
        certified_by=aw.world.official,
        certified_at=timezone.now(),
    )
    en_client.force_login(aw.world.official)

    response = _run_action(
        en_client,
        reverse("admin:exhibits_corridor_changelist"),
        "withdraw_certification_selected",
        corridor,
    )

    corridor.refresh_from_db()
    assert _messages(response) == ["Certifications withdrawn: 1. Refused: 0."]
    assert (corridor.status, corridor.certified_by, corridor.certified_at) == (
        Corridor.Status.COMPLETE,
        None,
        None,
    )


def test_corridor_change_forged_certified_status_refused(client, aw):
    corridor = aw.corridor_a
    client.force_login(aw.world.a.secretary)
    url = reverse("admin:exhibits_corridor_change", args=[corridor.pk])

    response = client.post(
        url, {"theme": corridor.theme, "style_notes": "", "status": Corridor.Status.CERTIFIED}
    )

    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    corridor.refresh_from_db()
    assert corridor.status == Corridor.Status.PLANNING
    assert corridor.certified_by is None


# Autocomplete


def test_exhibit_corridor_autocomplete_lists_only_own(client, aw):
    client.force_login(aw.world.a.secretary)

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "exhibits", "model_name": "exhibit", "field_name": "corridor", "term": ""},
    )

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [str(aw.corridor_a.pk)]
    assert "书画天地" in results[0]["text"]
    assert not any("学习园地" in r["text"] for r in results)


# Query budgets


def test_exhibit_changelist_query_count_constant(client, aw):
    a = aw.world.a
    _exhibit(aw.corridor_a, "清福绘画", by=a.secretary)
    client.force_login(a.secretary)

    def grow():
        for n in range(28):
            resident = a.resident if n % 2 else None
            _exhibit(aw.corridor_a, f"作品{n}", by=a.secretary, creator_resident=resident)

    assert_constant_queries(
        client,
        reverse("admin:exhibits_exhibit_changelist"),
        grow=grow,
        budget=ADMIN_LIST_BUDGET,
        expect_text=lambda: "作品27",
    )


def test_corridor_changelist_query_count_constant(client, aw):
    a = aw.world.a
    _corridor(a, unit=factories.UnitFactory(building=a.building, number=7), theme="老年之友")
    client.force_login(a.secretary)

    def grow():
        for n in range(28):
            unit = factories.UnitFactory(building=a.section_building, number=n + 10)
            _corridor(a, unit=unit, theme=f"主题{n}")

    assert_constant_queries(
        client,
        reverse("admin:exhibits_corridor_changelist"),
        grow=grow,
        budget=ADMIN_LIST_BUDGET,
        expect_text=lambda: "主题27",
    )
