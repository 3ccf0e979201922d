"""LINE channel adapter: the resident dialogue (pure) and message builders.

Driving the dialogue (the worker; one resident's events strictly in webhook order, e.g. under
a row lock on the stored state, or photos of an image set get lost):

1. Load the stored state: ``state = load_state(row.state_json)`` (None = no dialogue open).
2. Turn the webhook event into an ``Event``: text -> ``TextEvent``, postback ->
   ``PostbackEvent(data)``, location -> ``LocationEvent(lat, lon, address)``, image ->
   ``ImageEvent(message_id)``; sticker / video / audio / file -> ``OtherMessageEvent(kind)``.
   Follow / unfollow and the rest are not dialogue events.
3. ``result = step(state, event, ctx)`` with a fresh ``DialogueContext`` (``now`` aware).
4. Perform ``result.actions`` in order, feeding results back in the same job:
   ``CheckLocation`` -> inside the municipality?, district, reverse-geocoded address and open
   reports of ``category_code`` within ``nearby_radius_m`` -> ``step(result.state,
   LocationChecked(...), ctx)``, keep its messages and actions too;
   ``SubmitReport`` -> ``workflow.reports.create.create(draft)`` (download the photos by message id
   now), then add ``messages.build_receipt(receipt_no, category_name, address, "受付")``;
   ``ShowMyReports`` -> add ``messages.build_my_reports(...)``;
   the bulky-waste booking's actions (``model_bulky``: ``SearchItems``, ``LoadDays``,
   ``SubmitBooking``, ``ShowMyBookings``, ``OpenBooking``, ``CancelBooking``,
   ``MoveBooking``) -> ``conversation_bulky``, whose results come back as events
   (``ItemsFound``, ``DaysFound``, ``BookingDone``, ``BookingRefused``, ``BookingOpened``,
   ``BookingChanged``).
5. Store ``result.state.to_json()`` (delete the row when None), then reply with all messages
   collected (at most 5 per reply; the dialogue itself never produces more than 3 at once).
6. Status pushes from staff: ``messages.build_status_notice(receipt_no, category, status)``.
"""

from api.line.dialogue import step
from api.line.model import (
    Action,
    CategoryChoice,
    CheckLocation,
    DialogueContext,
    DialogueState,
    Event,
    Flow,
    ImageEvent,
    LocationChecked,
    LocationEvent,
    Message,
    NearbyReport,
    OtherMessageEvent,
    PostbackEvent,
    ReportDraft,
    ShowMyReports,
    Step,
    StepResult,
    SubmitReport,
    TextEvent,
    load_state,
)

__all__ = [
    "Action",
    "CategoryChoice",
    "CheckLocation",
    "DialogueContext",
    "DialogueState",
    "Event",
    "Flow",
    "ImageEvent",
    "LocationChecked",
    "LocationEvent",
    "Message",
    "NearbyReport",
    "OtherMessageEvent",
    "PostbackEvent",
    "ReportDraft",
    "ShowMyReports",
    "Step",
    "StepResult",
    "SubmitReport",
    "TextEvent",
    "load_state",
    "step",
]
