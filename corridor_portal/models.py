"""The project's own tables. DataVersion is defined beside its triggers in
corridor_portal/versions.py."""

from corridor_portal.versions import DataVersion  # noqa: F401
