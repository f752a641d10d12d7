"""HTML pages of the register (thin: a form parses, a selector or service runs, a template renders).

One module per room: `home` (the start page), `one_table` (a village's households and their
Excel download), `households` (a household, its members and history), `rounds` (update rounds),
`checklist` (the grid worker's checklist and the screener's sign-off queue), `inspections`
(inspection rounds of places and their checklists per place kind), `places`
(buildings and places), `imports` (spreadsheet imports). Readable history and proposed edits
are built by `register.presenters`, counts by `register.selectors`, writes by the services.
"""

from gridgov.register.views.checklist import checklist, edit_decide, item_detail, item_propose, item_unchanged, signoff
from gridgov.register.views.home import register_home
from gridgov.register.views.households import (
    household_death,
    household_detail,
    household_member_add,
    household_member_leave,
    household_member_update,
)
from gridgov.register.views.imports import MAX_UPLOAD_BYTES, PENDING_SESSION_KEY, import_template, register_import
from gridgov.register.views.inspections import (
    inspection_detail,
    inspection_list,
    inspection_photo,
    inspection_question,
    inspection_reopen,
    inspection_settings,
    inspection_unable,
)
from gridgov.register.views.one_table import one_table, one_table_xlsx
from gridgov.register.views.places import (
    building_create,
    building_detail,
    buildings_list,
    place_create,
    place_detail,
    places_list,
)
from gridgov.register.views.rounds import round_close, round_detail, rounds_list

__all__ = [
    "MAX_UPLOAD_BYTES", "PENDING_SESSION_KEY", "building_create", "building_detail", "buildings_list", "checklist",
    "edit_decide", "household_death", "household_detail", "household_member_add", "household_member_leave",
    "household_member_update", "import_template", "inspection_detail", "inspection_list", "inspection_photo",
    "inspection_question", "inspection_reopen", "inspection_settings", "inspection_unable", "item_detail", "item_propose", "item_unchanged", "one_table",
    "one_table_xlsx", "place_create", "place_detail", "places_list", "register_home", "register_import",
    "round_close", "round_detail", "rounds_list", "signoff",
]
