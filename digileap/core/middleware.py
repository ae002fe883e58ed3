import re

from .context import new_request_id, request_id_var

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Gives each request an id (or keeps a proxy's X-Request-ID) for the audit trail and logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        if _VALID_REQUEST_ID.match(incoming):
            request_id_var.set(incoming)
            request.request_id = incoming
        else:
            request.request_id = new_request_id()
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


# Signed-in sessions: idle expiry and no caching (docs/security.md).

IDLE_STAMP_SESSION_KEY = "digileap_last_activity"
# The stamp is rewritten at most this often, so that a busy session is not saved on every request.
IDLE_STAMP_RESOLUTION_SECONDS = 60


class IdleSessionMiddleware:
    """Signs a user out after DIGILEAP_SESSION_IDLE_HOURS without a request, and says why on the sign-in page.

    A stamp of the last activity (seconds since the epoch) is kept in the session and rewritten when
    it is more than a minute old: at most one session write a minute, where SESSION_SAVE_EVERY_REQUEST
    would write on every request, and it can tell an expired session from a missing one (to show the
    message). Install after AuthenticationMiddleware and MessageMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.conf import settings
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.contrib.auth.views import redirect_to_login
        from django.utils.translation import ngettext

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        now = int(time.time())
        idle_hours = int(settings.DIGILEAP_SESSION_IDLE_HOURS)
        stamp = request.session.get(IDLE_STAMP_SESSION_KEY)
        if idle_hours > 0 and isinstance(stamp, int) and now - stamp > idle_hours * 3600:
            logout(request)
            if request.path.startswith("/api/"):
                return self.get_response(request)
            messages.info(
                request,
                ngettext(
                    "You were signed out after %(hours)d hour without activity.",
                    "You were signed out after %(hours)d hours without activity.",
                    idle_hours,
                )
                % {"hours": idle_hours},
            )
            return redirect_to_login(request.get_full_path())
        if not isinstance(stamp, int) or now - stamp >= IDLE_STAMP_RESOLUTION_SECONDS:
            request.session[IDLE_STAMP_SESSION_KEY] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """Responses to a signed-in user are never stored by a browser or a proxy: ``Cache-Control: no-store,
    private``. Static files (served by WhiteNoise before this runs, or under STATIC_URL) and pages for
    anonymous visitors keep their own caching headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils.cache import patch_cache_control

        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            if "max-age" in response.get("Cache-Control", "") or "public" in response.get("Cache-Control", ""):
                del response["Cache-Control"]
            patch_cache_control(response, no_store=True, private=True)
        return response
