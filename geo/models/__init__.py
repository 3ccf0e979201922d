"""GeoAlchemy2 models. Importing this package registers every table on ``Base.metadata``."""

from geo.models.base import SRID, Base
from geo.models.bulky import (
    Booking,
    BookingContact,
    BookingItem,
    BulkyItem,
    CollectionDay,
    CollectionZone,
)
from geo.models.disaster import DisasterLog
from geo.models.fleet import Facility, Route, RoutePlan, RouteStop, Vehicle
from geo.models.open311 import Open311Key, Open311Request
from geo.models.platform import PlatformOperator
from geo.models.reports import (
    DialogueState,
    OutboxMessage,
    Photo,
    ReceiptCounter,
    Report,
    ReportMessage,
    Resident,
    ResidentContact,
    StatusHistory,
    WebhookEvent,
)
from geo.models.roads import RoadEdge, RoadVertex
from geo.models.tenancy import (
    Category,
    Department,
    District,
    EvacuationSite,
    LineChannel,
    Municipality,
    StaffUser,
)
from geo.models.web import PinFailure, ReportPin

__all__ = [
    "SRID",
    "Base",
    "Booking",
    "BookingContact",
    "BookingItem",
    "BulkyItem",
    "Category",
    "CollectionDay",
    "CollectionZone",
    "Department",
    "DialogueState",
    "DisasterLog",
    "District",
    "EvacuationSite",
    "Facility",
    "LineChannel",
    "Municipality",
    "Open311Key",
    "Open311Request",
    "OutboxMessage",
    "Photo",
    "PinFailure",
    "PlatformOperator",
    "ReceiptCounter",
    "Report",
    "ReportPin",
    "ReportMessage",
    "Resident",
    "ResidentContact",
    "RoadEdge",
    "RoadVertex",
    "Route",
    "RoutePlan",
    "RouteStop",
    "StaffUser",
    "Vehicle",
    "StatusHistory",
    "WebhookEvent",
]
