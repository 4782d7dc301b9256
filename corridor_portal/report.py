"""The upward report (上报信息): the district's account of its corridor work, from live data.

The report follows the structure of the district report it is modelled on,
《小楼道成党建新阵地》: an opening paragraph, then (1) the network and the
guidance it got, (2) the pilots and each community's theme, (3) Party members leading, with
named examples, (4) the results, and an annex table with a row per community.

:func:`build_report` turns the database into :class:`ReportContent` -- plain strings and
tables, already translated into the active language -- and two renderers read it: the
template ``dashboard/report.html`` and :func:`report_docx`. The figures come from
:func:`corridor_portal.dashboard.compute`; the communities carry a few more figures as
annotations of the same query that lists them, and the named examples come from a fixed
number of bounded queries (the top few funds, gifts, corridors and visitors), so
the number of queries does not grow with the data.

Who may generate it: superusers, district officials (their district) and community
secretaries (their community) -- :func:`corridor_portal.dashboard.dashboard_communities`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import quote

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from buildings.models import Building, Donation, Fund
from communities import scoping
from communities.models import Community, District, Membership, Section
from corridor_portal.dashboard import Figures, Period, compute, thresholds
from engagement.advice import latest_poll_annotations
from engagement.models import Campaign, GuidanceVisitor, Poll, Symposium
from exhibits.models import Corridor, Exhibit

# How many named examples each part of the report gives at most.
MAX_VISITORS = 8
VISITOR_ROWS = 40  # visitor rows read to find MAX_VISITORS different people
MAX_FUNDS = 5
MAX_GIFTS = 5
MAX_CORRIDORS = 8
MAX_OUTREACH = 5  # communities whose outreach is told in full
MAX_LISTED_NAMES = 10  # communities named as lacking something
THEME_CHARS = 160

C = Corridor.Status


# --- The content, as plain data -----------------------------------------------------------------


@dataclass
class Cell:
    label: str  # the column's name, for phones (data-label) and screen readers
    value: str
    numeric: bool = False


@dataclass
class TableRow:
    cells: list[Cell]
    is_total: bool = False


@dataclass
class ReportTable:
    caption: str
    headers: list[str]
    numeric: list[bool]
    rows: list[TableRow]
    note: str = ""

    @property
    def columns(self) -> list[tuple[str, bool]]:
        return list(zip(self.headers, self.numeric, strict=True))


@dataclass
class ReportSection:
    heading: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class ReportContent:
    kicker: str
    title: str
    issuer: str
    period: Period
    period_text: str
    generated_on: date
    generated_text: str
    lead: list[str]
    sections: list[ReportSection]
    table: ReportTable
    slug: str  # ASCII, for the file name: the community's code or "district"
    communities: list = field(default_factory=list)  # the communities covered

    def filename(self, extension: str = "docx") -> tuple[str, str]:
        """(ASCII fallback, UTF-8 name) of the downloaded file."""
        dates = f"{self.period.start:%Y-%m-%d}_{self.period.end:%Y-%m-%d}"
        ascii_name = f"upward-report_{self.slug}_{dates}.{extension}"
        label = _("Upward report")
        return ascii_name, f"{label}_{self.issuer}_{dates}.{extension}"

    def content_disposition(self, extension: str = "docx") -> str:
        """``attachment`` with an ASCII ``filename`` and an RFC 5987 ``filename*``."""
        ascii_name, utf8_name = self.filename(extension)
        return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(utf8_name)}"


# --- Formatting helpers ---------------------------------------------------------------------------


def _is_chinese() -> bool:
    return (get_language() or "").startswith("zh")


def _join(items) -> str:
    """A list in running text: 甲、乙、丙 in Chinese, "a, b, c" otherwise."""
    return ("、" if _is_chinese() else ", ").join(str(i) for i in items)


def _sentences(parts) -> str:
    """Sentences into one paragraph: Chinese needs no space between them."""
    return ("" if _is_chinese() else " ").join(p for p in parts if p)


def yuan(amount) -> str:
    return f"{(amount or Decimal('0')):,.2f}"


def _day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


def _percent(value: int | None) -> str:
    return "—" if value is None else f"{value}%"


def _person(name: str, title: str) -> str:
    if not title:
        return name
    return pgettext("person with title", "%(title)s %(name)s") % {"title": title, "name": name}


# --- Queries --------------------------------------------------------------------------------


def _count(queryset, path: str):
    """A correlated count of ``queryset`` rows whose ``path`` is the outer community."""
    counted = (
        queryset.filter(**{path: OuterRef("pk")})
        .order_by()
        .values(path)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def annotate_communities(communities, user, period: Period):
    """The communities with what the report says of each beyond the dashboard figures:
    the leading group, sections and buildings of the network, outreach, the latest poll."""
    start, end = period.start, period.end
    members = Membership.objects.visible_to(user).filter(is_active=True)
    leaders = members.filter(group_position=Membership.GroupPosition.LEADER)
    sections = Section.objects.visible_to(user)
    cadres = members.filter(role=scoping.CADRE, section=OuterRef("pk"))
    buildings = Building.objects.visible_to(user)
    campaigns = Campaign.objects.visible_to(user).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=start), starts_on__lte=end
    )
    letters = (
        campaigns.filter(community=OuterRef("pk"))
        .order_by()
        .values("community")
        .annotate(n=Sum("letters_sent"))
        .values("n")
    )
    latest_campaign = campaigns.filter(community=OuterRef("pk")).order_by("-starts_on", "-pk")
    symposiums = Symposium.objects.visible_to(user).filter(held_on__range=(start, end))
    attendees = (
        symposiums.filter(community=OuterRef("pk"))
        .order_by()
        .values("community")
        .annotate(n=Sum("attendees"))
        .values("n")
    )
    polls = Poll.objects.visible_to(user).filter(opens_on__lte=end)
    return (
        communities.select_related("district")
        .annotate(
            has_leader=Exists(leaders.filter(community=OuterRef("pk"))),
            led_by_secretary=Exists(
                leaders.filter(community=OuterRef("pk"), role=scoping.SECRETARY)
            ),
            section_count=_count(sections, "community"),
            guided_sections=_count(sections.filter(Exists(cadres)), "community"),
            building_count=_count(buildings, "community"),
            headed_buildings=_count(buildings.filter(head__isnull=False), "community"),
            letters=Coalesce(Subquery(letters, output_field=IntegerField()), 0),
            campaign_title=Subquery(latest_campaign.values("title")[:1], output_field=CharField()),
            symposium_count=_count(symposiums, "community"),
            symposium_attendees=Coalesce(Subquery(attendees, output_field=IntegerField()), 0),
            **latest_poll_annotations(polls),
        )
        .order_by("district__name", "name", "pk")
    )


def _visitors(user, within, period: Period) -> list[GuidanceVisitor]:
    """The people who came on guidance visits in the period, latest first, each once."""
    rows = (
        GuidanceVisitor.objects.visible_to(user)
        .filter(visit__community__in=within, visit__visited_on__range=(period.start, period.end))
        .order_by("-visit__visited_on", "visit_id", "position", "pk")
        .only("name", "title")[:VISITOR_ROWS]
    )
    seen, people = set(), []
    for visitor in rows:
        key = (visitor.name, visitor.title)
        if key not in seen:
            seen.add(key)
            people.append(visitor)
    return people[:MAX_VISITORS]


def _kept_money(prefix: str = "", period: Period | None = None) -> Q:
    """Money donations that stand: not a reversal, not reversed (optionally in the period)."""
    q = Q(
        **{
            f"{prefix}kind": Donation.Kind.MONEY,
            f"{prefix}reverses__isnull": True,
            f"{prefix}reversed_by__isnull": True,
        }
    )
    if period is not None:
        q &= Q(**{f"{prefix}date__range": (period.start, period.end)})
    return q


def _party_funds(user, within, period: Period) -> list[Fund]:
    """Funds led by Party members that raised the most money in the period."""
    in_period = Q(
        donations__kind=Donation.Kind.MONEY,
        donations__date__range=(period.start, period.end),
    )
    return list(
        Fund.objects.visible_to(user)
        .filter(building__community__in=within, leader__is_party_member=True)
        .annotate(
            raised=Coalesce(Sum("donations__amount", filter=in_period), Decimal("0.00")),
            paid=Count(
                "donations__donor_household",
                filter=_kept_money("donations__", period),
                distinct=True,
            ),
        )
        .filter(raised__gt=0)
        .select_related("leader", "building", "unit__building")
        .order_by("-raised", "pk")[:MAX_FUNDS]
    )


def _party_gifts(user, within, period: Period) -> list[Donation]:
    """Party members' own money and the outside money they brought in, largest first."""
    return list(
        Donation.objects.visible_to(user)
        .filter(_kept_money(period=period), fund__building__community__in=within)
        .filter(
            Q(raised_by__is_party_member=True)
            | Q(donor_resident__is_party_member=True, raised_by__isnull=True)
        )
        .select_related("raised_by", "donor_resident", "fund__building", "fund__unit__building")
        .order_by("-amount", "pk")[:MAX_GIFTS]
    )


def _themed_corridors(user, within, period: Period) -> list[Corridor]:
    """Corridors with their themes, certified ones first, then those with the most works;
    each with ``works`` (its approved exhibits) and ``top_creator`` (who made most of them)."""
    rank = Case(
        When(status=C.CERTIFIED, then=Value(0)),
        When(status=C.COMPLETE, then=Value(1)),
        When(status=C.BUILDING, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    works = Exhibit.objects.visible_to(user).filter(status=Exhibit.Status.APPROVED)
    top_creator = (
        works.filter(corridor=OuterRef("pk"))
        .annotate(creator=Coalesce("creator_resident__name", "creator_name"))
        .exclude(creator="")
        .order_by()
        .values("creator")
        .annotate(n=Count("pk"))
        .order_by("-n", "creator")
        .values("creator")[:1]
    )
    return list(
        Corridor.objects.visible_to(user)
        .filter(unit__building__community__in=within, created_at__lt=period.end_dt())
        .exclude(theme="")
        .annotate(
            rank=rank,
            works=_count(works, "corridor"),
            top_creator=Subquery(top_creator, output_field=CharField()),
        )
        .select_related("unit__building")
        .order_by("rank", "-works", "pk")[:MAX_CORRIDORS]
    )


# --- Building the content ------------------------------------------------------------------------


def _issuer(user, communities: list[Community]) -> tuple[str, str]:
    """Who issues the report, and the ASCII slug of the file name."""
    if len(communities) == 1:
        community = communities[0]
        name = pgettext("community in its district", "%(district)s %(community)s") % {
            "district": community.district.name,
            "community": community.name,
        }
        return name, community.code
    districts = list(dict.fromkeys(c.district.name for c in communities))
    if not districts:
        districts = list(District.objects.visible_to(user).values_list("name", flat=True)[:3])
    return _join(districts) or _("All districts"), "district"


def build_report(user, *, communities, period: Period, today: date | None = None):
    """The report for ``communities`` (already restricted to what ``user`` reports on,
    see :func:`corridor_portal.dashboard.dashboard_communities`) over ``period``."""
    today = today or timezone.localdate()
    within = annotate_communities(communities, user, period)
    result = compute(user, level="community", within=within, period=period, today=today)
    objects: list[Community] = result["objects"]
    total: Figures = result["total"]
    issuer, slug = _issuer(user, objects)
    period_text = _("%(start)s to %(end)s") % {
        "start": _day(period.start),
        "end": _day(period.end),
    }
    return ReportContent(
        kicker=_("Upward report"),
        title=_("Small corridors, new places for Party building"),
        issuer=issuer,
        period=period,
        period_text=period_text,
        generated_on=today,
        generated_text=_day(today),
        lead=_lead(issuer, objects, total, period),
        sections=[
            _network_section(user, within, objects, total, period),
            _pilot_section(objects, total),
            _party_section(user, within, period),
            _results_section(total, period),
        ],
        table=_table(objects, total, period_text),
        slug=slug,
        communities=objects,
    )


def _lead(issuer: str, objects, total: Figures, period: Period) -> list[str]:
    parts = [
        _(
            "Under the Pioneer Project, %(issuer)s has been turning stairwells into places "
            "for Party building and community culture, bringing the Party's policies to "
            "residents' doors and the Party closer to the people."
        )
        % {"issuer": issuer}
    ]
    values = {
        "communities": len(objects),
        "corridors": total.corridor_total,
        "certified": total.certified,
        "end": _day(period.end),
    }
    if not objects:
        parts.append(_("No community is covered by this report yet."))
    elif not total.corridor_total:
        parts.append(_("No corridor had been started by the end of the period."))
    elif len(objects) == 1:
        parts.append(
            _(
                "By %(end)s, %(corridors)d corridors had been started and %(certified)d "
                "certified as civilized corridors."
            )
            % values
        )
    else:
        parts.append(
            _(
                "%(communities)d communities are taking part: by %(end)s, %(corridors)d "
                "corridors had been started and %(certified)d certified as civilized corridors."
            )
            % values
        )
    return [_sentences(parts)]


def _network_section(user, within, objects, total: Figures, period: Period) -> ReportSection:
    section = ReportSection(_("1. Build the network and strengthen guidance"))
    if not objects:
        section.paragraphs.append(_("No community is covered by this report yet."))
        return section
    # The network: leading groups, sections guided by cadres, buildings with a head.
    led = [c for c in objects if c.has_leader]
    by_secretary = sum(1 for c in objects if c.led_by_secretary)
    parts = []
    if len(objects) == 1:
        community = objects[0]
        if community.led_by_secretary:
            text = _(
                "%(community)s has set up a leading group headed by its Party secretary, who "
                "takes overall charge."
            )
        elif community.has_leader:
            text = _("%(community)s has set up a leading group for the work.")
        else:
            text = _("%(community)s has not recorded a leading group with a group leader yet.")
        parts.append(text % {"community": community.name})
    elif led:
        parts.append(
            _("Leading groups have been set up in %(led)d of %(communities)d communities.")
            % {"led": len(led), "communities": len(objects)}
        )
        if by_secretary:
            parts.append(
                _(
                    "%(n)d of them are headed by the community's Party secretary, who takes "
                    "overall charge."
                )
                % {"n": by_secretary}
            )
        missing = [c.name for c in objects if not c.has_leader]
        if missing and len(missing) <= MAX_LISTED_NAMES:
            parts.append(_("Still without a group leader: %(names)s.") % {"names": _join(missing)})
    else:
        parts.append(_("No community has recorded a leading group with a group leader yet."))
    sections = sum(c.section_count for c in objects)
    buildings = sum(c.building_count for c in objects)
    if sections or buildings:
        parts.append(
            _(
                "Cadres of the two committees guide %(guided)d of %(sections)d sections and "
                "building heads coordinate %(headed)d of %(buildings)d buildings: a "
                "three-tier network of community, building and residents, in which residents "
                "take part widely."
            )
            % {
                "guided": sum(c.guided_sections for c in objects),
                "sections": sections,
                "headed": sum(c.headed_buildings for c in objects),
                "buildings": buildings,
            }
        )
    else:
        parts.append(_("No sections or buildings have been recorded yet."))
    section.paragraphs.append(_sentences(parts))

    # Guidance visits, with the people who came.
    parts = []
    if total.visits:
        visited = sum(1 for c in objects if c.figures.visits)
        parts.append(
            ngettext(
                "In the period, officials made %(visits)d guidance visit to %(communities)d "
                "communities.",
                "In the period, officials made %(visits)d guidance visits to %(communities)d "
                "communities.",
                total.visits,
            )
            % {"visits": total.visits, "communities": visited}
        )
        visitors = _visitors(user, within, period)
        if visitors:
            parts.append(
                _(
                    "Those who came to guide the work included %(visitors)s, helping to plan "
                    "the corridors and to solve problems on the spot."
                )
                % {"visitors": _join(_person(v.name, v.title) for v in visitors)}
            )
    else:
        parts.append(_("No guidance visits were recorded in the period."))
    if total.open_problems:
        parts.append(
            ngettext(
                "%(n)d problem raised by guidance visits is still open.",
                "%(n)d problems raised by guidance visits are still open.",
                total.open_problems,
            )
            % {"n": total.open_problems}
        )
    section.paragraphs.append(_sentences(parts))
    return section


def _outreach(community: Community) -> str:
    figures: Figures = community.figures
    parts = []
    if community.letters:
        parts.append(
            _(
                "%(community)s sent %(letters)d letters to residents in its outreach "
                "campaign “%(campaign)s” to ask for their ideas."
            )
            % {
                "community": community.name,
                "letters": community.letters,
                "campaign": community.campaign_title or "",
            }
        )
    if figures.suggestions or figures.adopted:
        parts.append(
            _("%(community)s received %(received)d suggestions and adopted %(adopted)d.")
            % {
                "community": community.name,
                "received": figures.suggestions,
                "adopted": figures.adopted,
            }
        )
    if community.symposium_count:
        parts.append(
            ngettext(
                "It held %(n)d symposium with %(attendees)d residents.",
                "It held %(n)d symposiums with %(attendees)d residents.",
                community.symposium_count,
            )
            % {"n": community.symposium_count, "attendees": community.symposium_attendees}
        )
    if community.poll_winner and community.poll_ballots:
        parts.append(
            _(
                "In the poll “%(question)s”, residents liked “%(winner)s” best, with "
                "%(votes)d of %(ballots)d ballots."
            )
            % {
                "question": community.latest_poll_question,
                "winner": community.poll_winner,
                "votes": community.poll_winner_votes or 0,
                "ballots": community.poll_ballots,
            }
        )
    return _sentences(parts)


def _pilot_section(objects, total: Figures) -> ReportSection:
    section = ReportSection(_("2. Pilots first, each community with its own character"))
    if not objects:
        section.paragraphs.append(_("No community is covered by this report yet."))
        return section
    pilots = [c for c in objects if c.is_pilot]
    parts = []
    if pilots:
        parts.append(
            _(
                "%(pilots)s served as the pilot, listening widely to residents before the "
                "work spread to other communities."
            )
            % {"pilots": _join(c.name for c in pilots)}
        )
    elif len(objects) > 1:
        parts.append(_("No pilot community has been designated."))
    # Outreach in full for the pilots, then for the communities that did the most.
    ranked = sorted(
        objects,
        key=lambda c: (not c.is_pilot, -c.letters, -c.figures.suggestions, c.name),
    )
    told = [text for text in (_outreach(c) for c in ranked) if text][:MAX_OUTREACH]
    parts.extend(told)
    letters = sum(c.letters for c in objects)
    reached = sum(1 for c in objects if c.letters or c.figures.suggestions)
    if reached > 1:
        parts.append(
            _(
                "Across all communities, %(letters)d letters were sent and %(received)d "
                "suggestions received, of which %(adopted)d were adopted."
            )
            % {"letters": letters, "received": total.suggestions, "adopted": total.adopted}
        )
    if not told:
        parts.append(_("No outreach to residents was recorded in the period."))
    section.paragraphs.append(_sentences(parts))

    # Each community's theme, in its own words.
    themed = [c for c in objects if c.theme.strip()]
    if themed:
        section.paragraphs.append(
            _(
                "The work is fitted to each community's residents and buildings, so that "
                "every corridor shows its own character:"
            )
        )
        for community in themed:
            section.paragraphs.append(
                pgettext("community and its theme", "%(community)s: %(theme)s")
                % {
                    "community": community.name,
                    "theme": Truncator(" ".join(community.theme.split())).chars(THEME_CHARS),
                }
            )
        unthemed = [c.name for c in objects if not c.theme.strip()]
        if unthemed and len(unthemed) <= MAX_LISTED_NAMES:
            section.paragraphs.append(
                _("Themes not yet recorded: %(names)s.") % {"names": _join(unthemed)}
            )
    else:
        section.paragraphs.append(_("No community has recorded the theme of its corridors yet."))
    return section


def _place(fund_or_corridor) -> str:
    unit = getattr(fund_or_corridor, "unit", None)
    return str(unit or fund_or_corridor.building)


def _fund_sentence(fund: Fund) -> str:
    values = {
        "place": _place(fund),
        "leader": fund.leader.name,
        "purpose": fund.purpose,
        "quota": yuan(fund.quota),
        "paid": fund.paid,
        "raised": yuan(fund.raised),
    }
    if fund.quota and fund.paid:
        return (
            _(
                "In %(place)s, led by Party member %(leader)s, households were asked for "
                "%(quota)s yuan each for “%(purpose)s”; %(paid)d households paid, raising "
                "%(raised)s yuan."
            )
            % values
        )
    if fund.paid:
        return (
            _(
                "In %(place)s, Party member %(leader)s led the collection for “%(purpose)s”, "
                "raising %(raised)s yuan from %(paid)d households."
            )
            % values
        )
    return (
        _(
            "In %(place)s, Party member %(leader)s led the collection for “%(purpose)s”, "
            "which raised %(raised)s yuan."
        )
        % values
    )


def _gift_sentence(donation: Donation) -> str:
    fund = donation.fund
    values = {
        "amount": yuan(donation.amount),
        "purpose": fund.purpose,
        "place": _place(fund),
    }
    if donation.raised_by_id:
        donor = donation.donor_name or (
            donation.donor_resident.name if donation.donor_resident_id else ""
        )
        values |= {"name": donation.raised_by.name, "donor": donor or _("outside donors")}
        return (
            _(
                "Party member %(name)s brought in %(amount)s yuan from %(donor)s for "
                "“%(purpose)s” in %(place)s."
            )
            % values
        )
    values["name"] = donation.donor_resident.name
    return (
        _("Party member %(name)s gave %(amount)s yuan of their own for “%(purpose)s” in %(place)s.")
        % values
    )


def _party_section(user, within, period: Period) -> ReportSection:
    section = ReportSection(_("3. Party members lead and set an example"))
    funds = _party_funds(user, within, period)
    gifts = _party_gifts(user, within, period)
    if funds or gifts:
        section.paragraphs.append(
            _(
                "In building civilized corridors, Party members have taken the lead and set "
                "an example to their neighbours."
            )
        )
    if funds:
        section.paragraphs.append(_sentences(_fund_sentence(f) for f in funds))
    else:
        section.paragraphs.append(_("No fund led by a Party member raised money in the period."))
    if gifts:
        section.paragraphs.append(_sentences(_gift_sentence(d) for d in gifts))
    else:
        section.paragraphs.append(
            _("No gifts or outside money from Party members were recorded in the period.")
        )
    parts = []
    corridors = _themed_corridors(user, within, period)
    if corridors:
        items = []
        for corridor in corridors:
            values = {"theme": corridor.theme, "place": _place(corridor), "n": corridor.works}
            if corridor.status == C.CERTIFIED and corridor.works:
                text = ngettext(
                    "“%(theme)s” in %(place)s (civilized corridor, %(n)d work)",
                    "“%(theme)s” in %(place)s (civilized corridor, %(n)d works)",
                    corridor.works,
                )
            elif corridor.status == C.CERTIFIED:
                text = pgettext(
                    "corridor and its theme", "“%(theme)s” in %(place)s (civilized corridor)"
                )
            elif corridor.works:
                text = ngettext(
                    "“%(theme)s” in %(place)s (%(n)d work)",
                    "“%(theme)s” in %(place)s (%(n)d works)",
                    corridor.works,
                )
            else:
                text = pgettext("corridor and its theme", "“%(theme)s” in %(place)s")
            items.append(text % values)
        parts.append(
            _("Corridors now carry their residents' own themes: %(corridors)s.")
            % {"corridors": _join(items)}
        )
        creators = list(dict.fromkeys(c.top_creator for c in corridors if c.top_creator))
        if creators:
            parts.append(
                _("Residents made the works on the walls themselves, among them %(creators)s.")
                % {"creators": _join(creators)}
            )
    else:
        parts.append(_("No corridor has been given a theme yet."))
    section.paragraphs.append(_sentences(parts))
    return section


def _results_section(total: Figures, period: Period) -> ReportSection:
    section = ReportSection(_("4. Clear results, a more harmonious community"))
    limits = thresholds()
    parts = []
    if total.corridor_total:
        statuses = [
            (C.PLANNING, _("%(n)d in planning")),
            (C.BUILDING, _("%(n)d being built")),
            (C.COMPLETE, _("%(n)d complete")),
            (C.CERTIFIED, _("%(n)d certified as civilized corridors")),
        ]
        parts.append(
            _("By %(end)s, %(total)d corridors had been started: %(statuses)s.")
            % {
                "end": _day(period.end),
                "total": total.corridor_total,
                "statuses": _join(
                    text % {"n": total.corridors.get(status, 0)}
                    for status, text in statuses
                    if total.corridors.get(status, 0)
                ),
            }
        )
        if total.target:
            parts.append(
                _("That is %(share)d%% of the target of %(target)d civilized corridors.")
                % {"share": total.target_share, "target": total.target}
            )
        if total.stalled:
            parts.append(
                ngettext(
                    "%(n)d corridor has not moved for %(days)d days and needs attention.",
                    "%(n)d corridors have not moved for %(days)d days and need attention.",
                    total.stalled,
                )
                % {"n": total.stalled, "days": limits["stalled_days"]}
            )
    else:
        parts.append(_("No corridor had been started by the end of the period."))
    if total.approved_total:
        labels = dict(Exhibit.Kind.choices)
        kinds = sorted(total.approved.items(), key=lambda item: (-item[1], item[0]))
        parts.append(
            _("The district approved %(total)d exhibits in the period: %(kinds)s.")
            % {
                "total": total.approved_total,
                "kinds": _join(
                    pgettext("exhibit kind and count", "%(kind)s %(n)d")
                    % {"kind": labels.get(kind, kind), "n": n}
                    for kind, n in kinds
                ),
            }
        )
    else:
        parts.append(_("No exhibit was approved in the period."))
    section.paragraphs.append(_sentences(parts))

    parts = []
    if total.households:
        parts.append(
            _(
                "%(participating)d of %(households)d households (%(share)d%%) took part by "
                "paying into a fund or taking a duty turn."
            )
            % {
                "participating": total.participating,
                "households": total.households,
                "share": total.participation,
            }
        )
    else:
        parts.append(_("No households have been recorded yet."))
    if total.raised or total.spent or total.in_kind:
        if total.raised:
            parts.append(
                _("Funds raised %(raised)s yuan in the period.") % {"raised": yuan(total.raised)}
            )
        if total.in_kind:
            parts.append(
                _("Labour and goods valued at %(in_kind)s yuan were given as well.")
                % {"in_kind": yuan(total.in_kind)}
            )
        if total.spent:
            parts.append(
                _("%(spent)s yuan was spent on the corridors.") % {"spent": yuan(total.spent)}
            )
    else:
        parts.append(_("No money was raised or spent in the period."))
    if total.duty_due:
        parts.append(
            _("Of %(due)d duty turns that fell due, %(done)d were done (%(rate)d%%).")
            % {"due": total.duty_due, "done": total.duty_done, "rate": total.duty_rate}
        )
        if total.duty_missed:
            parts.append(
                ngettext("%(n)d turn was missed.", "%(n)d turns were missed.", total.duty_missed)
                % {"n": total.duty_missed}
            )
        if total.duty_overdue:
            parts.append(
                ngettext(
                    "%(n)d turn was never marked.",
                    "%(n)d turns were never marked.",
                    total.duty_overdue,
                )
                % {"n": total.duty_overdue}
            )
    else:
        parts.append(_("No duty turns fell due in the period."))
    if total.suggestions or total.adopted:
        parts.append(
            _("Residents made %(received)d suggestions and %(adopted)d were adopted.")
            % {"received": total.suggestions, "adopted": total.adopted}
        )
    else:
        parts.append(_("No suggestions were received in the period."))
    if total.unanswered:
        parts.append(
            ngettext(
                "%(n)d suggestion has waited more than %(days)d days for an answer.",
                "%(n)d suggestions have waited more than %(days)d days for an answer.",
                total.unanswered,
            )
            % {"n": total.unanswered, "days": limits["unanswered_days"]}
        )
    section.paragraphs.append(_sentences(parts))
    if total.certified or total.corridors.get(C.COMPLETE, 0):
        section.paragraphs.append(
            _(
                "Once dirty and cluttered stairwells have become art galleries; keeping the "
                "corridor clean and the community harmonious has become residents' own habit."
            )
        )
    return section


def _table(objects, total: Figures, period_text: str) -> ReportTable:
    headers = [
        _("Community"),
        _("Corridors"),
        _("Certified / target"),
        _("Exhibits approved"),
        _("Households taking part"),
        _("Raised (yuan)"),
        _("Spent (yuan)"),
        _("Duty turns done"),
        _("Suggestions received / adopted"),
        _("Guidance visits"),
    ]
    numeric = [False] + [True] * (len(headers) - 1)

    def cells(name: str, figures: Figures) -> list[Cell]:
        values = [
            name,
            str(figures.corridor_total),
            f"{figures.certified} / {figures.target}" if figures.target else str(figures.certified),
            str(figures.approved_total),
            _percent(figures.participation),
            yuan(figures.raised),
            yuan(figures.spent),
            _percent(figures.duty_rate),
            f"{figures.suggestions} / {figures.adopted}",
            str(figures.visits),
        ]
        return [
            Cell(label, value, is_numeric)
            for label, value, is_numeric in zip(headers, values, numeric, strict=True)
        ]

    rows = [TableRow(cells(c.name, c.figures)) for c in objects]
    if len(objects) > 1:
        rows.append(TableRow(cells(_("Total"), total), is_total=True))
    return ReportTable(
        caption=_("Annex: corridor work by community"),
        headers=headers,
        numeric=numeric,
        rows=rows,
        note=_(
            "Figures for %(period)s. Corridors are counted as they stand at the end of the "
            "period, against each community's target; exhibits approved, money, duty turns, "
            "suggestions and visits within the period. A household takes part when it paid "
            "into a fund or did a duty turn in the period."
        )
        % {"period": period_text},
    )


# --- The .docx ----------------------------------------------------------------------------------

BODY_FONT = "宋体"  # SimSun
HEADING_FONT = "黑体"  # SimHei
LATIN_FONT = "Times New Roman"


def _set_fonts(element, *, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Explicit fonts on a run's or style's properties; theme fonts would override them."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


# Characters XML 1.0 does not allow; stored text may hold them (pasted from elsewhere).
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _run(paragraph, text: str, *, size: float, bold: bool = False, east_asia: str = BODY_FONT):
    from docx.shared import Pt, RGBColor

    run = paragraph.add_run(XML_INVALID.sub("", text))
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(run._r, east_asia=east_asia)
    return run


def _prepare_styles(document) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    # The document's default run properties: Chinese text in SimSun, tagged zh-CN.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            fonts = rpr.find(qn("w:rFonts"))
            if fonts is None:
                fonts = OxmlElement("w:rFonts")
                rpr.insert(0, fonts)
            for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                fonts.attrib.pop(qn(theme), None)
            fonts.set(qn("w:ascii"), LATIN_FONT)
            fonts.set(qn("w:hAnsi"), LATIN_FONT)
            fonts.set(qn("w:eastAsia"), BODY_FONT)
    for name, east_asia, size in (
        ("Normal", BODY_FONT, 14),
        ("Title", BODY_FONT, 22),
        ("Heading 1", HEADING_FONT, 16),
    ):
        style = document.styles[name]
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        _set_fonts(style.element, east_asia=east_asia)
    normal_rpr = document.styles["Normal"].element.get_or_add_rPr()
    lang = normal_rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        normal_rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    # The title needs no rule under it (the template's Title style draws one).
    title_ppr = document.styles["Title"].element.get_or_add_pPr()
    border = title_ppr.find(qn("w:pBdr"))
    if border is not None:
        title_ppr.remove(border)


def _repeat_header(row) -> None:
    """The table's first row repeats at the top of every page it runs onto."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def report_docx(content: ReportContent) -> bytes:
    """The report as a Word document: A4 with government-document margins, SimSun for the
    text and SimHei for headings; the annex table on a landscape page."""
    from docx import Document
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _prepare_styles(document)
    document.core_properties.title = content.title
    document.core_properties.author = XML_INVALID.sub("", content.issuer)
    document.core_properties.subject = content.kicker

    kicker = document.add_paragraph()
    _run(kicker, content.kicker, size=16, east_asia=HEADING_FONT)

    title = document.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, content.title, size=22, bold=True)

    for line in (
        content.issuer,
        _("Period: %(period)s") % {"period": content.period_text},
        _("Generated on %(date)s") % {"date": content.generated_text},
    ):
        meta = document.add_paragraph()
        meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
        meta.paragraph_format.space_after = Pt(0)
        _run(meta, line, size=12)
    document.add_paragraph()

    def body(text: str) -> None:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(28)  # two characters
        paragraph.paragraph_format.line_spacing = Pt(28)
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _run(paragraph, text, size=14)

    for text in content.lead:
        body(text)
    for report_section in content.sections:
        heading = document.add_heading(level=1)
        heading.paragraph_format.space_before = Pt(12)
        heading.paragraph_format.space_after = Pt(6)
        _run(heading, report_section.heading, size=16, bold=True, east_asia=HEADING_FONT)
        for text in report_section.paragraphs:
            body(text)

    # The annex table gets a landscape page of its own: ten columns need the width.
    annex = document.add_section(WD_SECTION.NEW_PAGE)
    annex.orientation = WD_ORIENT.LANDSCAPE
    annex.page_width, annex.page_height = Mm(297), Mm(210)
    annex.top_margin, annex.bottom_margin = Mm(28), Mm(26)
    annex.left_margin, annex.right_margin = Mm(37), Mm(35)
    table_content = content.table
    heading = document.add_heading(level=1)
    heading.paragraph_format.space_after = Pt(6)
    _run(heading, table_content.caption, size=16, bold=True, east_asia=HEADING_FONT)
    table = document.add_table(rows=1, cols=len(table_content.headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    first = Mm(35)
    other = (Mm(297 - 37 - 35) - first) // (len(table_content.headers) - 1)
    widths = [first] + [other] * (len(table_content.headers) - 1)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid, which LibreOffice reads; Word reads the cells'
    for cell, text, width in zip(table.rows[0].cells, table_content.headers, widths, strict=True):
        cell.width = width
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(paragraph, text, size=10.5, bold=True, east_asia=HEADING_FONT)
    _repeat_header(table.rows[0])
    for row in table_content.rows:
        cells = table.add_row().cells
        for cell, value, width in zip(cells, row.cells, widths, strict=True):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.alignment = (
                WD_ALIGN_PARAGRAPH.RIGHT if value.numeric else WD_ALIGN_PARAGRAPH.LEFT
            )
            _run(paragraph, value.value, size=10.5, bold=row.is_total)
    if table_content.note:
        note = document.add_paragraph()
        note.paragraph_format.space_before = Pt(6)
        _run(note, table_content.note, size=10.5)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
