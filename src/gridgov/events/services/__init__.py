"""Writes of the event loop: intake, routing, every workflow action, merging duplicates.

`event_submit` registers a report from any channel; `event_act` takes one workflow action.
Both check permission, validate, write the event and its timeline in one transaction with
an audit entry, and send notifications after commit. Every change of an event's status
(also merging, the reporter's dispute, closing on site, routing on submission) goes through
`event_transition`, which reads the target of `workflow.TRANSITIONS`.

One module per part, all of it importable from here as before:
- transitions.py: `event_transition`, the steps' clocks, the timeline row;
- intake.py: `Submission`, `event_submit`, `require_may_report`;
- actions.py: `ActionRequest`, `event_act`, `check_action_allowed` and each action's work;
- reporter.py: `event_merge`, `access_event_by_token`, `event_reporter_rate`, `event_reporter_dispute`;
- rules.py: `routing_rule_save`, `routing_rule_end`.
"""

from gridgov.events.services.actions import ActionRequest, check_action_allowed, event_act
from gridgov.events.services.intake import Submission, event_submit, require_may_report
from gridgov.events.services.reporter import (
    access_event_by_token,
    event_merge,
    event_reporter_dispute,
    event_reporter_rate,
)
from gridgov.events.services.rules import routing_rule_end, routing_rule_save
from gridgov.events.services.transitions import MAX_DESCRIPTION, MAX_PHOTOS, UNIT_CAPABILITIES, event_transition

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_PHOTOS",
    "UNIT_CAPABILITIES",
    "ActionRequest",
    "Submission",
    "access_event_by_token",
    "check_action_allowed",
    "event_act",
    "event_merge",
    "event_reporter_dispute",
    "event_reporter_rate",
    "event_submit",
    "event_transition",
    "require_may_report",
    "routing_rule_end",
    "routing_rule_save",
]
