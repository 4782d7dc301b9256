"""What the security tests share: every URL of the project, the forms its pages hold, a
fingerprint of the database, and the people of community B (and of another district).

URLs come from the URL resolver, so that a page added later is tested without a new row;
the objects behind their ids come from the role x URL matrix (tests/test_matrix.py), which
already builds a record of community A for every named URL.
"""

import hashlib
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from communities.models import Membership
from tests import factories
from tests.test_matrix import MATRIX

# The escaping payload: markup, both quotes and Chinese punctuation (34 characters, short
# enough for the narrowest name column it is stored in).
PAYLOAD = "<script>alert(1)</script>\"'“”，。《》"
RAW = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#x27;“”，。《》"

HUGE_INTS = [str(2**63), str(10**30)]
LONG = "长" * 100_000

APPS = ["communities", "buildings", "exhibits", "engagement"]


@dataclass(frozen=True)
class Route:
    """One URL pattern: its name (``admin:...`` included) and its keyword arguments."""

    name: str
    arguments: tuple[str, ...]
    converters: tuple[str, ...]
    positional: int = 0  # unnamed groups of a regular expression (the admin's history)

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:")


def routes(resolver=None, namespace: str = "", converters=None) -> list[Route]:
    """Every named URL pattern of the project, the admin's included, in resolver order."""
    resolver = resolver or get_resolver()
    converters = dict(converters or {})
    found = []
    for pattern in resolver.url_patterns:
        inner_converters = converters | dict(pattern.pattern.converters)
        regex = pattern.pattern.regex
        positional = regex.groups - len(regex.groupindex)
        if not pattern.pattern.converters:  # a regular expression's named groups
            inner_converters |= dict.fromkeys(regex.groupindex, "regex")
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += routes(pattern, inner, inner_converters)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names = tuple(sorted(inner_converters))
            kinds = tuple(
                k if isinstance(k, str) else type(k).__name__
                for k in (inner_converters[n] for n in names)
            )
            found.append(Route(f"{namespace}{pattern.name}", names, kinds, positional))
    return found


def portal_routes() -> list[Route]:
    return [route for route in routes() if not route.is_admin]


def named_urls() -> set[str]:
    return {route.name for route in portal_routes()}


# The first matrix row of each URL name: its kwargs build side A's record.
KWARGS = {}
for _name, _label, _kwargs, _expected in MATRIX:
    KWARGS.setdefault(_name, _kwargs)


def url_of(name: str, world) -> str:
    return reverse(name, kwargs=KWARGS[name](world))


def object_urls() -> list[str]:
    """Named URLs that carry the id of a record (slugs of public pages excluded)."""
    return sorted(
        route.name
        for route in portal_routes()
        if any(kind == "IntConverter" for kind in route.converters)
    )


# The database's fingerprint: every row of the portal's apps (their history included)


def fingerprint(*, reads_logged: bool = False) -> dict[str, str]:
    """A digest of every row of every model of the portal's apps, per model.

    With ``reads_logged``, the access logs (which record who read personal data, and so
    grow on a GET) are left out.
    """
    digests = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if reads_logged and model.__name__.endswith("AccessLog"):
                continue
            # Logging in stamps last_login: not a write of the request under test.
            columns = [f.attname for f in model._meta.concrete_fields if f.name != "last_login"]
            rows = model._base_manager.order_by("pk").values_list(*columns)
            digest = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
            digests[model._meta.label] = digest
    return digests


def changed_models(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))


# People of community B and of another district


def outsiders(world) -> dict:
    """Who must not reach side A's records: side B's secretary, cadre and building head,
    and a district official of another district; made once per world."""
    cached = getattr(world, "security_outsiders", None)
    if cached is not None:
        return cached
    other = factories.DistrictFactory(name="西城区", code="xicheng")
    official = factories.UserFactory(username="official-xicheng", full_name="李明")
    factories.MembershipFactory(
        user=official, role=Membership.Role.OFFICIAL, community=None, district=other
    )
    world.security_outsiders = {
        "sec_b": world.b.secretary,
        "cadre_b": world.b.cadre,
        "head_b": world.b.head,
        "official_other": official,
    }
    return world.security_outsiders


# Forms of a page, read from its HTML


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "select-multiple" or "textarea"
    value: str
    options: list = field(default_factory=list)


@dataclass
class Form:
    action: str
    method: str
    fields: list = field(default_factory=list)

    def data(self) -> dict:
        """The values the browser would send as the page stands (the first option of a
        select without a selected one, every ticked box)."""
        data: dict[str, list] = {}
        for item in self.fields:
            if item.kind in {"submit", "button", "reset", "image", "file"}:
                continue
            if item.kind in {"checkbox", "radio"} and item.value is None:
                continue
            data.setdefault(item.name, []).append(item.value or "")
        return data


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: list | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = Form(attrs.get("action") or "", (attrs.get("method") or "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None or (tag != "option" and "name" not in attrs):
            return
        if "disabled" in attrs and tag != "option":
            return  # a browser does not send it, and the form ignores what is sent
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            value = attrs.get("value", "on" if kind in {"checkbox", "radio"} else "")
            if kind in {"checkbox", "radio"}:
                self._form.fields.append(
                    Field(attrs["name"], kind, value if "checked" in attrs else None, [value])
                )
            else:
                self._form.fields.append(Field(attrs["name"], kind, value))
        elif tag == "select":
            kind = "select-multiple" if "multiple" in attrs else "select"
            self._select = Field(attrs["name"], kind, None)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = attrs.get("value")
            self._option = [value, "selected" in attrs, ""]
            self._select.options.append(self._option)
        elif tag == "textarea":
            self._textarea = Field(attrs["name"], "textarea", "")
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        elif self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            select = self._select
            select.options = [
                (value if value is not None else text.strip(), chosen)
                for value, chosen, text in select.options
            ]
            chosen = [value for value, ticked in select.options if ticked]
            if select.kind == "select":
                select.value = chosen[0] if chosen else (select.options or [("", False)])[0][0]
            self._select = None
            if select.kind == "select-multiple":
                self._form.fields.remove(select)
                for value in chosen:
                    self._form.fields.append(Field(select.name, "select-multiple", value))
                if not chosen:
                    values = [value for value, _ticked in select.options]
                    self._form.fields.append(
                        Field(select.name, "select-multiple", None, values[:1])
                    )


def forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def post_forms(html: str, path: str) -> list[Form]:
    """The POST forms of a page that send to ``path`` (an empty action is the page)."""
    found = []
    for form in forms_of(html):
        if form.method != "post":
            continue
        action = form.action.split("?")[0].split("#")[0]
        if action in {"", path}:
            found.append(form)
    return found


def read(response) -> str:
    """The response's text; a file download is read to the end (which closes it)."""
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")
