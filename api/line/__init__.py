"""LINE channel adapter: the webhook route, the resident dialogue (pure) and message builders.

Modules: ``webhook`` (``POST /line/webhook``: signature, events stored by ``workflow.line.inbox``),
``processor`` (the worker's side: one stored event per short transaction), ``conversation``
(one turn: ``dialogue.step`` plus its actions), ``dialogue`` / ``model`` / ``flows_report`` /
``navigation`` / ``stepspec`` / ``turn`` (the pure state machine), ``prompts`` / ``messages`` /
``flex`` / ``texts`` (what the resident reads), ``notices`` (status pushes), ``richmenu``,
``events`` and ``postback`` (parsing); ``bulky/`` is the bulky-waste booking dialogue.

Driving the dialogue (``processor`` and ``conversation``; one resident's events strictly in
webhook order, e.g. under a row lock on the stored state, or photos of an image set get lost):

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
   ``SubmitReport`` -> ``workflow.reports.create.create_report`` plus
   ``workflow.line.reports.add_line_photos`` (downloaded right after by
   ``workflow.reports.photos``), then add ``messages.build_receipt(...)``;
   ``ShowMyReports`` -> add ``messages.build_my_reports(...)``;
   the bulky-waste booking's actions (``bulky.model``: ``SearchItems``, ``LoadDays``,
   ``SubmitBooking``, ``ShowMyBookings``, ``OpenBooking``, ``CancelBooking``,
   ``MoveBooking``) -> ``bulky.conversation``, whose results come back as events
   (``ItemsFound``, ``DaysFound``, ``BookingDone``, ``BookingRefused``, ``BookingOpened``,
   ``BookingChanged``).
5. Store ``result.state.to_json()`` (delete the row when None), then reply with all messages
   collected (at most 5 per reply; the dialogue itself never produces more than 3 at once).
6. Status pushes from staff: ``notices.status_notice`` (``messages.build_status_notice``).
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
