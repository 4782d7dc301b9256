"""factory_boy factories for every model; names and places look like the report's."""

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
