"""The ASGI entry point: the ndt7 speed test's websocket paths go to the installation's own ndt7
app (digileap/connectivity/ndt7.py, no database), everything else to Django.

Serve it with ``gunicorn -k digileap.connectivity.ndt7.UvicornWorker config.asgi:application``
(docs/deployment.md) or, in development, ``uvicorn config.asgi:application`` (scripts/serve.sh).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
django_handler = get_asgi_application()

from digileap.connectivity import ndt7  # noqa: E402  (after Django is set up)
from digileap.core.limits import limit_request_body  # noqa: E402

# A body over the limit is never read into the server (Django would spool it before any middleware).
django_application = limit_request_body(django_handler)


async def application(scope, receive, send):
    if scope["type"] == "websocket" and ndt7._path(scope) in ndt7.PATHS:
        await ndt7.application(scope, receive, send)
    elif scope["type"] in ("lifespan", "websocket"):
        # Django answers HTTP only; other websocket paths are refused by the ndt7 app.
        await ndt7.application(scope, receive, send)
    else:
        await django_application(scope, receive, send)
