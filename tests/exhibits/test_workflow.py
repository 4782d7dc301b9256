"""The exhibit workflow: two named sign-offs, returns with notes, history, placements."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from exhibits import services
from exhibits.models import Corridor, Exhibit, ExhibitPlacement, ExhibitTransition
from tests import factories

S = Exhibit.Status


@pytest.fixture
def ew(exhibit_world):
    return exhibit_world


def _statuses(exhibit):
    return list(exhibit.transitions.order_by("at", "pk").values_list("to_status", flat=True))


def test_workflow_full_path_records_every_step(ew):
    exhibit = ew.ea.exhibit

    services.exhibit_submit(exhibit=exhibit, by=ew.a.head)
    services.exhibit_check(exhibit=exhibit, by=ew.a.secretary, note="内容健康")
    services.exhibit_approve(exhibit=exhibit, by=ew.official)

    exhibit.refresh_from_db()
    assert exhibit.status == S.APPROVED
    assert _statuses(exhibit) == [S.DRAFT, S.SUBMITTED, S.CHECKED, S.APPROVED]
    check = exhibit.transitions.get(to_status=S.CHECKED)
    assert (check.by, check.note) == (ew.a.secretary, "内容健康")


def test_workflow_secretary_cannot_approve(ew):
    exhibit = ew.ea.exhibit
    services.exhibit_submit(exhibit=exhibit, by=ew.a.secretary)
    services.exhibit_check(exhibit=exhibit, by=ew.a.secretary)

    with pytest.raises(PermissionDenied):
        services.exhibit_approve(exhibit=exhibit, by=ew.a.secretary)

    exhibit.refresh_from_db()
    assert exhibit.status == S.CHECKED


def test_workflow_official_cannot_check_for_the_community(ew):
    exhibit = ew.ea.exhibit
    services.exhibit_submit(exhibit=exhibit, by=ew.a.secretary)

    with pytest.raises(PermissionDenied):
        services.exhibit_check(exhibit=exhibit, by=ew.official)


def test_workflow_other_secretary_cannot_check(ew):
    exhibit = ew.ea.exhibit
    services.exhibit_submit(exhibit=exhibit, by=ew.a.secretary)

    with pytest.raises(PermissionDenied):
        services.exhibit_check(exhibit=exhibit, by=ew.b.secretary)
    assert Exhibit.objects.get(pk=exhibit.pk).status == S.SUBMITTED


def test_workflow_approve_skipping_check_refused(ew):
    exhibit = ew.ea.exhibit
    services.exhibit_submit(exhibit=exhibit, by=ew.a.secretary)

    with pytest.raises(PermissionDenied):
        services.exhibit_approve(exhibit=exhibit, by=ew.official)


def test_workflow_return_needs_a_note(ew):
    exhibit = ew.ea.exhibit
    services.exhibit_submit(exhibit=exhibit, by=ew.a.secretary)

    with pytest.raises(ValidationError):
        services.exhibit_return(exhibit=exhibit, by=ew.a.secretary, note="  ")
    assert Exhibit.objects.get(pk=exhibit.pk).status == S.SUBMITTED


def test_workflow_returned_by_district_then_resubmitted(ew):
    exhibit = ew.ea.exhibit
    services.exhibit_submit(exhibit=exhibit, by=ew.a.head)
    services.exhibit_check(exhibit=exhibit, by=ew.a.secretary)

    services.exhibit_return(exhibit=exhibit, by=ew.official, note="请补充作者姓名")
    services.exhibit_update(exhibit=exhibit, data={"creator_name": "米丽芳"}, by=ew.a.head)
    services.exhibit_submit(exhibit=exhibit, by=ew.a.head)

    exhibit.refresh_from_db()
    assert exhibit.status == S.SUBMITTED
    assert exhibit.creator_name == "米丽芳"
    returned = exhibit.transitions.get(to_status=S.RETURNED)
    assert (returned.by, returned.note) == (ew.official, "请补充作者姓名")


def test_workflow_approved_exhibit_cannot_be_edited(ew):
    exhibit = ew.ea.exhibit
    services.exhibit_submit(exhibit=exhibit, by=ew.a.secretary)
    services.exhibit_check(exhibit=exhibit, by=ew.a.secretary)
    services.exhibit_approve(exhibit=exhibit, by=ew.official)

    with pytest.raises(ValidationError):
        services.exhibit_update(exhibit=exhibit, data={"title": "改"}, by=ew.a.secretary)
    assert Exhibit.objects.get(pk=exhibit.pk).title != "改"


def test_workflow_official_cannot_edit_text(ew):
    with pytest.raises(PermissionDenied):
        services.exhibit_update(exhibit=ew.ea.exhibit, data={"title": "改"}, by=ew.official)


def test_workflow_cadre_outside_section_cannot_edit(ew):
    with pytest.raises(PermissionDenied):
        services.exhibit_update(exhibit=ew.ea.exhibit, data={"title": "改"}, by=ew.a.cadre)


def test_workflow_retire_closes_placement(ew):
    exhibit = ew.ea.exhibit
    services.exhibit_submit(exhibit=exhibit, by=ew.a.secretary)
    services.exhibit_check(exhibit=exhibit, by=ew.a.secretary)
    services.exhibit_approve(exhibit=exhibit, by=ew.official)

    services.exhibit_retire(exhibit=exhibit, by=ew.a.secretary, note="换展")

    assert Exhibit.objects.get(pk=exhibit.pk).status == S.RETIRED
    assert not ExhibitPlacement.objects.filter(exhibit=exhibit, until__isnull=True).exists()


def test_move_keeps_history_of_places(ew):
    exhibit = ew.ea.exhibit
    unit = factories.UnitFactory(building=ew.a.building, number=7)
    other = services.corridor_create(unit=unit, theme="书画天地", by=ew.a.secretary)

    services.exhibit_move(exhibit=exhibit, corridor=other, floor=3, by=ew.a.head, note="换位置")

    placements = list(exhibit.placements.order_by("since", "pk"))
    assert [p.corridor for p in placements] == [ew.ea.corridor, other]
    assert placements[0].until is not None and placements[1].until is None
    assert Exhibit.objects.get(pk=exhibit.pk).corridor == other


def test_move_to_other_community_corridor_refused(ew):
    with pytest.raises(PermissionDenied):
        services.exhibit_move(exhibit=ew.ea.exhibit, corridor=ew.eb.corridor, by=ew.a.secretary)
    assert Exhibit.objects.get(pk=ew.ea.exhibit.pk).corridor == ew.ea.corridor


def test_certify_complete_corridor_by_official(ew):
    corridor = ew.ea.corridor
    Corridor.objects.filter(pk=corridor.pk).update(status=Corridor.Status.COMPLETE)

    services.corridor_certify(corridor=corridor, by=ew.official)

    corridor.refresh_from_db()
    assert corridor.status == Corridor.Status.CERTIFIED
    assert corridor.certified_by == ew.official


def test_certify_by_secretary_refused(ew):
    corridor = ew.ea.corridor
    Corridor.objects.filter(pk=corridor.pk).update(status=Corridor.Status.COMPLETE)

    with pytest.raises(PermissionDenied):
        services.corridor_certify(corridor=corridor, by=ew.a.secretary)


def test_certify_unfinished_corridor_refused(ew):
    with pytest.raises(PermissionDenied):
        services.corridor_certify(corridor=ew.ea.corridor, by=ew.official)


def test_withdraw_certification(ew):
    corridor = ew.ea.corridor
    Corridor.objects.filter(pk=corridor.pk).update(status=Corridor.Status.COMPLETE)
    services.corridor_certify(corridor=corridor, by=ew.official)

    services.corridor_withdraw_certification(corridor=corridor, by=ew.official)

    corridor.refresh_from_db()
    assert (corridor.status, corridor.certified_by) == (Corridor.Status.COMPLETE, None)


def test_exhibit_create_creator_from_other_community_refused(ew):
    with pytest.raises(ValidationError):
        services.exhibit_create(
            corridor=ew.ea.corridor,
            data={"kind": "painting", "title": "越界", "creator_resident": ew.b.resident},
            by=ew.a.secretary,
        )
    assert not Exhibit.objects.filter(title="越界").exists()


def test_transition_rows_written_only_by_services(ew):
    before = ExhibitTransition.objects.count()

    services.exhibit_submit(exhibit=ew.ea.exhibit, by=ew.a.secretary)

    assert ExhibitTransition.objects.count() == before + 1
