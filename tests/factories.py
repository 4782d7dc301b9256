"""factory_boy factories for every model; names and places look like the report's."""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from buildings.models import Building, Household, Resident, ResidentTag, Unit
from communities.models import Community, District, Membership, Section, User

DEFAULT_PASSWORD = "test-pass-1234"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save(update_fields=["password"])


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"东安区{n}")
    code = factory.Sequence(lambda n: f"district-{n}")


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = Community

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"清福社区{n}")
    code = factory.Sequence(lambda n: f"community-{n}")
    org_kind = Community.OrgKind.GENERAL_BRANCH


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"第{n}片区")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Membership.Role.SECRETARY
    community = factory.SubFactory(CommunityFactory)
    district = factory.LazyAttribute(lambda m: m.community.district if m.community else None)


class BuildingFactory(DjangoModelFactory):
    class Meta:
        model = Building

    community = factory.SubFactory(CommunityFactory)
    section = None
    compound = "清福二区"
    number = factory.Sequence(lambda n: str(n + 1))


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    building = factory.SubFactory(BuildingFactory)
    number = factory.Sequence(lambda n: n % 99 + 1)
    floors = 6


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    unit = factory.SubFactory(UnitFactory)
    room = factory.Sequence(lambda n: f"{n % 6 + 1}{n // 6 % 100:02d}")
    occupancy = Household.Occupancy.OWNER


class ResidentTagFactory(DjangoModelFactory):
    class Meta:
        model = ResidentTag
        django_get_or_create = ("code",)

    code = "retired-cadre"
    name = "离退休干部"


class ResidentFactory(DjangoModelFactory):
    class Meta:
        model = Resident

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"居民{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    is_party_member = False


# Engagement: campaigns, suggestions, polls, symposiums, guidance visits, theme rules


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = "engagement.Campaign"

    community = factory.SubFactory(CommunityFactory)
    title = "致辖区居民的一封信"
    letters_sent = 1800
    starts_on = date(2026, 3, 1)
    ends_on = None
    channels = factory.LazyFunction(lambda: ["letter", "box", "phone"])
    created_by = factory.SubFactory(UserFactory)


class SymposiumFactory(DjangoModelFactory):
    class Meta:
        model = "engagement.Symposium"

    community = factory.SubFactory(CommunityFactory)
    title = "楼道文化座谈会"
    held_on = date(2026, 3, 15)
    place = "社区活动室"
    attendees = 25
    created_by = factory.SubFactory(UserFactory)


class SuggestionFactory(DjangoModelFactory):
    class Meta:
        model = "engagement.Suggestion"

    community = factory.SubFactory(CommunityFactory)
    channel = "letter"
    received_on = date(2026, 3, 10)
    content = factory.Sequence(lambda n: f"建议在楼道里办书画展{n}")
    created_by = factory.SubFactory(UserFactory)


class PollFactory(DjangoModelFactory):
    """A poll with two options, 书画展 and 摄影展, unless ``options`` is given."""

    class Meta:
        model = "engagement.Poll"
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    question = "居民最喜欢哪种楼道文化活动？"
    opens_on = date(2026, 3, 20)
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def options(obj, create, extracted, **kwargs):  # noqa: N805
        if not create:
            return
        from engagement.models import PollOption

        for i, label in enumerate(extracted or ["书画展", "摄影展"]):
            PollOption.objects.create(poll=obj, label=label, position=i)


class GuidanceVisitFactory(DjangoModelFactory):
    class Meta:
        model = "engagement.GuidanceVisit"
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    visited_on = date(2026, 4, 8)
    purpose = "指导楼道文化建设"
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def visitors(obj, create, extracted, **kwargs):  # noqa: N805
        if not create:
            return
        from engagement.models import GuidanceVisitor

        for i, (name, title) in enumerate(extracted or [("王明", "区委组织部部长")]):
            GuidanceVisitor.objects.create(visit=obj, name=name, title=title, position=i)


class GuidanceProblemFactory(DjangoModelFactory):
    class Meta:
        model = "engagement.GuidanceProblem"

    visit = factory.SubFactory(GuidanceVisitFactory)
    description = factory.Sequence(lambda n: f"楼道杂物未清理{n}")


class ThemeRuleFactory(DjangoModelFactory):
    class Meta:
        model = "engagement.ThemeRule"

    name = factory.Sequence(lambda n: f"规则{n}")
    tag = factory.SubFactory(ResidentTagFactory)
    min_share = 5
    themes = "牌匾、书法"


def image_upload(name="photo.jpg", size=(60, 40), color=(200, 30, 30), fmt="JPEG"):
    """A real image file as a browser would upload it."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[fmt]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def processed_photo(**kwargs):
    """An image run through the photo pipeline, ready for a service."""
    from communities import images

    return images.process_photo(image_upload(**kwargs))
