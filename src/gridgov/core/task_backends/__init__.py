"""Backends of the Tasks API (django-tasks) that gridgov adds; see `celery`."""
