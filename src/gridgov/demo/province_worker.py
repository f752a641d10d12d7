"""The entry points of the province seed's worker processes (`demo.province`). Kept apart and
free of model imports: a spawned process imports this module before Django is set up."""


def init(keys: list[str]) -> None:
    import django

    django.setup()
    from django.conf import settings

    settings.FIELD_KEYS = list(keys)  # the parent's keys, whatever the settings module makes


def run(task):
    from gridgov.demo.province import county_rows

    return county_rows(task)
