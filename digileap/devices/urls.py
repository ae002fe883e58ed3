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
from .views import catalogue, orders  # noqa: E402

urlpatterns += [
    path("catalogue/models/", catalogue.devicemodel_list, name="devicemodel-list"),
    path("catalogue/models/new/", catalogue.devicemodel_create, name="devicemodel-create"),
    path("catalogue/models/<int:pk>/", catalogue.devicemodel_detail, name="devicemodel-detail"),
    path("catalogue/models/<int:pk>/edit/", catalogue.devicemodel_update, name="devicemodel-update"),
    path("catalogue/suppliers/", catalogue.supplier_list, name="supplier-list"),
    path("catalogue/suppliers/new/", catalogue.supplier_create, name="supplier-create"),
    path("catalogue/suppliers/<int:pk>/", catalogue.supplier_detail, name="supplier-detail"),
    path("catalogue/suppliers/<int:pk>/edit/", catalogue.supplier_update, name="supplier-update"),
    path("catalogue/contracts/", catalogue.contract_list, name="frameworkcontract-list"),
    path("catalogue/contracts/new/", catalogue.contract_create, name="frameworkcontract-create"),
    path("catalogue/contracts/<int:pk>/", catalogue.contract_detail, name="frameworkcontract-detail"),
    path("catalogue/contracts/<int:pk>/edit/", catalogue.contract_update, name="frameworkcontract-update"),
    path("catalogue/contracts/<int:pk>/items/new/", catalogue.contract_item_add, name="frameworkcontract-item-add"),
    path("catalogue/contract-items/<int:pk>/edit/", catalogue.contractitem_update, name="contractitem-update"),
    path("catalogue/contract-items/<int:pk>/remove/", catalogue.contractitem_remove, name="contractitem-remove"),
    path("orders/", orders.order_list, name="purchaseorder-list"),
    path("orders/new/", orders.order_create, name="purchaseorder-create"),
    path("orders/compare/", orders.order_comparison, name="purchaseorder-comparison"),
    path("orders/compare/export/", orders.order_comparison_export, name="purchaseorder-comparison-export"),
    path("orders/<int:pk>/", orders.order_detail, name="purchaseorder-detail"),
    path("orders/<int:pk>/edit/", orders.order_update, name="purchaseorder-update"),
    path("orders/<int:pk>/lines/new/", orders.order_line_add, name="purchaseorder-line-add"),
    path("orders/<int:pk>/lines/allocation/", orders.order_allocation_choices, name="purchaseorder-allocation-choices"),
    path("orders/<int:pk>/place/", orders.order_place, name="purchaseorder-place"),
    path("orders/<int:pk>/cancel/", orders.order_cancel, name="purchaseorder-cancel"),
    path("order-lines/", orders.orderline_list, name="orderline-list"),
    path("order-lines/<int:pk>/remove/", orders.orderline_remove, name="orderline-remove"),
]
# --- end catalogue and orders ---

# --- deliveries, acceptance, self-bought, device list and lifecycle (views/deliveries.py, views/devices.py, views/purchases.py) ---
# devices (views/devices.py)
from .views import devices  # noqa: E402

urlpatterns += [
    path("register/", devices.device_list, name="device-list"),
    path("register/count/", devices.device_count, name="device-count"),
    path("register/export/", devices.device_export, name="device-export"),
    path("register/<int:pk>/", devices.device_detail, name="device-detail"),
    path("register/<int:pk>/status/", devices.device_transition, name="device-transition"),
    path("register/<int:pk>/edit/", devices.device_update_view, name="device-update"),
]
# deliveries and self-bought purchases (views/deliveries.py, views/purchases.py)
from .views import deliveries, purchases  # noqa: E402

urlpatterns += [
    path("deliveries/", deliveries.delivery_list, name="delivery-list"),
    path("deliveries/<int:pk>/", deliveries.delivery_detail, name="delivery-detail"),
    path("deliveries/<int:pk>/accept/", deliveries.delivery_accept_view, name="delivery-accept"),
    path("deliveries/<int:pk>/confirm/", deliveries.delivery_confirm, name="delivery-confirm"),
    path("purchases/", purchases.selfpurchase_list, name="selfpurchase-list"),
    path("purchases/new/", purchases.selfpurchase_create, name="selfpurchase-create"),
    path("purchases/<int:pk>/", purchases.selfpurchase_detail, name="selfpurchase-detail"),
]
# --- end deliveries ---

# --- recipients, assignment, scan loop (views/recipients.py, views/assignments.py) ---
from .views import assignments, recipients  # noqa: E402

urlpatterns += [
    path("recipients/", recipients.recipient_list, name="recipient-list"),
    path("recipients/new/", recipients.recipient_create_view, name="recipient-create"),
    path("recipients/<int:pk>/", recipients.recipient_detail, name="recipient-detail"),
    path("recipients/<int:pk>/edit/", recipients.recipient_edit, name="recipient-edit"),
    path("recipients/<int:pk>/deactivate/", recipients.recipient_deactivate_view, name="recipient-deactivate"),
    path("recipients/<int:pk>/activate/", recipients.recipient_activate_view, name="recipient-activate"),
    path("assignments/<int:pk>/return/", assignments.assignment_return, name="assignment-return"),
    path("handout/<int:school_pk>/", assignments.assignment_handout, name="assignment-handout"),
    path("handout/<int:school_pk>/scan/", assignments.assignment_handout_scan, name="assignment-handout-scan"),
    path("handout/<int:school_pk>/confirm/", assignments.assignment_handout_confirm, name="assignment-handout-confirm"),
]
# --- end recipients ---

# --- agreements (views/agreements.py) ---
from .views import agreements  # noqa: E402

urlpatterns += [
    path("agreement-templates/", agreements.agreement_template_list, name="agreementtemplate-list"),
    path("agreement-templates/new/", agreements.agreement_template_create, name="agreementtemplate-create"),
    path("agreement-templates/preview/", agreements.agreement_template_preview, name="agreementtemplate-preview"),
    path("agreement-templates/<int:pk>/", agreements.agreement_template_detail, name="agreementtemplate-detail"),
    path("agreement-templates/<int:pk>/edit/", agreements.agreement_template_edit, name="agreementtemplate-edit"),
    path("agreement-templates/<int:pk>/pdf/", agreements.agreement_template_pdf, name="agreementtemplate-pdf"),
    path(
        "agreement-templates/<int:pk>/activate/",
        agreements.agreement_template_activate,
        name="agreementtemplate-activate",
    ),
    path(
        "agreement-templates/<int:pk>/deactivate/",
        agreements.agreement_template_deactivate,
        name="agreementtemplate-deactivate",
    ),
    path("agreements/", agreements.user_agreement_list, name="useragreement-list"),
    path("agreements/print/", agreements.user_agreement_print, name="useragreement-print"),
    path("agreements/<int:pk>/", agreements.user_agreement_detail, name="useragreement-detail"),
    path("agreements/<int:pk>/pdf/", agreements.user_agreement_pdf, name="useragreement-pdf"),
    path("agreements/<int:pk>/record/", agreements.user_agreement_record, name="useragreement-record"),
    path("agreements/<int:pk>/scan/", agreements.user_agreement_scan, name="useragreement-scan"),
    # Public by design (no sign-in; the token is the proof): left out of the permission walk.
    path("agreements/accept/<str:token>/", agreements.user_agreement_accept, name="useragreement-accept"),
]
# --- end agreements ---

# --- board, tickets, access points (views/board.py, views/tickets.py, views/access_points.py) ---
from .views import access_points, board, tickets  # noqa: E402

urlpatterns += [
    path("board/", board.schoolrollout_list, name="schoolrollout-list"),
    path("board/programmes/<int:programme_pk>/", board.schoolrollout_board, name="schoolrollout-board"),
    path("board/programmes/<int:programme_pk>/start/", board.schoolrollout_start, name="schoolrollout-start"),
    path("board/schools/<int:pk>/", board.schoolrollout_detail, name="schoolrollout-detail"),
    path("board/schools/<int:pk>/status/", board.schoolrollout_status, name="schoolrollout-status"),
    path("board/schools/<int:pk>/phase/", board.schoolrollout_phase, name="schoolrollout-phase"),
    path("board/schools/<int:pk>/edit/", board.schoolrollout_update, name="schoolrollout-update"),
    path("board/schools/<int:pk>/steps/new/", board.schoolrollout_add_item, name="schoolrollout-add-item"),
    path("board/steps/<int:pk>/tick/", board.checklistitem_tick, name="checklistitem-tick"),
    path("tickets/", tickets.ticket_list, name="ticket-list"),
    path("tickets/new/", tickets.ticket_create, name="ticket-create"),
    path("tickets/<int:pk>/", tickets.ticket_detail, name="ticket-detail"),
    path("tickets/<int:pk>/acknowledge/", tickets.ticket_acknowledge, name="ticket-acknowledge"),
    path("tickets/<int:pk>/start/", tickets.ticket_start, name="ticket-start"),
    path("tickets/<int:pk>/resolve/", tickets.ticket_resolve, name="ticket-resolve"),
    path("tickets/<int:pk>/close/", tickets.ticket_close, name="ticket-close"),
    path("tickets/<int:pk>/replacement/", tickets.ticket_replacement, name="ticket-replacement"),
    path("access-points/", access_points.accesspointinstallation_list, name="accesspointinstallation-list"),
    path("access-points/new/", access_points.accesspointinstallation_create, name="accesspointinstallation-create"),
    path(
        "access-points/<int:pk>/", access_points.accesspointinstallation_detail, name="accesspointinstallation-detail"
    ),
    path(
        "access-points/<int:pk>/verify/",
        access_points.accesspointinstallation_verify,
        name="accesspointinstallation-verify",
    ),
]
# --- end board ---

# --- device-management exchange (views/exchange.py) ---
from .views import exchange  # noqa: E402

urlpatterns += [
    path("management-reports/", exchange.managementreport_list, name="managementreport-list"),
    path("management-reports/new/", exchange.managementreport_create, name="managementreport-create"),
    path("management-reports/<int:pk>/", exchange.managementreport_detail, name="managementreport-detail"),
    path("management-reports/<int:pk>/export.csv", exchange.managementreport_export, name="managementreport-export"),
    path("autopilot/", exchange.school_autopilot_choose, name="school-autopilot-choose"),
    path("schools/<int:pk>/autopilot/", exchange.school_autopilot, name="school-autopilot"),
    path("schools/<int:pk>/autopilot.csv", exchange.school_autopilot_csv, name="school-autopilot-csv"),
    path("schools/<int:pk>/autopilot-skipped.csv", exchange.school_autopilot_skipped, name="school-autopilot-skipped"),
    path("orders/<int:pk>/autopilot/", exchange.purchaseorder_autopilot, name="purchaseorder-autopilot"),
    path("orders/<int:pk>/autopilot.csv", exchange.purchaseorder_autopilot_csv, name="purchaseorder-autopilot-csv"),
    path(
        "orders/<int:pk>/autopilot-skipped.csv",
        exchange.purchaseorder_autopilot_skipped,
        name="purchaseorder-autopilot-skipped",
    ),
]
# --- end exchange ---
