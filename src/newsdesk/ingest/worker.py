"""Ingest on Celery workers over a broker (``NEWSDESK_BROKER_URL``: Redis or RabbitMQ).

Three tasks, each taking ids (or a feed entry as plain data), idempotent, writing in one
transaction, acknowledged only once done (so the broker gives a killed worker's task to another):

* ``poll`` (queue ``<prefix>.fetch``): read a source's feeds and queue a ``page`` for each entry
  not stored yet. One worker polls a source at a time (lease ``source:<id>``).
* ``page`` (``<prefix>.fetch``): fetch and extract one entry's page and store it; its stages are
  queued as a ``stages`` task. One worker fetches a page at a time (lease ``page:<hash>``). When
  the host's turn is far away, the task is queued again for then instead of holding a worker.
* ``stages`` (``<prefix>.derive``): the stages after store (``stages.AFTER_STORE``: copies,
  entities, story, Check Also, pictures), then the article's ``stages_pending`` mark is cleared.

Fetch and database errors are retried with growing pauses (``NEWSDESK_TASK_ATTEMPTS``); a task
that fails every time leaves a ``TaskFailure`` an editor sees in the admin. Politeness and
robots.txt are shared by every worker through the database (``coordination``).

Every task is queued with ``publish``, which first records it in the database (``QueuedTask``);
the task deletes its record when it has done its work. The scheduler's tick (``send_queued``)
sends the records the broker did not take (away, restarting) and sends again those sent long ago
and not done: Redis hands a message out in the reply to a pop, and a connection dropped at that
moment loses it for good. A broker outage delays work and loses none; a task sent twice finds its
work done.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import random
import threading
import uuid
from datetime import datetime, timedelta

from celery import Celery, Task
from kombu.exceptions import OperationalError as KombuOperationalError
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, transaction
from django.utils import timezone

from newsdesk.pipeline.errors import (BlockedAddress, FetchError, HTTPStatusError, PipelineError, RobotsDisallowed,
                                      TooLarge, TooManyRedirects)
from newsdesk.pipeline.fetch import Fetcher, HostBusy
from newsdesk.pipeline.model import FeedEntry

from . import coordination, stages
from .fetching import make_fetcher
from .store import NEW

log = logging.getLogger("newsdesk.worker")

QUEUES = ("fetch", "derive")
# Longest a poll, a page or an article's stages may hold its lease; a killed worker's lease
# frees itself after this.
LEASE_SECONDS = {"source": 600.0, "page": 300.0}
# Longest a task waits for its host's turn before queueing itself for then: a worker waiting for
# one outlet's turn could be fetching from another meanwhile.
HOST_WAIT = 0.25
TEMPLATE_EVERY = 10.0  # seconds: a source's template is learned again at most this often
DATABASE_ERRORS = (OperationalError, InterfaceError)
# Publishing a task while the broker is away (restarting, a dropped connection).
BROKER_ERRORS = (KombuOperationalError, OSError)  # OSError: ConnectionError and the socket's own
# How long publishing a task tries the broker before keeping the task in the database instead:
# a dropped connection is usually back within this, a restarting broker is not.
PUBLISH_RETRY = {"max_retries": 3, "interval_start": 0.2, "interval_step": 0.4, "interval_max": 1.0}
QUEUED_BATCH = 500  # recorded tasks sent per scheduler tick
RESEND_LIMIT = 10  # times a task is sent again before it is recorded as failed

app = Celery("newsdesk")
_configured = threading.Lock()
_state = threading.local()


def queue_name(kind: str) -> str:
    return f"{settings.NEWSDESK['QUEUE']}.{kind}"


def configure() -> Celery:
    """Configure the Celery app from newsdesk's settings (once per process); returns it."""
    with _configured:
        if app.conf.get("newsdesk_configured"):
            return app
        conf = settings.NEWSDESK
        if not conf["BROKER_URL"]:
            raise RuntimeError("NEWSDESK_BROKER_URL is not set: there is no broker to queue tasks on")
        redeliver = int(conf["REDELIVER_SECONDS"])
        logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request is noise at this scale
        app.conf.update(
            newsdesk_configured=True,
            broker_url=str(conf["BROKER_URL"]),
            broker_connection_retry_on_startup=True,
            broker_connection_max_retries=None,  # a broker restarting is waited for, however long
            broker_transport_options={
                # Redis: a task a vanished worker held goes to another after this; RabbitMQ ignores it
                # and gives it again when that worker's connection drops.
                "visibility_timeout": redeliver,
                "unacked_restore_interval": max(1, min(10, redeliver // 4)),
                "unacked_restore_throttle": 1,
                # The lock a restoring worker holds; one whose connection drops mid-sweep cannot
                # release it, and no worker restored anything until it expired (five minutes).
                "unacked_mutex_expire": max(5, min(300, redeliver)),
                "global_keyprefix": f"{conf['QUEUE']}:",
            },
            task_acks_late=True,
            task_reject_on_worker_lost=True,
            worker_prefetch_multiplier=1,
            worker_cancel_long_running_tasks_on_connection_loss=True,
            task_serializer="json",
            accept_content=["json"],
            task_ignore_result=True,
            result_backend=None,
            task_default_queue=queue_name("fetch"),
            task_routes={"newsdesk.stages": {"queue": queue_name("derive")},
                         "newsdesk.template": {"queue": queue_name("derive")}},
            task_soft_time_limit=max(30, redeliver - 60),
            task_time_limit=max(40, redeliver - 30),
            worker_hijack_root_logger=False,
            worker_redirect_stdouts=False,
            enable_utc=True,
        )
        # Celery's Django support closes the database connection before and after every task
        # unless this is set, and a new PostgreSQL connection costs more than most tasks' own
        # queries. Tasks keep it (``IngestTask`` replaces one that is broken or too old).
        app.conf["CELERY_DB_REUSE_MAX"] = 1_000_000
        return app


def _fetcher() -> Fetcher:
    """This process's fetcher (one per worker process, made after the fork)."""
    fetcher = getattr(_state, "fetcher", None)
    if fetcher is None or getattr(_state, "pid", None) != os.getpid():
        fetcher = _state.fetcher = make_fetcher(max_wait=HOST_WAIT)
        _state.pid = os.getpid()
    return fetcher


def _attempts() -> int:
    return int(settings.NEWSDESK["TASK_ATTEMPTS"])


def _pause(retries: int) -> float:
    """Seconds before the next try: 2, 4, 8 ... up to five minutes, with jitter."""
    return min(300.0, 2.0 ** (retries + 1)) * (0.75 + random.random() / 2)


class IngestTask(Task):
    """Retries fetch and database errors, then records the failure; never loses the connection."""

    abstract = True
    typing = False  # ``ticket``, newsdesk's own argument, is taken off before the task runs
    kind = ""

    def __call__(self, *args, **kwargs):
        close_old_connections()  # a connection the database dropped meanwhile is replaced
        ticket = kwargs.pop("ticket", None)
        _state.ticket, _state.keep = ticket, False
        try:
            result = self._run(args, kwargs)  # raising, it is not done: its record is sent again later
        finally:
            _state.ticket = None
        if ticket is not None and not _state.keep:
            done(ticket)
        return result

    def _run(self, args: tuple, kwargs: dict):
        retries = self.request.retries or 0
        try:
            return super().__call__(*args, **kwargs)
        except DATABASE_ERRORS as exc:
            # The database is away (restarting, failing over): nothing can be stored or recorded
            # meanwhile, so the task waits for it however long it takes, rather than be dropped.
            close_old_connections()
            log.warning("%s %s: database error (%s); trying again", self.name, self.failure_key(*args), exc)
            return self.again_later(args, kwargs, min(60.0, _pause(retries)))
        except PipelineError as exc:
            if retryable(exc) and retries + 1 < _attempts():
                log.warning("%s %s failed (%s); trying again", self.name, self.failure_key(*args), exc)
                return self.again_later(args, kwargs, _pause(retries))
            record_failure(self.name, list(args), self.failure_key(*args), str(exc), retries + 1,
                           self.source_of(*args))
            return None
        finally:
            close_old_connections()

    def again_later(self, args: tuple, kwargs: dict, countdown: float) -> None:
        """Queue this task again as its next attempt, in ``countdown`` seconds. Not Celery's
        ``retry``: that drops the task when the broker does not take the copy, ``publish`` keeps it."""
        publish(self, args, kwargs, countdown=countdown, retries=(self.request.retries or 0) + 1,
                ticket=getattr(_state, "ticket", None), task_id=self.request.id)
        return None

    def failure_key(self, *args) -> str:
        return str(args[0]) if args else ""

    def source_of(self, *args) -> int | None:
        return None


def retryable(exc: PipelineError) -> bool:
    """Whether trying again later may succeed: timeouts, dropped connections, 5xx and 429 answers;
    not a 404, a page over the size limit, robots.txt's refusal or a page without article text."""
    if isinstance(exc, (BlockedAddress, RobotsDisallowed, TooLarge, TooManyRedirects)):
        return False
    if isinstance(exc, HTTPStatusError):
        return exc.status is None or exc.status >= 500 or exc.status in (408, 425, 429)
    return isinstance(exc, FetchError)


def record_failure(task: str, arguments: list, key: str, error: str, attempts: int, source_id: int | None) -> None:
    """Keep a failed task for the admin; the open record of the same task and key is updated."""
    from newsdesk.site.sources.models import Source
    from newsdesk.site.workers.models import TaskFailure

    log.error("%s %s failed after %d attempts: %s", task, key, attempts, error)
    try:
        if source_id is not None and not Source.objects.filter(pk=source_id).exists():
            source_id = None
        with transaction.atomic():
            failure, created = TaskFailure.objects.select_for_update().get_or_create(
                task=task, key=key[:300], resolved=False,
                defaults={"arguments": arguments, "error": error[:5000], "attempts": attempts, "source_id": source_id})
            if not created:
                failure.error, failure.last_failed_at = error[:5000], timezone.now()
                failure.attempts += attempts
                failure.save(update_fields=["error", "last_failed_at", "attempts"])
    except DatabaseError:
        log.exception("could not record the failure of %s %s", task, key)


def resolve_failures(task: str, key: str) -> None:
    from newsdesk.site.workers.models import TaskFailure

    TaskFailure.objects.filter(task=task, key=key[:300], resolved=False).update(resolved=True)


# -- entries as plain data ----------------------------------------------------------------------
def entry_to_data(entry: FeedEntry) -> dict:
    data = dataclasses.asdict(entry)
    for name in ("published", "updated"):
        if data[name] is not None:
            data[name] = data[name].isoformat()
    return data


def entry_from_data(data: dict) -> FeedEntry:
    values = dict(data)
    for name in ("published", "updated"):
        if values.get(name):
            values[name] = datetime.fromisoformat(values[name])
    for name in ("authors", "categories"):
        values[name] = tuple(values.get(name) or ())
    known = {f.name for f in dataclasses.fields(FeedEntry)}
    return FeedEntry(**{k: v for k, v in values.items() if k in known})


# -- the tasks ----------------------------------------------------------------------------------
class PollTask(IngestTask):
    def failure_key(self, source_id, *args) -> str:
        return f"source:{source_id}"

    def source_of(self, source_id, *args) -> int | None:
        return source_id


def _kept(fetcher: Fetcher, turn: list | None):
    """The host turn a task was queued again for (see ``SharedGates.kept``)."""
    gates = fetcher.gates
    if turn and isinstance(gates, coordination.SharedGates):
        return gates.kept(turn[0], turn[1])
    return contextlib.nullcontext()


def _again(task, args: tuple, busy: HostBusy) -> None:
    """Queue the task again for the turn its host kept for it. Waiting for a turn is no attempt:
    the copy carries on the attempts the task had made, so a failing page is not tried more
    often than ``NEWSDESK_TASK_ATTEMPTS`` for having waited between tries."""
    turn = [busy.host, busy.reserved] if busy.reserved else None
    publish(task, args, {"turn": turn}, countdown=max(0.0, busy.retry_in), retries=task.request.retries or 0,
            ticket=getattr(_state, "ticket", None), task_id=task.request.id)


@app.task(base=PollTask, bind=True, name="newsdesk.poll")
def poll(self, source_id: int, turn: list | None = None) -> int | None:
    """Read a source's feeds and queue its new entries; returns how many were queued."""
    from . import polling

    holder = self.request.id or coordination.holder_id()
    with coordination.held(f"source:{source_id}", holder, LEASE_SECONDS["source"]) as mine:
        if not mine:
            log.info("source %s is being polled by another worker", source_id)
            return None
        fetcher = _fetcher()
        try:
            with _kept(fetcher, turn):
                # Feed errors are the source's health (its backoff and last error, in the admin).
                result = polling.poll_source(source_id, fetcher, queue=_queue_page)
        except HostBusy as busy:
            _again(self, (source_id,), busy)
            return None
    return result.queued


def _queue_page(source_id: int, entry: FeedEntry) -> None:
    publish(page, (source_id, entry_to_data(entry)))


class PageTask(IngestTask):
    def failure_key(self, source_id, entry, *args) -> str:
        return str(entry.get("url", ""))

    def source_of(self, source_id, *args) -> int | None:
        return source_id


@app.task(base=PageTask, bind=True, name="newsdesk.page")
def page(self, source_id: int, entry: dict, turn: list | None = None) -> str | None:
    """Fetch, extract and store one feed entry's page; queue its stages. Returns the outcome."""
    from . import polling

    parsed = entry_from_data(entry)
    holder = self.request.id or coordination.holder_id()
    with coordination.held(coordination.page_lease(parsed.url), holder, LEASE_SECONDS["page"]) as mine:
        if not mine:
            # Its record stays: should the other one never finish, it is sent again.
            log.info("%s is being fetched by another worker", parsed.url)
            _state.keep = True
            return None
        fetcher = _fetcher()
        try:
            with _kept(fetcher, turn):
                outcome, article_id, pending = polling.fetch_and_store(source_id, parsed, fetcher)
        except HostBusy as busy:
            _again(self, (source_id, entry), busy)
            return None
    if article_id is not None and pending:
        # Queued after the article is committed; a redelivered page finds it stored, and queues
        # its stages again while they have not ended.
        _queue_stages(article_id, holder)
    if outcome == NEW:
        _queue_template(source_id)
    resolve_failures(self.name, parsed.url)
    return outcome


def _queue_stages(article_id: int, holder: str) -> None:
    ticket, sent = publish(stages_task, (article_id,))
    if not sent:
        # The broker is away: the stages run here rather than wait for it.
        log.info("running the stages of article %s here", article_id)
        stages.after_store(article_id, holder=holder)
        done(ticket)


def _queue_template(source_id: int) -> None:
    """Learn the source's template again from its new pages, at most every TEMPLATE_EVERY seconds
    and always after the last of them: a page stored while one is queued is seen by it."""
    learner = coordination.holder_id()
    if not coordination.claim(f"template:{source_id}", learner, TEMPLATE_EVERY):
        return
    publish(template, (source_id,), countdown=TEMPLATE_EVERY)


class StagesTask(IngestTask):
    def failure_key(self, article_id, *args) -> str:
        return f"article:{article_id}"


@app.task(base=StagesTask, bind=True, name="newsdesk.stages")
def stages_task(self, article_id: int) -> None:
    """Run the stages after store on one article (idempotent; each stage its own transaction)."""
    stages.after_store(article_id, holder=self.request.id)
    resolve_failures(self.name, f"article:{article_id}")


@app.task(base=PollTask, bind=True, name="newsdesk.template")
def template(self, source_id: int) -> bool:
    """Learn a source's template again from its recent pages and re-extract them."""
    from .templates import refresh_template

    return refresh_template(source_id, reextract=True)


# -- queueing -----------------------------------------------------------------------------------
def enqueue_polls(source_ids: list[int]) -> int:
    """Queue a poll of each source; returns how many were queued."""
    configure()
    for source_id in source_ids:
        publish(poll, (source_id,))
    return len(source_ids)


def publish(task, args: tuple, kwargs: dict | None = None, *, countdown: float = 0.0, retries: int = 0,
            ticket: int | None = None, task_id: str | None = None) -> tuple[int, bool]:
    """Record ``task`` in the database and queue it on the broker; returns its record's id and
    whether the broker took it.

    When the broker does not take it, the record waits for the scheduler to send it
    (``send_queued``). ``ticket``: the record of the task being queued again (a retry, a task back
    for its host's turn), which it keeps; ``task_id``: its Celery id, kept as Celery's own retries
    keep it, so that it takes over the leases it held (a lease a run could not release while the
    database was away is its own, not another worker's). Only a database that is away as well
    loses the task: the error then reaches the caller."""
    from newsdesk.site.workers.models import QueuedTask

    kwargs = dict(kwargs or {})
    now = timezone.now()
    due = now + timedelta(seconds=countdown)
    fields = {"task": task.name, "task_id": task_id or str(uuid.uuid4()), "args": list(args), "kwargs": kwargs,
              "retries": retries, "due_at": due, "sent_at": now, "error": ""}
    if ticket is not None and QueuedTask.objects.filter(pk=ticket).update(**fields):
        _state.keep = True  # the task queued itself again: not done
    else:
        ticket = QueuedTask.objects.create(**fields).pk
    try:
        _send(task, args, kwargs, ticket, fields["task_id"], retries, countdown)
    except BROKER_ERRORS as exc:
        QueuedTask.objects.filter(pk=ticket).update(sent_at=None, error=str(exc)[:2000])
        log.warning("broker unavailable (%s); %s %s kept to be queued when it is back", exc, task.name,
                    str(list(args))[:200])
        return ticket, False
    return ticket, True


def _send(task, args, kwargs: dict, ticket: int, task_id: str | None, retries: int, countdown: float) -> None:
    """Hand one recorded task to the broker (BROKER_ERRORS when it does not take it)."""
    task.apply_async(tuple(args), {**kwargs, "ticket": ticket}, countdown=countdown or None, retries=retries,
                     task_id=task_id or None, retry=True, retry_policy=PUBLISH_RETRY)


def done(ticket: int) -> None:
    """A task's work is done: its record goes (a database away keeps it: it is sent again later)."""
    from newsdesk.site.workers.models import QueuedTask

    try:
        QueuedTask.objects.filter(pk=ticket).delete()
    except DatabaseError as exc:
        log.warning("could not mark task record %s done (%s); it will be sent again", ticket, exc)


def resend_after() -> float:
    """Seconds after which a task sent and not done is sent again: twice the time after which
    Redis gives a vanished worker's task to another, so that the broker's own redelivery comes first."""
    return 2.0 * float(settings.NEWSDESK["REDELIVER_SECONDS"])


def send_queued(limit: int = QUEUED_BATCH) -> int:
    """Send the recorded tasks the broker did not take, and again those sent long ago and not
    done, oldest first; returns how many went. Several schedulers may run this at once: each
    record is sent by the one that locked it."""
    from django.db.models import Q

    from newsdesk.site.workers.models import QueuedTask

    now = timezone.now()
    late = now - timedelta(seconds=resend_after())
    sent = resent = 0
    with transaction.atomic():
        rows = list(QueuedTask.objects.select_for_update(skip_locked=True)
                    .filter(Q(sent_at__isnull=True) | Q(sent_at__lt=late, due_at__lt=late)).order_by("id")[:limit])
        for row in rows:
            task = app.tasks.get(row.task)
            if task is None:  # a task this version no longer has
                log.error("dropping queued task %s %s: no such task", row.task, row.args)
                row.delete()
                continue
            again = row.sent_at is not None
            if again and row.resent >= RESEND_LIMIT:
                record_failure(row.task, row.args, task.failure_key(*row.args),
                               f"sent {row.resent + 1} times and never done", row.retries + 1,
                               task.source_of(*row.args))
                row.delete()
                continue
            try:
                _send(task, row.args, row.kwargs, row.pk, row.task_id, row.retries,
                      max(0.0, (row.due_at - now).total_seconds()))
            except BROKER_ERRORS as exc:
                log.warning("broker still unavailable (%s); %d task(s) waiting", exc, len(rows) - sent - resent)
                break
            row.sent_at, row.error = now, ""
            if again:
                row.resent += 1
                resent += 1
            else:
                sent += 1
            row.save(update_fields=["sent_at", "error", "resent"])
    if sent:
        log.info("queued %d task(s) held while the broker was away", sent)
    if resent:
        log.warning("queued again %d task(s) sent %d s ago or more and not done (lost by the broker?)",
                    resent, int(resend_after()))
    return sent + resent
