"""The devices app's API routes. Each area fills its own marked section."""


def register(router) -> None:
    """Add this app's viewsets to the API router. Basenames are the model names, so route names
    read ``<model>-list`` and ``<model>-detail``."""
    # --- catalogue and orders (api/catalogue.py, api/orders.py) ---
    from . import catalogue, orders

    router.register("device-models", catalogue.DeviceModelViewSet, basename="devicemodel")
    router.register("suppliers", catalogue.SupplierViewSet, basename="supplier")
    router.register("framework-contracts", catalogue.FrameworkContractViewSet, basename="frameworkcontract")
    router.register("purchase-orders", orders.PurchaseOrderViewSet, basename="purchaseorder")
    router.register("order-lines", orders.OrderLineViewSet, basename="orderline")
    # --- end catalogue and orders ---
    # --- deliveries and devices (api/deliveries.py, api/devices.py) ---
    # devices (api/devices.py)
    from . import devices

    router.register("devices", devices.DeviceViewSet, basename="device")
    router.register("device-events", devices.DeviceEventViewSet, basename="deviceevent")
    # deliveries and self-bought purchases (api/deliveries.py)
    from . import deliveries

    router.register("deliveries", deliveries.DeliveryViewSet, basename="delivery")
    router.register("self-purchases", deliveries.SelfPurchaseViewSet, basename="selfpurchase")
    # --- end deliveries ---
    # --- recipients and assignments (api/recipients.py) ---
    from . import recipients

    router.register("recipients", recipients.RecipientViewSet, basename="recipient")
    router.register("assignments", recipients.AssignmentViewSet, basename="assignment")
    # --- end recipients ---
    # --- agreements (api/agreements.py) ---
    from . import agreements

    router.register("agreement-templates", agreements.AgreementTemplateViewSet, basename="agreementtemplate")
    router.register("user-agreements", agreements.UserAgreementViewSet, basename="useragreement")
    # --- end agreements ---
    # --- board, tickets, access points (api/aftercare.py) ---
    from . import aftercare

    router.register("school-rollouts", aftercare.SchoolRolloutViewSet, basename="schoolrollout")
    router.register("tickets", aftercare.TicketViewSet, basename="ticket")
    router.register(
        "access-point-installations", aftercare.AccessPointInstallationViewSet, basename="accesspointinstallation"
    )
    # --- end board ---
    # --- exchange (api/exchange.py) ---
    from . import exchange

    router.register("management-reports", exchange.ManagementReportViewSet, basename="managementreport")
    router.register("managed-devices", exchange.ManagedDeviceViewSet, basename="manageddevice")
    # --- end exchange ---
