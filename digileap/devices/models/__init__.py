"""Devices: the catalogue, contracts and orders; deliveries and the devices with their lifecycle
events; recipients, assignments and user agreements; the roll-out board, aftercare tickets and
access-point installations; exchange with device-management tools.

One module per area; everything is importable from ``digileap.devices.models``.
"""

from .aftercare import AccessPointInstallation, Ticket
from .catalogue import ContractItem, DeviceModel, DeviceType, FrameworkContract, OrderLine, PurchaseOrder, Supplier
from .devices import (
    Condition,
    Delivery,
    DeliveryDiscrepancy,
    Device,
    DeviceEvent,
    DeviceStatus,
    SelfPurchase,
)
from .exchange import ManagedDevice, ManagementReport
from .rollout import (
    AgreementTemplate,
    Assignment,
    ChecklistItem,
    Recipient,
    SchoolRollout,
    UserAgreement,
)

__all__ = [
    "AccessPointInstallation",
    "AgreementTemplate",
    "Assignment",
    "ChecklistItem",
    "Condition",
    "ContractItem",
    "Delivery",
    "DeliveryDiscrepancy",
    "Device",
    "DeviceEvent",
    "DeviceModel",
    "DeviceStatus",
    "DeviceType",
    "FrameworkContract",
    "ManagedDevice",
    "ManagementReport",
    "OrderLine",
    "PurchaseOrder",
    "Recipient",
    "SchoolRollout",
    "SelfPurchase",
    "Supplier",
    "Ticket",
    "UserAgreement",
]
