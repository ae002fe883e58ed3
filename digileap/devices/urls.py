"""Pages of the devices app. Route names start with the model they act on; ``pk`` is that
model's key, ``<model>_pk`` another model's (see core/tests/test_permission_walk.py).

Each area fills its own marked section and imports its views module inside it.
"""

from django.urls import path  # noqa: F401

app_name = "devices"

urlpatterns: list = []

# --- overview (views/overview.py) ---
from .views import overview  # noqa: E402

urlpatterns += [path("", overview.device_overview, name="device-overview")]
# --- end overview ---

# --- catalogue and orders (views/catalogue.py, views/orders.py) ---
# --- end catalogue and orders ---

# --- deliveries, acceptance, self-bought, device list and lifecycle (views/deliveries.py, views/devices.py, views/purchases.py) ---
# --- end deliveries ---

# --- recipients, assignment, scan loop (views/recipients.py, views/assignments.py) ---
# --- end recipients ---

# --- agreements (views/agreements.py) ---
# --- end agreements ---

# --- board, tickets, access points (views/board.py, views/tickets.py, views/access_points.py) ---
# --- end board ---

# --- device-management exchange (views/exchange.py) ---
# --- end exchange ---
