"""Writes on campaigns, suggestions, polls, symposiums, guidance visits and the leading group.

Every service is keyword-only and atomic, validates with ``full_clean()``, re-checks the
acting user's scope inside its transaction and returns the object. Views and admin
actions call these; single-row creates and edits go through ``communities.services.
scoped_save``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from buildings.models import Building
from communities import scoping
from communities.models import Community
from engagement.models import (
    GuidanceProblem,
    GuidanceVisit,
    GuidanceVisitor,
    Poll,
    PollOption,
    PollTally,
    Suggestion,
)

MAX_POLL_OPTIONS = 20
MAX_VISITORS = 30
MAX_PROBLEMS = 30

SS = Suggestion.Status

# Where a suggestion may go next. Adopted and declined are answers: they are final.
SUGGESTION_NEXT = {
    SS.NEW: (SS.CONSIDERED, SS.ADOPTED, SS.DECLINED),
    SS.CONSIDERED: (SS.ADOPTED, SS.DECLINED),
    SS.ADOPTED: (),
    SS.DECLINED: (),
}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# Suggestions


def can_answer(user, suggestion: Suggestion) -> bool:
    return bool(SUGGESTION_NEXT[suggestion.status]) and scoping.is_secretary_of(
        user, suggestion.community_id
    )


@transaction.atomic
def suggestion_answer(*, suggestion: Suggestion, status: str, reply: str, by) -> Suggestion:
    """Move ``suggestion`` to ``status`` with ``reply``: new → considered → adopted / declined.

    An answer (adopted or declined) needs a reply, which goes back to the resident.
    """
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    _require(scoping.is_secretary_of(by, suggestion.community_id))
    if status not in SUGGESTION_NEXT[suggestion.status]:
        raise ValidationError(
            {
                "status": _("This suggestion cannot move from “%(current)s” to that status.")
                % {"current": suggestion.get_status_display()}
            }
        )
    suggestion.status = status
    suggestion.reply = (reply or "").strip()
    if suggestion.is_answered:
        suggestion.decided_by = by
        suggestion.decided_at = timezone.now()
    suggestion.full_clean()
    suggestion.save()
    return suggestion


# Polls


def clean_option_labels(labels: Iterable[str]) -> list[str]:
    """Trimmed, non-empty, distinct labels; at least two and at most MAX_POLL_OPTIONS."""
    cleaned: list[str] = []
    for label in labels:
        label = (label or "").strip()
        if not label:
            continue
        if len(label) > PollOption._meta.get_field("label").max_length:
            raise ValidationError(
                _("An option may have at most %(n)d characters.")
                % {"n": PollOption._meta.get_field("label").max_length}
            )
        if label in cleaned:
            raise ValidationError(_("The option “%(label)s” is listed twice.") % {"label": label})
        cleaned.append(label)
    if len(cleaned) < 2:
        raise ValidationError(_("A poll needs at least two options."))
    if len(cleaned) > MAX_POLL_OPTIONS:
        raise ValidationError(_("A poll may have at most %(n)d options.") % {"n": MAX_POLL_OPTIONS})
    return cleaned


@transaction.atomic
def poll_create(
    *,
    community: Community,
    question: str,
    opens_on: date,
    options: Iterable[str],
    campaign=None,
    by,
) -> Poll:
    """A poll with its options, in the order given."""
    _require(scoping.is_secretary_of(by, community.pk))
    labels = clean_option_labels(options)
    poll = Poll(
        community=community,
        campaign=campaign,
        question=(question or "").strip(),
        opens_on=opens_on,
        created_by=by,
    )
    poll.full_clean()
    poll.save()
    PollOption.objects.bulk_create(
        PollOption(poll=poll, label=label, position=i) for i, label in enumerate(labels)
    )
    return poll


def _locked_open_poll(poll: Poll, by) -> Poll:
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    _require(scoping.is_secretary_of(by, poll.community_id))
    if poll.is_closed:
        raise ValidationError(_("This poll is closed: its tallies can no longer change."))
    return poll


@transaction.atomic
def poll_count_in(*, poll: Poll, building: Building | None, votes: Mapping[int, int], by) -> Poll:
    """Set the ballots counted for each option in ``building`` (``None``: ballots not
    attributed to a building). ``votes`` maps option ids to counts; options left out keep
    their count. The poll is locked, so two people counting at once cannot lose a count."""
    poll = _locked_open_poll(poll, by)
    if building is not None and building.community_id != poll.community_id:
        raise ValidationError({"building": _("The building must belong to this community.")})
    options = {o.pk: o for o in poll.options.all()}
    for option_id, count in votes.items():
        if option_id not in options:
            raise ValidationError(_("That option does not belong to this poll."))
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValidationError(_("Ballot counts must be whole numbers, zero or more."))
        if count > PollTally._meta.get_field("votes").validators[0].limit_value:
            raise ValidationError(_("That is more ballots than a poll can hold."))
    existing = {
        t.option_id: t for t in PollTally.objects.filter(option__poll=poll, building=building)
    }
    for option_id, count in votes.items():
        tally = existing.get(option_id)
        if tally is None:
            tally = PollTally(option=options[option_id], building=building, votes=count)
        elif tally.votes == count:
            continue
        tally.votes = count
        tally.counted_by = by
        tally.full_clean()
        tally.save()
    return poll


@transaction.atomic
def poll_close(*, poll: Poll, by) -> Poll:
    """Close ``poll``: from now on its tallies cannot change."""
    poll = _locked_open_poll(poll, by)
    poll.is_closed = True
    poll.closed_at = timezone.now()
    poll.closed_by = by
    poll.save(update_fields=["is_closed", "closed_at", "closed_by"])
    return poll


def poll_results(poll: Poll) -> dict:
    """Totals per option, the winners (several on a tie, none before any ballot), the share
    of each option and the counts per building -- two grouped queries."""
    options = list(
        PollOption.objects.filter(poll=poll)
        .annotate(total=Coalesce(Sum("tallies__votes"), 0))
        .order_by("position", "pk")
    )
    ballots = sum(o.total for o in options)
    top = max((o.total for o in options), default=0)
    for option in options:
        option.share = round(option.total * 100 / ballots) if ballots else 0
        option.is_winner = top > 0 and option.total == top
    cells = (
        PollTally.objects.filter(option__poll=poll)
        .values("building", "building__compound", "building__number", "option")
        .annotate(n=Sum("votes"))
        .order_by("building__compound", "building__number", "building")
    )
    rows: dict = {}
    for cell in cells:
        key = cell["building"]
        if key not in rows:
            label = (
                Building(
                    pk=key, compound=cell["building__compound"], number=cell["building__number"]
                )
                if key
                else None
            )
            rows[key] = {"building": label, "votes": {}, "total": 0}
        rows[key]["votes"][cell["option"]] = cell["n"]
        rows[key]["total"] += cell["n"]
    by_building = [
        row | {"cells": [row["votes"].get(o.pk, 0) for o in options]} for row in rows.values()
    ]
    return {
        "options": options,
        "ballots": ballots,
        "winners": [o for o in options if o.is_winner],
        "by_building": by_building,
    }


# Guidance visits


def parse_visitors(text: str) -> list[tuple[str, str]]:
    """One visitor a line, name then title, split at the first space, comma or 、:
    "刘明 区委副书记" → ("刘明", "区委副书记")."""
    visitors = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        for separator in (" ", "\u3000", ",", "，", "、", "\t"):
            if separator in line:
                name, title = line.split(separator, 1)
                break
        else:
            name, title = line, ""
        name, title = name.strip(), title.strip(" ,，、\t\u3000")
        if len(name) > GuidanceVisitor._meta.get_field("name").max_length:
            raise ValidationError(_("A visitor's name may have at most 30 characters."))
        if len(title) > GuidanceVisitor._meta.get_field("title").max_length:
            raise ValidationError(_("A visitor's title may have at most 60 characters."))
        visitors.append((name, title))
    if not visitors:
        raise ValidationError(_("Name at least one visitor."))
    if len(visitors) > MAX_VISITORS:
        raise ValidationError(_("A visit may list at most %(n)d visitors.") % {"n": MAX_VISITORS})
    return visitors


def parse_problems(text: str) -> list[str]:
    """One problem a line; blank lines are skipped."""
    problems = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(problems) > MAX_PROBLEMS:
        raise ValidationError(_("A visit may raise at most %(n)d problems.") % {"n": MAX_PROBLEMS})
    return problems


def can_record_visit(user, community: Community) -> bool:
    """District officials of the community's district (and superusers)."""
    return scoping.is_official_of(user, community.district_id)


@transaction.atomic
def visit_record(
    *,
    community: Community,
    visited_on: date,
    purpose: str,
    notes: str = "",
    visitors: Iterable[tuple[str, str]],
    problems: Iterable[str] = (),
    by,
) -> GuidanceVisit:
    """A guidance visit with its visitors and the problems it raised, all or nothing."""
    _require(can_record_visit(by, community))
    visitors = list(visitors)
    if not visitors:
        raise ValidationError(_("Name at least one visitor."))
    visit = GuidanceVisit(
        community=community,
        visited_on=visited_on,
        purpose=(purpose or "").strip(),
        notes=(notes or "").strip(),
        created_by=by,
    )
    visit.full_clean()
    visit.save()
    _replace_visitors(visit, visitors)
    for description in problems:
        problem = GuidanceProblem(visit=visit, description=description)
        problem.full_clean()
        problem.save()
    return visit


def _replace_visitors(visit: GuidanceVisit, visitors: list[tuple[str, str]]) -> None:
    visit.visitors.all().delete()
    rows = [
        GuidanceVisitor(visit=visit, name=name, title=title, position=i)
        for i, (name, title) in enumerate(visitors)
    ]
    for row in rows:
        row.full_clean(exclude=["visit"])
    GuidanceVisitor.objects.bulk_create(rows)


@transaction.atomic
def visit_update(
    *,
    visit: GuidanceVisit,
    visited_on: date,
    purpose: str,
    notes: str,
    visitors: Iterable[tuple[str, str]],
    by,
) -> GuidanceVisit:
    """Correct a visit's date, purpose, notes and visitors (its community stays)."""
    visit = GuidanceVisit.objects.select_for_update().select_related("community").get(pk=visit.pk)
    _require(can_record_visit(by, visit.community))
    visitors = list(visitors)
    if not visitors:
        raise ValidationError(_("Name at least one visitor."))
    visit.visited_on = visited_on
    visit.purpose = (purpose or "").strip()
    visit.notes = (notes or "").strip()
    visit.full_clean()
    visit.save()
    _replace_visitors(visit, visitors)
    return visit


@transaction.atomic
def problem_add(*, visit: GuidanceVisit, description: str, due_on=None, by) -> GuidanceProblem:
    _require(can_record_visit(by, visit.community))
    problem = GuidanceProblem(visit=visit, description=(description or "").strip(), due_on=due_on)
    problem.full_clean()
    problem.save()
    return problem


def can_close_problem(user, problem: GuidanceProblem) -> bool:
    """The community's secretary, who has it fixed, or an official of the district."""
    community = problem.visit.community
    return problem.is_open and (
        scoping.is_secretary_of(user, community.pk)
        or scoping.is_official_of(user, community.district_id)
    )


@transaction.atomic
def problem_close(
    *, problem: GuidanceProblem, fixed_by: str, fixed_on: date, resolution: str, by
) -> GuidanceProblem:
    """Close out (销号) an open problem: who fixed it, when and how."""
    problem = (
        GuidanceProblem.objects.select_for_update()
        .select_related("visit__community")
        .get(pk=problem.pk)
    )
    if not problem.is_open:
        raise ValidationError(_("This problem has already been closed out."))
    _require(can_close_problem(by, problem))
    if fixed_on and fixed_on > timezone.localdate():
        raise ValidationError({"fixed_on": _("The date it was fixed cannot be in the future.")})
    problem.status = GuidanceProblem.Status.CLOSED
    problem.fixed_by = (fixed_by or "").strip()
    problem.fixed_on = fixed_on
    problem.resolution = (resolution or "").strip()
    problem.closed_by = by
    problem.closed_at = timezone.now()
    problem.full_clean()
    problem.save()
    return problem


def open_problems(user):
    """Problems not yet closed out, among those ``user`` may see, oldest visit first."""
    return (
        GuidanceProblem.objects.visible_to(user)
        .filter(status=GuidanceProblem.Status.OPEN)
        .select_related("visit__community")
        .order_by("visit__visited_on", "pk")
    )
