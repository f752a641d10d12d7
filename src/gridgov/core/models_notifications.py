"""Tables of notifications (`gridgov.core.notifications`): what a person was told in the app,
each delivery through a channel (e-mail, SMS), and what each user wants to receive.

Imported by `core/models.py`, so the tables belong to the `core` app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.fields import EncryptedTextField


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


# The channels a user may switch on or off; the app always shows every notification.
OPTIONAL_CHANNELS = (Channel.EMAIL, Channel.SMS)


class Notification(models.Model):
    """One thing a user was told in the app: what happened, in words, and a link to the record."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name=_("recipient"))
    kind = models.CharField(_("kind"), max_length=40)
    text = models.CharField(_("text"), max_length=500)
    link = models.CharField(_("link"), max_length=300, blank=True)
    org_code = models.CharField(max_length=15, blank=True)
    # What the notification is about, for clients that show it ("events.event", 12, "320583-20261201-0001").
    subject_type = models.CharField(max_length=40, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    subject_label = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="core_notification_unread")]

    def __str__(self) -> str:
        return self.text


class Delivery(models.Model):
    """One sending of a notification through one channel, to a user or to a person without an
    account (a family member told of a crisis by SMS). The address is encrypted; the masked
    form is what operators see."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="deliveries")
    kind = models.CharField(_("kind"), max_length=40)
    org_code = models.CharField(max_length=15, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = EncryptedTextField(blank=True)
    address_masked = models.CharField(_("address"), max_length=120, blank=True)
    # The words sent (a copy: an account-less recipient has no notification row).
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    text = models.CharField(_("text"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="core_delivery_due")]

    def __str__(self) -> str:
        return f"{self.channel} {self.address_masked} ({self.status})"


class NotificationPreference(models.Model):
    """A user's choice for one kind of notification and one channel (e-mail or SMS). Without a
    row the kind's default holds; the app itself always shows every notification."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=[(c.value, c.label) for c in OPTIONAL_CHANNELS])
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind", "channel"], name="core_notification_pref_once")]


class NotificationContact(models.Model):
    """The mobile number a user receives SMS notifications on (encrypted)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_contact")
    sms_phone = EncryptedTextField(_("mobile phone for SMS"), blank=True)

    class Meta:
        verbose_name = _("notification contact")
        verbose_name_plural = _("notification contacts")
