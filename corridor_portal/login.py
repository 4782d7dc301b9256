"""Login throttling and session expiry; configured in settings' "Login, sessions and passwords".

* :class:`WebLoginThrottleBackend` -- django-axes' backend for logins made over HTTP.
* :func:`client_ip` -- the address failed logins are counted against (``BEHIND_PROXY``).
* :func:`lockout_response` -- the translated page shown while logging in is blocked.
* :class:`SlidingSessionMiddleware` -- a session ends after ``SESSION_COOKIE_AGE`` seconds
  without a request, with at most one session write per ``SESSION_REFRESH_SECONDS``.
* :func:`reset_failures_of_user` -- a successful login clears that username's failures.
* :class:`MinimumLengthValidator` -- Django's, with a message that has a Chinese translation.
* :class:`LoginForm`, :class:`AdminLoginForm` -- Django's login forms, with the username's
  length checked.

See docs/security.md, "Login and sessions".
"""

from __future__ import annotations

import ipaddress
import math
import time

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import SESSION_KEY, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in
from django.core.validators import MaxLengthValidator
from django.dispatch import receiver
from django.shortcuts import render
from django.utils.translation import ngettext

#: Session key holding when the session's expiry was last pushed forward (epoch seconds).
REFRESHED_AT = "_corridor_refreshed_at"


class WebLoginThrottleBackend(AxesStandaloneBackend):
    """Refuses logins from a locked-out username or address; never logs anyone in itself.

    Logins over HTTP (the login page, the admin's login) always pass the request. A call
    without one comes from code run on the server (management commands, the shell): no
    client to throttle, so it is left to the next backend instead of raising.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or the proxies' ``X-Forwarded-For``.

    With ``BEHIND_PROXY = n`` (n trusted proxies in front of the app) the address is the
    n-th entry from the right of ``X-Forwarded-For``: each trusted proxy appends the
    address it received the request from, so entries further left were written by the
    client and could be anything. Without a proxy the header is ignored entirely;
    otherwise anyone could pick a new address for every guess.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.BEHIND_PROXY
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            address = _valid_ip(forwarded[-proxies])
            if address:
                return address
    return _valid_ip(remote) or remote or None


def lockout_response(request, original_response=None, credentials=None):
    """The page shown instead of the login form while logging in is blocked (429)."""
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else None
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


@receiver(user_logged_in, dispatch_uid="corridor_portal.login.reset_failures_of_user")
def reset_failures_of_user(sender, request, user, **kwargs):
    """A successful login clears the failures recorded for that username.

    Axes' own ``AXES_RESET_ON_SUCCESS`` would also clear every failure from the same
    address, so logging in to one's own account would wipe the count of guesses made from
    there against other accounts. Failures are cleared only for the username that logged
    in; the address keeps the failures made under other names.
    """
    if not settings.AXES_ENABLED:
        return
    from axes.models import AccessAttempt

    AccessAttempt.objects.filter(username=user.get_username()).delete()


@receiver(user_logged_in, dispatch_uid="corridor_portal.login.stamp_session")
def stamp_session(sender, request, user, **kwargs):
    """A new login starts its idle time now; the login itself saves the session."""
    session = getattr(request, "session", None)
    if session is not None:
        session[REFRESHED_AT] = int(time.time())


class SlidingSessionMiddleware:
    """Pushes a logged-in session's expiry forward on use, at most once per interval.

    The session (database row and cookie) expires ``SESSION_COOKIE_AGE`` seconds after it
    was last saved. Saving it on every request (``SESSION_SAVE_EVERY_REQUEST``) would
    write to the database on every page; instead the session is saved again when the
    last save is older than ``SESSION_REFRESH_SECONDS``, so it ends between
    ``SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS`` and ``SESSION_COOKIE_AGE`` seconds
    after the last request. Place it after ``SessionMiddleware``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session the request already read (to find its user): no extra query for
        # pages that never look at the session, such as the health check.
        if session is None or not session.accessed or session.get(SESSION_KEY) is None:
            return response
        now = int(time.time())
        refreshed_at = session.get(REFRESHED_AT)
        fresh = isinstance(refreshed_at, int) and (
            0 <= now - refreshed_at < settings.SESSION_REFRESH_SECONDS
        )
        if not fresh:
            session[REFRESHED_AT] = now  # marks the session modified: saved with a new expiry
        return response


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's minimum length rule, its message under the msgid Django's catalogues translate.

    Django 5.2 words the message with ``%d``; its Simplified Chinese catalogue still holds
    the earlier ``%(min_length)d`` wording, so the message would show in English.
    """

    def get_error_message(self):
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


class _UsernameLengthMixin:
    """Django sets the username field's ``max_length`` after creating it, so no validator
    checks it: a 100,000-character username reached ``authenticate()``, and django-axes
    failed to store it (a 500 on PostgreSQL). Too long a username is now a form error, and
    never reaches the backends."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LoginForm(_UsernameLengthMixin, AuthenticationForm):
    pass


class AdminLoginForm(_UsernameLengthMixin, AdminAuthenticationForm):
    pass
