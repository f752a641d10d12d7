"""What core asks the program apps about one person, without importing them.

Core's emergency access and access log need three facts that only the care app holds: is
this user the person's program officer, which enrollments an emergency grant opens, and
who is the officer on the person's care team. The app registers a provider from its
`AppConfig.ready` (`register_person_programs`); without one (care not installed) the
answers are "no", "none" and "nobody". The dependency stays one-way: apps import core.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PersonPrograms:
    # (user, person_id) -> the user is the officer of one of the person's enrollments
    officer_of_person: Callable[[object, int], bool]
    # (person_ids) -> the enrollments of those people (rows with `.pk` and `.person_id`)
    enrollments_of_people: Callable[[set[int]], Iterable]
    # (person_id) -> the users who are the officer on the person's care team
    team_officers_of_person: Callable[[int], Iterable]


_PROVIDERS: list[PersonPrograms] = []


def register_person_programs(provider: PersonPrograms) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def officer_of_person(user, person_id: int) -> bool:
    return any(p.officer_of_person(user, person_id) for p in _PROVIDERS)


def enrollments_of_people(person_ids: set[int]) -> list:
    return [enrollment for p in _PROVIDERS for enrollment in p.enrollments_of_people(person_ids)]


def team_officers_of_person(person_id: int) -> list:
    return [user for p in _PROVIDERS for user in p.team_officers_of_person(person_id)]
