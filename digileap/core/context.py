"""Per-request context that services read without threading it through every call."""

import contextvars
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    """The id of the request or job being served, or a fresh one outside any request."""
    value = request_id_var.get()
    if not value:
        value = f"local-{uuid.uuid4().hex[:16]}"
        request_id_var.set(value)
    return value


def new_request_id(prefix: str = "") -> str:
    value = f"{prefix}{uuid.uuid4().hex}"
    request_id_var.set(value)
    return value
