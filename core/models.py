from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """Last sign of life of each Celery worker, written through the broker by a scheduled task."""

    hostname = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self):
        return f"{self.hostname} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class TaskOutbox(models.Model):
    """A task to send to the broker, written in the same transaction as the change that calls for it.

    If the broker (Redis) is down when the transaction commits, the row waits here and core.outbox.relay_outbox
    sends it once the broker answers again: a page that saves something never fails, and no queued work is lost.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Set by whoever is publishing the row; a claim older than the lease is taken over (its publisher died).
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.task} #{self.pk} ({'sent' if self.sent_at else 'pending'})"


class ImportJobStatus(models.TextChoices):
    QUEUED = "QUEUED", _("Waiting to be checked")
    VALIDATING = "VALIDATING", _("Checking the file")
    READY = "READY", _("Checked: waiting for your confirmation")
    REFUSED = "REFUSED", _("Refused")
    CONFIRMED = "CONFIRMED", _("Confirmed: waiting to be imported")
    APPLYING = "APPLYING", _("Importing")
    DONE = "DONE", _("Imported")
    FAILED = "FAILED", _("Failed")
    CANCELLED = "CANCELLED", _("Cancelled")


class ImportJob(models.Model):
    """One uploaded file on its way in: checked by a background task (a dry run whose result is the preview),
    confirmed by its owner, then applied by a second task (tcms/imports.py). Knows no domain app: `kind` names an
    import registered by an app (core.imports.register)."""

    kind = models.CharField(_("kind"), max_length=40)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs",
                              verbose_name=_("owner"))
    # The file waits in the private storage (no URL serves it) under `stored_name` until applied or refused.
    file_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(max_length=255, blank=True)
    language = models.CharField(max_length=10, default="en")
    status = models.CharField(_("status"), max_length=12, choices=ImportJobStatus.choices,
                              default=ImportJobStatus.QUEUED, db_index=True)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.kind} {self.file_name} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_IMPORT_STATUSES

    @property
    def percent(self) -> int:
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0


RUNNING_IMPORT_STATUSES = (ImportJobStatus.QUEUED, ImportJobStatus.VALIDATING, ImportJobStatus.CONFIRMED,
                           ImportJobStatus.APPLYING)
