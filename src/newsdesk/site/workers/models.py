"""Leases, host turns, shared robots.txt and failed tasks (see the package's docstring)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Lease(models.Model):
    """A named lease: held by one holder until released or until ``expires_at``.

    Names say what they guard: ``source:<id>`` (one poll of a source at a time), ``page:<hash>``
    (one fetch of a page at a time), ``host:<host>:<slot>`` (a request in flight to a host).
    """

    name = models.CharField(max_length=300, unique=True)
    holder = models.CharField(max_length=200)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder} until {self.expires_at:%H:%M:%S}"


class HostTurn(models.Model):
    """A host's turns (politeness across all workers): ``next_start`` is the first turn not yet
    given to a request, ``last_start`` when the last request to the host started."""

    host = models.CharField(max_length=300, unique=True)
    next_start = models.DateTimeField()
    last_start = models.DateTimeField(null=True, blank=True)


class RobotsRule(models.Model):
    """A robots.txt as fetched for an origin, shared by every worker until ``expires_at``.

    ``found`` False: the origin has no rules to obey (404, unreachable), which is cached too.
    """

    origin = models.CharField(max_length=300, unique=True)
    body = models.TextField(blank=True)
    found = models.BooleanField(default=False)
    fetched_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()


class TaskFailure(models.Model):
    """A task that failed on every attempt; an editor sees it in the admin and can run it again."""

    task = models.CharField(max_length=100)
    arguments = models.JSONField(default=list)
    key = models.CharField(max_length=300, db_index=True, help_text="What it was about (a source, a URL, an article).")
    error = models.TextField()
    attempts = models.PositiveIntegerField(default=1)
    source = models.ForeignKey("sources.Source", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="task_failures")
    created_at = models.DateTimeField(default=timezone.now)
    last_failed_at = models.DateTimeField(default=timezone.now)
    resolved = models.BooleanField(default=False, help_text="Ran again successfully, or dismissed by an editor.")

    class Meta:
        ordering = ["-last_failed_at"]
        constraints = [models.UniqueConstraint(fields=["task", "key"], condition=models.Q(resolved=False),
                                               name="one_open_failure_per_task")]

    def __str__(self) -> str:
        return f"{self.task} {self.key}"


class QueuedTask(models.Model):
    """A task queued and not yet done: the database's own record of the work handed to the broker.

    Written when the task is queued (``newsdesk.ingest.worker.publish``) and deleted when it has
    done its work. ``sent_at`` empty: the broker did not take it (away, restarting). The scheduler's
    tick sends those once the broker answers, and sends again a task sent long ago and still not
    done: a broker can lose a message (Redis hands one out in a reply that a dropped connection
    never delivers), and then this row is the only trace of it. So a broker outage delays work and
    loses none of it; a task sent twice finds its work done (every task is idempotent)."""

    task = models.CharField(max_length=100)
    task_id = models.CharField(max_length=64, blank=True,
                               help_text="Celery's id, the same each time it is sent: its runs' leases are its own.")
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    retries = models.PositiveIntegerField(default=0, help_text="Attempts the task had made already.")
    due_at = models.DateTimeField(default=timezone.now, help_text="Not to run before this.")
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True,
                                   help_text="When the broker last took it; empty: waiting for the broker.")
    resent = models.PositiveIntegerField(default=0, help_text="Times it was sent again, not done in time.")
    created_at = models.DateTimeField(default=timezone.now)
    error = models.TextField(blank=True, help_text="Why the broker did not take it, when it did not.")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        state = f"sent {self.sent_at:%H:%M:%S}" if self.sent_at else "waiting for the broker"
        return f"{self.task} {self.args} ({state})"
