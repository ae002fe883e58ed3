"""Who may do what with devices.

- Programme owners keep the catalogue, framework contracts, orders, agreement templates and the
  roll-out board; they read everything else and may move devices through their lifecycle.
- Funding administrators read everything of devices (orders against funding sources, evidence).
- Operator staff place orders for their operator, upload delivery files, accept deliveries, report
  self-bought devices, keep recipients and hand devices out, record agreements, open tickets,
  record and verify access points, and import device-management exports, for their schools.
- School coordinators do the same for their school, but place no orders.
- Suppliers read their contracts, orders and devices, upload delivery files, work their tickets,
  and record the access points they install.
- The auditor reads everything.
"""

from digileap.accounts.models import Role
from digileap.core.permissions import register_grants

READ = {"view"}
FULL = {"view", "add", "change", "delete"}
WRITE = {"view", "add", "change"}

CATALOGUE = ["devices.devicemodel", "devices.supplier", "devices.frameworkcontract", "devices.contractitem"]
ORDERS = ["devices.purchaseorder", "devices.orderline"]
DELIVERIES = ["devices.delivery", "devices.deliverydiscrepancy", "devices.selfpurchase"]
DEVICES = ["devices.device", "devices.deviceevent"]
ROLLOUT = ["devices.recipient", "devices.assignment", "devices.useragreement"]
TEMPLATES = ["devices.agreementtemplate"]
BOARD = ["devices.schoolrollout", "devices.checklistitem"]
AFTERCARE = ["devices.ticket", "devices.accesspointinstallation"]
EXCHANGE = ["devices.managementreport", "devices.manageddevice"]
EVERYTHING = CATALOGUE + ORDERS + DELIVERIES + DEVICES + ROLLOUT + TEMPLATES + BOARD + AFTERCARE + EXCHANGE


def _grant(models: list[str], actions: set[str]) -> dict[str, set[str]]:
    return {model: set(actions) for model in models}


register_grants(
    {
        Role.PROGRAMME_OWNER: {
            **_grant(EVERYTHING, READ),
            **_grant(CATALOGUE + ORDERS + TEMPLATES + BOARD, FULL),
            "devices.device": {"view", "change"},
        },
        Role.FUNDING_ADMINISTRATOR: _grant(EVERYTHING, READ),
        Role.OPERATOR_STAFF: {
            **_grant(CATALOGUE + TEMPLATES + EXCHANGE + DEVICES, READ),
            **_grant(ORDERS, FULL),
            **_grant(DELIVERIES + ROLLOUT + AFTERCARE + BOARD, WRITE),
            "devices.device": WRITE,
            "devices.managementreport": WRITE,
        },
        Role.SCHOOL_COORDINATOR: {
            **_grant(CATALOGUE + TEMPLATES + EXCHANGE + DEVICES + ["devices.orderline"], READ),
            **_grant(DELIVERIES + ROLLOUT + AFTERCARE + BOARD, WRITE),
            "devices.device": WRITE,
            "devices.managementreport": WRITE,
        },
        Role.SUPPLIER: {
            **_grant(CATALOGUE + ORDERS + DEVICES + ["devices.deliverydiscrepancy"], READ),
            "devices.delivery": WRITE,
            "devices.device": WRITE,
            "devices.ticket": {"view", "change"},
            "devices.accesspointinstallation": WRITE,
        },
        Role.AUDITOR: _grant(EVERYTHING, READ),
    }
)
