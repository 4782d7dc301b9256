"""Admin for campaigns, suggestions, symposiums, polls, guidance visits and theme rules.

Scoped like the pages (``communities.admin.ScopedAdmin``): a secretary keeps the records
of their own community, a district official those of the guidance visits, and no one
sees or picks another community's rows. The admin keeps records; the workflow stays
with ``engagement.services``:

* a suggestion comes in as "new"; moving it on (considered, adopted, declined) goes
  through ``services.suggestion_answer``, and an answer is final;
* ballots are counted only through ``services.poll_count_in`` (on the poll's page):
  tallies are read-only here, and a poll is closed by the "close" action, which calls
  ``services.poll_close``;
* a problem a visit raised is closed out (销号) through ``services.problem_close``,
  with who fixed it, when and how; a closed-out problem no longer changes;
* records of what happened stay: problems, closed polls and visits with problems
  closed out are deleted only by a superuser, and a poll whose ballots were counted not
  at all (its tallies cannot be deleted here).

Theme rules belong to no community: staff with the model permissions (and a role in the
district, or superusers) edit them.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from communities import scoping
from communities.admin import ScopedAdmin, ScopedAdminMixin, related_only
from engagement import services
from engagement.models import (
    Campaign,
    Channel,
    GuidanceProblem,
    GuidanceVisit,
    GuidanceVisitor,
    Poll,
    PollOption,
    PollTally,
    Suggestion,
    Symposium,
    ThemeRule,
)


def _is_superuser(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


class StoredStateMixin:
    """Remembers what a row's ``stored_fields`` held when the change view read it.

    A bound form writes the posted values onto the object; when the form is invalid, the
    page is drawn again from that object. Which fields are read-only must follow the row
    as stored (an open problem), not as posted (a problem being closed out), or the
    fields with errors would be drawn read-only, their errors hidden.
    """

    stored_fields: tuple[str, ...] = ()

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._stored = {name: getattr(obj, name) for name in self.stored_fields}
        return obj

    @staticmethod
    def stored(obj, name):
        return getattr(obj, "_stored", {}).get(name, getattr(obj, name))


class CreatedByMixin:
    """Records who created a row; the row's community stays where it was created."""

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and "community" not in readonly:
            # Its campaign, tallies, problems... belong to that community.
            readonly.append("community")
        return readonly

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class KeptRecordMixin:
    """Rows that are a record of what happened -- a closed poll, a visit with problems
    closed out -- are deleted only by a superuser; so is any bulk deletion, which cannot
    tell those rows apart."""

    def is_kept_record(self, obj) -> bool:
        raise NotImplementedError

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not _is_superuser(request.user):
            actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not _is_superuser(request.user) and self.is_kept_record(obj):
            return False
        return super().has_delete_permission(request, obj)


class ServiceActionMixin:
    """Admin actions that call one service per selected row and report the outcome."""

    def _run_per_row(self, request, queryset, call, done_message, refused_message) -> None:
        """Call ``call(obj)`` for every row; a refused row does not stop the others.

        Each service is its own transaction and re-checks who may act, so a refusal
        (``PermissionDenied`` or ``ValidationError``) leaves that row as it was.
        """
        done, refused = 0, []
        for obj in queryset.order_by("pk"):
            try:
                call(obj)
            except (PermissionDenied, ValidationError):
                refused.append(str(obj))
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)
        if refused:
            self.message_user(
                request, refused_message % {"rows": "、".join(refused)}, messages.WARNING
            )


# Campaigns, symposiums and suggestions


class CampaignAdminForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("channels"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Campaign
        fields = (
            "community",
            "title",
            "letters_sent",
            "starts_on",
            "ends_on",
            "channels",
            "description",
        )


@admin.register(Campaign)
class CampaignAdmin(CreatedByMixin, ScopedAdmin):
    form = CampaignAdminForm
    list_display = ("title", "community", "letters_sent", "starts_on", "ends_on", "suggestions")
    list_filter = (related_only("community"),)
    list_select_related = ("community",)
    search_fields = ("title", "description")
    date_hierarchy = "starts_on"
    fields = (
        "community",
        "title",
        "letters_sent",
        "starts_on",
        "ends_on",
        "channels",
        "description",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("created_by", "created_at", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(suggestion_count=Count("suggestions"))

    @admin.display(description=_("suggestions"), ordering="suggestion_count")
    def suggestions(self, obj):
        return obj.suggestion_count


class SymposiumSuggestionInline(ScopedAdminMixin, admin.TabularInline):
    """The suggestions a symposium produced: listed here, edited on their own page."""

    model = Suggestion
    fk_name = "symposium"
    fields = ("received_on", "content", "status")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("suggestions made at the symposium")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Symposium)
class SymposiumAdmin(CreatedByMixin, ScopedAdmin):
    list_display = ("title", "community", "campaign", "held_on", "place", "attendees")
    list_filter = (related_only("community"), related_only("campaign"))
    list_select_related = ("community", "campaign")
    search_fields = ("title", "place", "notes")
    date_hierarchy = "held_on"
    fields = (
        "community",
        "campaign",
        "title",
        "held_on",
        "place",
        "attendees",
        "notes",
        "created_by",
        "created_at",
    )
    readonly_fields = ("created_by", "created_at")
    inlines = (SymposiumSuggestionInline,)


class SuggestionAdminForm(forms.ModelForm):
    """Offers only the statuses a suggestion may move to from where it is."""

    class Meta:
        model = Suggestion
        fields = (
            "community",
            "campaign",
            "symposium",
            "channel",
            "received_on",
            "content",
            "resident",
            "building",
            "status",
            "reply",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        status = self.fields.get("status")
        if status is not None and self.instance.pk:
            current = self.instance.status
            allowed = {current, *services.SUGGESTION_NEXT[current]}
            status.choices = [(v, label) for v, label in status.choices if v in allowed]


@admin.register(Suggestion)
class SuggestionAdmin(StoredStateMixin, CreatedByMixin, ScopedAdmin):
    form = SuggestionAdminForm
    list_display = (
        "__str__",
        "community",
        "channel",
        "received_on",
        "status",
        "campaign",
        "building",
    )
    list_filter = ("status", "channel", related_only("community"), related_only("campaign"))
    list_select_related = ("community", "campaign", "building")
    # No phone or other personal data: the content, the reply and the resident's name.
    search_fields = ("content", "reply", "resident__name")
    date_hierarchy = "received_on"
    autocomplete_fields = ("resident", "building")
    fields = (
        "community",
        "campaign",
        "symposium",
        "channel",
        "received_on",
        "content",
        "resident",
        "building",
        "status",
        "reply",
        "decided_by",
        "decided_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("decided_by", "decided_at", "created_by", "created_at", "updated_at")
    stored_fields = ("status",)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        answered = (Suggestion.Status.ADOPTED, Suggestion.Status.DECLINED)
        if obj is None or self.stored(obj, "status") in answered:
            # A suggestion comes in as new and is answered once, for good.
            readonly += ["status", "reply"]
        return readonly

    def save_model(self, request, obj, form, change):
        if not (change and "status" in form.changed_data):
            super().save_model(request, obj, form, change)
            return
        status, reply = obj.status, obj.reply
        obj.status = form.initial["status"]
        obj.reply = form.initial.get("reply") or ""
        super().save_model(request, obj, form, change)
        try:
            answered = services.suggestion_answer(
                suggestion=obj, status=status, reply=reply, by=request.user
            )
        except ValidationError as error:
            self.message_user(request, _refusal(error), messages.ERROR)
            return
        obj.status, obj.reply = answered.status, answered.reply
        obj.decided_by, obj.decided_at = answered.decided_by, answered.decided_at


# Polls


class PollOptionInline(ScopedAdminMixin, admin.TabularInline):
    """Options may change while the poll is open; counted options are not removed."""

    model = PollOption
    fields = ("label", "position")
    extra = 0
    min_num = 2

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, validate_min=True, **kwargs)

    def has_add_permission(self, request, obj=None):
        if obj is not None and obj.is_closed:
            return False
        return super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_closed:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (
            obj.is_closed or PollTally.objects.filter(option__poll=obj).exists()
        ):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Poll)
class PollAdmin(KeptRecordMixin, ServiceActionMixin, CreatedByMixin, ScopedAdmin):
    list_display = ("question", "community", "opens_on", "is_closed", "closed_at")
    list_filter = ("is_closed", related_only("community"), related_only("campaign"))
    list_select_related = ("community",)
    search_fields = ("question",)
    date_hierarchy = "opens_on"
    fields = (
        "community",
        "campaign",
        "question",
        "opens_on",
        "results",
        "is_closed",
        "closed_at",
        "closed_by",
        "created_by",
        "created_at",
    )
    readonly_fields = ("results", "is_closed", "closed_at", "closed_by", "created_by", "created_at")
    inlines = (PollOptionInline,)
    actions = ("close_selected",)

    def is_kept_record(self, poll) -> bool:
        return poll.is_closed

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.is_closed:
            readonly += ["campaign", "question", "opens_on"]
        return readonly

    @admin.display(description=_("results"))
    def results(self, poll):
        if poll.pk is None:
            return "—"
        results = services.poll_results(poll)
        if not results["ballots"]:
            return _("No ballots counted yet.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}: {} ({}%){}</li>",
                (
                    (o.label, o.total, o.share, " ★" if o.is_winner else "")
                    for o in results["options"]
                ),
            ),
        )

    @admin.action(description=_("Close the selected polls"), permissions=["change"])
    def close_selected(self, request, queryset):
        self._run_per_row(
            request,
            queryset,
            lambda poll: services.poll_close(poll=poll, by=request.user),
            _("Polls closed: %(count)d."),
            _("Not closed (already closed, or not yours to close): %(rows)s"),
        )


@admin.register(PollTally)
class PollTallyAdmin(ScopedAdmin):
    """Ballots as counted in on the poll's page; never changed here."""

    list_display = ("poll", "option", "building", "votes", "counted_by", "counted_at")
    list_filter = (related_only("option__poll__community"), related_only("option__poll"))
    list_select_related = ("option__poll", "building", "counted_by")
    search_fields = ("option__label", "option__poll__question")
    fields = ("option", "building", "votes", "counted_by", "counted_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("poll"), ordering="option__poll__question")
    def poll(self, tally):
        return tally.option.poll


# Guidance visits and the problems they raise


class GuidanceVisitorInline(ScopedAdminMixin, admin.TabularInline):
    model = GuidanceVisitor
    fields = ("name", "title", "position")
    extra = 0
    min_num = 1

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, validate_min=True, **kwargs)


class GuidanceProblemInline(ScopedAdminMixin, admin.TabularInline):
    """Problems are raised here; each is followed and closed out on its own page."""

    model = GuidanceProblem
    fields = ("description", "due_on", "status", "fixed_by", "fixed_on")
    readonly_fields = ("status", "fixed_by", "fixed_on")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GuidanceVisit)
class GuidanceVisitAdmin(KeptRecordMixin, CreatedByMixin, ScopedAdmin):
    list_display = ("__str__", "community", "visited_on", "purpose", "visitor_names", "open_count")
    list_filter = (related_only("community"),)
    list_select_related = ("community",)
    search_fields = ("purpose", "notes", "visitors__name", "visitors__title")
    date_hierarchy = "visited_on"
    fields = (
        "community",
        "visited_on",
        "purpose",
        "notes",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = (GuidanceVisitorInline, GuidanceProblemInline)

    def is_kept_record(self, visit) -> bool:
        return visit.problems.filter(status=GuidanceProblem.Status.CLOSED).exists()

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_problems=Count(
                    "problems", filter=Q(problems__status=GuidanceProblem.Status.OPEN)
                )
            )
            .prefetch_related("visitors")
        )

    @admin.display(description=_("visitors"))
    def visitor_names(self, visit):
        return "、".join(str(visitor) for visitor in visit.visitors.all())

    @admin.display(description=_("open problems"), ordering="open_problems")
    def open_count(self, visit):
        return visit.open_problems


class GuidanceProblemAdminForm(forms.ModelForm):
    class Meta:
        model = GuidanceProblem
        fields = ("visit", "description", "due_on", "status", "fixed_by", "fixed_on", "resolution")

    def clean(self):
        cleaned = super().clean()
        closing = (
            self.instance.pk
            and "status" in self.changed_data
            and cleaned.get("status") == GuidanceProblem.Status.CLOSED
        )
        fixed_on = cleaned.get("fixed_on")
        if closing and fixed_on and fixed_on > timezone.localdate():
            self.add_error("fixed_on", _("The date it was fixed cannot be in the future."))
        return cleaned


@admin.register(GuidanceProblem)
class GuidanceProblemAdmin(StoredStateMixin, ScopedAdmin):
    form = GuidanceProblemAdminForm
    list_display = (
        "__str__",
        "community",
        "visited_on",
        "status",
        "due_on",
        "fixed_by",
        "fixed_on",
    )
    list_filter = ("status", related_only("visit__community"))
    list_select_related = ("visit__community",)
    search_fields = ("description", "fixed_by", "resolution")
    date_hierarchy = "visit__visited_on"
    fields = (
        "visit",
        "description",
        "due_on",
        "status",
        "fixed_by",
        "fixed_on",
        "resolution",
        "closed_by",
        "closed_at",
        "created_at",
    )
    readonly_fields = ("closed_by", "closed_at", "created_at")
    close_fields = ("status", "fixed_by", "fixed_on", "resolution")
    stored_fields = ("status",)

    def get_queryset(self, request):
        # Change pages name the visit and its community too.
        return super().get_queryset(request).select_related(*self.list_select_related)

    def has_add_permission(self, request, obj=None):
        # District officials raise problems; the secretary closes them out.
        user = request.user
        return super().has_add_permission(request) and (
            _is_superuser(user)
            or any(m.role == scoping.OFFICIAL for m in scoping.memberships_of(user))
        )

    def has_delete_permission(self, request, obj=None):
        # A problem is closed out, not deleted: its record stays.
        return _is_superuser(request.user) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return [*readonly, *self.close_fields]  # a new problem is open
        readonly.append("visit")
        if self.stored(obj, "status") != GuidanceProblem.Status.OPEN:
            readonly += ["description", "due_on", *self.close_fields]
        elif not scoping.is_official_of(request.user, obj.visit.community.district_id):
            readonly += ["description", "due_on"]  # the district's words
        return readonly

    def save_model(self, request, obj, form, change):
        closing = (
            change and "status" in form.changed_data and obj.status == GuidanceProblem.Status.CLOSED
        )
        if not closing:
            super().save_model(request, obj, form, change)
            return
        close_out = {name: getattr(obj, name) for name in ("fixed_by", "fixed_on", "resolution")}
        for name in self.close_fields:
            setattr(obj, name, form.initial.get(name))
        obj.fixed_by, obj.resolution = obj.fixed_by or "", obj.resolution or ""
        super().save_model(request, obj, form, change)
        try:
            closed = services.problem_close(problem=obj, by=request.user, **close_out)
        except ValidationError as error:
            self.message_user(request, _refusal(error), messages.ERROR)
            return
        for name in (*self.close_fields, "closed_by", "closed_at"):
            setattr(obj, name, getattr(closed, name))

    @admin.display(description=_("community"), ordering="visit__community__name")
    def community(self, problem):
        return problem.visit.community

    @admin.display(description=_("visited on"), ordering="visit__visited_on")
    def visited_on(self, problem):
        return problem.visit.visited_on


# Theme rules: shared by every community


@admin.register(ThemeRule)
class ThemeRuleAdmin(admin.ModelAdmin):
    """Staff with the theme-rule model permissions read and keep the rules: superusers,
    and the people of the district's communities (a staff account without any role sees
    only the shared resident-tag vocabulary, as everywhere in the admin)."""

    list_display = ("name", "tag", "min_share", "poll_keyword", "themes", "is_active", "position")
    list_editable = ("min_share", "poll_keyword", "is_active", "position")
    list_filter = ("is_active", "tag")
    list_select_related = ("tag",)
    search_fields = ("name", "themes", "poll_keyword", "explanation")
    show_full_result_count = False
    fields = (
        "name",
        "tag",
        "min_share",
        "poll_keyword",
        "themes",
        "explanation",
        "is_active",
        "position",
    )

    def _takes_part(self, request) -> bool:
        user = request.user
        return _is_superuser(user) or bool(scoping.memberships_of(user))

    def has_module_permission(self, request):
        return self._takes_part(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._takes_part(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._takes_part(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._takes_part(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._takes_part(request) and super().has_delete_permission(request, obj)
