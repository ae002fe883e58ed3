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
