"""The devices app's API routes. Each area fills its own marked section."""


def register(router) -> None:
    """Add this app's viewsets to the API router. Basenames are the model names, so route names
    read ``<model>-list`` and ``<model>-detail``."""
    # --- catalogue and orders (api/catalogue.py, api/orders.py) ---
    # --- end catalogue and orders ---
    # --- deliveries and devices (api/deliveries.py, api/devices.py) ---
    # --- end deliveries ---
    # --- recipients and assignments (api/recipients.py) ---
    # --- end recipients ---
    # --- agreements (api/agreements.py) ---
    # --- end agreements ---
    # --- board, tickets, access points (api/aftercare.py) ---
    # --- end board ---
    # --- exchange (api/exchange.py) ---
    # --- end exchange ---
