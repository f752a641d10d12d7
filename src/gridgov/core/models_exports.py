"""The table of background exports (`gridgov.core.export_jobs`): one file a user asked for,
prepared by a worker, kept for a while in the file storage, downloaded by that user only.

Imported by `core/models.py`, so the table belongs to the `core` app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for a worker")
    RUNNING = "running", _("Being prepared")
    READY = "ready", _("Ready to download")
    FAILED = "failed", pgettext_lazy("export status", "Failed")
    REMOVED = "removed", _("Removed")


ACTIVE_STATUSES = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class ExportJob(models.Model):
    """A large export asked for by one user. `params` say what (a village and its filters);
    the worker checks again, as that user, that they may still have it."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_jobs",
                                     verbose_name=_("requested by"))
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(default=dict)
    # sha256 of the kind and the canonical params: the same request while one is under way is that one.
    request_key = models.CharField(max_length=64)
    title = models.CharField(_("title"), max_length=200)
    filename = models.CharField(max_length=120)
    org_code = models.CharField(max_length=15, blank=True)
    language = models.CharField(max_length=16, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # What the requester could see when the file was written (export_jobs.access_key): a
    # download after a change of role, capabilities, area or grid cells is refused.
    access_key = models.CharField(max_length=64, blank=True)
    downloads = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["requested_by", "-id"], name="core_exportjob_mine"),
            # The sweep: files past their time, work a lost task or a dead worker left behind,
            # and files of removed exports whose deletion failed.
            models.Index(fields=["status", "expires_at"], name="core_exportjob_sweep",
                         condition=Q(status__in=["queued", "running", "ready"]) | (Q(status="removed") & ~Q(file=""))),
        ]
        constraints = [
            models.UniqueConstraint(fields=["requested_by", "request_key"], name="core_exportjob_one_active_request",
                                    condition=Q(status__in=["queued", "running"])),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def progress(self) -> int | None:
        """Per cent done, when the total is known."""
        if self.status == ExportStatus.READY:
            return 100
        if not self.rows_total:
            return None
        return min(99, self.rows_done * 100 // self.rows_total)
