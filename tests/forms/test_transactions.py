"""Services that write several rows write all of them or none.

Each test makes a service fail after it has written some rows (the data, not a mock,
makes it fail) and checks that none of them is left.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from engagement import services
from engagement.models import GuidanceProblem, GuidanceVisit, GuidanceVisitor
from tests import factories
from tests.forms.conftest import form_data


def test_visit_record_failing_at_its_second_problem_leaves_nothing(world):
    """The visit, its visitors and its first problem are written before the second
    problem (empty) is refused."""
    with pytest.raises(ValidationError):
        services.visit_record(
            community=world.a.community,
            visited_on=timezone.localdate(),
            purpose="检查楼道文化阵地建设",
            visitors=[("王毅", "区委常委")],
            problems=["三号楼楼道杂物未清理", ""],
            by=world.official,
        )

    assert not GuidanceVisit.objects.exists()
    assert not GuidanceVisitor.objects.exists()
    assert not GuidanceProblem.objects.exists()


def test_visit_update_failing_at_a_visitor_keeps_the_visit_as_it_was(world):
    """The visit is saved and its visitors deleted before the too long name is refused."""
    visit = factories.GuidanceVisitFactory(
        community=world.a.community, created_by=world.official, purpose="原目的"
    )

    with pytest.raises(ValidationError):
        services.visit_update(
            visit=visit,
            visited_on=visit.visited_on,
            purpose="新目的",
            notes="",
            visitors=[("刘明", "区委副书记"), ("名" * 31, "")],
            by=world.official,
        )

    visit.refresh_from_db()
    assert visit.purpose == "原目的"
    assert list(visit.visitors.values_list("name", flat=True)) == ["王明"]


def test_refused_create_form_leaves_no_row_and_no_used_token(client, world):
    """A visit refused (no visitor named) leaves neither the visit nor the claim of the
    form's token, which the corrected form uses."""
    from corridor_portal.models import FormSubmission

    url = reverse("engagement:visit_create")
    client.force_login(world.official)
    form = client.get(url).context["form"]
    data = form_data(
        form,
        community=world.a.community.pk,
        visited_on=timezone.localdate().isoformat(),
        purpose="检查",
        visitors="",
        problems="三号楼楼道杂物未清理",
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert not GuidanceVisit.objects.exists()
    assert not GuidanceProblem.objects.exists()
    assert not FormSubmission.objects.exists()
