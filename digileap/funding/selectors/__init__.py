"""Every non-trivial read of the funding app, restricted to what the acting user may see."""

from .applications import application_prefill, applications_for, applied_elsewhere  # noqa: F401
from .calls import calls_for, entitlements_for, published_entitlement  # noqa: F401
