"""Notification operations: put messages in the outbox, deliver them, retry them, read them.

Guarantees:
- ``enqueue`` writes in the caller's transaction: if the caller rolls back, no
  message exists; if it commits, the message will be delivered.
- A message is claimed under a lease before it is sent and marked sent right
  after, so under normal operation it is sent once. Only if a worker dies
  between handing a message over and recording it (power cut, SIGKILL) is the
  message sent again after the lease expires: at-least-once, never lost.
"""

from __future__ import annotations

import logging
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.core import prepared, ratelimit, taskqueue
from loket.core.errors import ConflictError, ValidationError

from . import conf
from .channels import Channel, PermanentError, TransientError, open_channels
from .models import Channel as ChannelKind
from .models import Language, OutboxMessage, Status
from .recipients import normalize_email, normalize_phone, scrub
from .rendering import Rendered, render

logger = logging.getLogger("loket.notify")
security_log = logging.getLogger("loket.security")

_LEASE_EXPIRED = "lease expired: the worker stopped before recording the outcome"
# `Language.values` builds its list anew on every read (an enum walk per message).
_LANGUAGES = frozenset(Language.values)


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    dead: int = 0
    released: int = 0  # expired leases taken back by a sweep

    def add(self, other: DeliveryReport) -> None:
        for field in ("claimed", "sent", "retrying", "failed", "dead", "released"):
            setattr(self, field, getattr(self, field) + getattr(other, field))


def enqueue(
    *,
    event: str,
    language: str,
    email: str | None = None,
    phone: str | None = None,
    user: AbstractBaseUser | None = None,
    context: dict[str, Any],
    dedupe_key: str,
    jobs: list[Any] | None = None,
) -> list[OutboxMessage]:
    """Put one message per given channel (e-mail, SMS, in-app) in the outbox.

    Runs inside the caller's transaction. Idempotent: for a ``dedupe_key`` and
    channel already in the outbox the existing row is returned and nothing is
    sent again; reusing a key for a different event raises ConflictError.
    The text is rendered now, so later template changes do not alter it. The worker
    is asked to send (in this transaction when the task queue is in the database,
    else after commit); in-app messages are delivered at once. Everything that can be
    refused is checked before the first write. With `jobs`, a delivery request to be
    written in this transaction is not written but appended there
    (`core.taskqueue.enqueue_into`), for the caller to write with its own closing writes
    (the case engine: one round trip fewer).
    """
    if language not in _LANGUAGES:
        raise ValidationError(
            _("Unsupported notification language: %(language)s") % {"language": language},
            field="language",
        )
    if not dedupe_key or len(dedupe_key) > 200:
        raise ValidationError(_("A deduplication key of 1–200 characters is required."))
    targets: list[tuple[str, str, AbstractBaseUser | None]] = []
    if email:
        targets.append((ChannelKind.EMAIL, normalize_email(email), None))
    if phone:
        targets.append((ChannelKind.SMS, normalize_phone(phone), None))
    if user is not None:
        targets.append((ChannelKind.INAPP, "", user))
    if not targets:
        raise ValidationError(_("A notification needs an e-mail address, a phone or a user."))
    # The short text is rendered only for an SMS (most messages have none).
    rendered = render(event, language, context, short=any(t[0] == ChannelKind.SMS for t in targets))
    # No savepoint inside the caller's transaction (a step's): two statements fewer per
    # message. A failure after the first write leaves that transaction unusable, so
    # no partial outbox can be committed; alone, this is a transaction of its own.
    with transaction.atomic(savepoint=False):
        return _write(event, language, dedupe_key, targets, rendered, jobs=jobs)


def _write(
    event: str,
    language: str,
    dedupe_key: str,
    targets: list[tuple[str, str, AbstractBaseUser | None]],
    rendered: Rendered,
    *,
    jobs: list[Any] | None = None,
) -> list[OutboxMessage]:
    now = timezone.now()
    fresh = [
        _message(
            dedupe_key=dedupe_key,
            channel=channel,
            event=event,
            now=now,
            recipient=recipient,
            recipient_user=recipient_user,
            language=language,
            subject="" if channel == ChannelKind.SMS else rendered.subject,
            body=rendered.short_text if channel == ChannelKind.SMS else rendered.body,
        )
        for channel, recipient, recipient_user in targets
    ]
    inserted = {message.pk for message in _insert_unless_present(fresh)}
    # The SMS limit is charged only for a text actually new (a repeat of a message in
    # the outbox is not a new text); a refused one is taken out again, which spares
    # every enqueue a look-up first.
    refused = [m for m in fresh if m.pk in inserted and not _sms_allowed(m, dedupe_key)]
    if refused:
        OutboxMessage.objects.filter(pk__in=[m.pk for m in refused]).delete()
        fresh = [m for m in fresh if m not in refused]
    messages, to_deliver = [], []
    for candidate in fresh:
        # No id: a twin with this key and channel was there first; that one stands.
        message = candidate if candidate.pk else _existing(dedupe_key, candidate.channel, event)
        messages.append(message)
        if message.pk in inserted and message.status == Status.PENDING:
            to_deliver.append(message.pk)
    if to_deliver:
        if _queue_in_database():
            # The queue is a table of this database: the request commits with the
            # messages (a transactional outbox), with no second commit after ours.
            _request_delivery(to_deliver, jobs)
        else:
            # robust: if the task queue is unavailable the commit still stands and
            # the periodic sweep sends the messages.
            transaction.on_commit(partial(_request_delivery, to_deliver), robust=True)
    return messages


def _queue_in_database() -> bool:
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db import DatabaseBackend

    # The backend itself: `default_task_backend` is a proxy, never a DatabaseBackend,
    # so testing it sent every request after commit, in a second transaction.
    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def _sms_allowed(message: OutboxMessage, dedupe_key: str) -> bool:
    """Texts to one phone are limited (SMS pumping costs money and floods a stranger).
    Asked only of a message just inserted, so each text is charged once."""
    if message.channel != ChannelKind.SMS:
        return True
    if ratelimit.allow(
        "sms.phone",
        message.recipient,
        limit=settings.LOKET_SMS_PER_PHONE,
        window_seconds=settings.LOKET_SMS_WINDOW_SECONDS,
    ):
        return True
    security_log.warning("sms.limited dedupe_key=%s", dedupe_key)
    return False


def _message(
    *, dedupe_key: str, channel: str, event: str, now: datetime, **fields: Any
) -> OutboxMessage:
    is_inapp = channel == ChannelKind.INAPP
    message: OutboxMessage = prepared.new(
        OutboxMessage,
        dedupe_key=dedupe_key,
        channel=channel,
        event=event,
        created_at=now,
        next_attempt_at=now,
        # In-app delivery is the committed row itself.
        status=Status.SENT if is_inapp else Status.PENDING,
        sent_at=now if is_inapp else None,
        attempts=1 if is_inapp else 0,
        **fields,
    )
    return message


def _create_once(
    *, dedupe_key: str, channel: str, event: str, defaults: dict[str, Any]
) -> tuple[OutboxMessage, bool]:
    """One message in the outbox unless its key and channel is there (then that one)."""
    message = _message(
        dedupe_key=dedupe_key, channel=channel, event=event, now=timezone.now(), **defaults
    )
    if _insert_unless_present([message]):
        return message, True
    return _existing(dedupe_key, channel, event), False


def _existing(dedupe_key: str, channel: str, event: str) -> OutboxMessage:
    existing = OutboxMessage.objects.get(dedupe_key=dedupe_key, channel=channel)
    if existing.event != event:
        raise ConflictError(
            _("The deduplication key is already used for another notification."),
            field="dedupe_key",
        )
    return existing


_insert_sql: dict[tuple[str, int], tuple[str, list[Any], list[prepared.Preparer]]] = {}


def _build_insert(db: Any, count: int) -> tuple[str, list[Any], list[prepared.Preparer]]:
    """The statement of `_insert_unless_present` for `count` rows, built once."""
    quote = db.ops.quote_name
    fields = [f for f in OutboxMessage._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(quote(str(f.column)) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    values = ", ".join([row] * count)
    table = quote(OutboxMessage._meta.db_table)
    key = quote(str(OutboxMessage._meta.pk.column))  # type: ignore[union-attr]
    channel = quote(str(OutboxMessage._meta.get_field("channel").column))
    # Identifiers come from model metadata, values are parameters.
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {values} "  # noqa: S608
        f"ON CONFLICT DO NOTHING RETURNING {key}, {channel}"
    )
    return sql, fields, [prepared.preparer(db, f) for f in fields]


def _insert_unless_present(messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """Insert every row whose key and channel is not taken, in one statement; the
    inserted ones (their ids set). One INSERT ... ON CONFLICT DO NOTHING: no look-up
    first and no savepoint, and a concurrent twin's row leaves the caller's
    transaction intact. SQLite 3.35+ and PostgreSQL both answer RETURNING only for
    new rows, so the returned channel tells which."""
    if not messages:
        return []
    db = transaction.get_connection()
    key = (db.vendor, len(messages))
    built = _insert_sql.get(key)
    if built is None:
        built = _build_insert(db, len(messages))
        _insert_sql[key] = built
    sql, fields, preparers = built
    params = [
        prepare(getattr(m, f.attname), db)
        for m in messages
        for f, prepare in zip(fields, preparers, strict=True)
    ]
    with prepared.statement_cursor(db) as cursor:
        cursor.execute(sql, params)
        ids = {str(found_channel): int(found_id) for found_id, found_channel in cursor.fetchall()}
    inserted = []
    for message in messages:  # one message per channel in a call
        if message.channel in ids:
            message.pk = ids[message.channel]
            message._state.adding = False
            message._state.db = db.alias
            inserted.append(message)
    return inserted


def _request_delivery(message_ids: list[int], jobs: list[Any] | None = None) -> None:
    from .tasks import deliver_outbox  # the tasks module imports this one

    # With `jobs`, written by the caller, in this transaction.
    taskqueue.enqueue_into(jobs, deliver_outbox, message_ids=message_ids)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed ones: 1 min × 2^(n-1), capped, jittered.

    The jitter (between half and all of the delay) keeps messages that failed
    together, e.g. during an SMTP outage, from all retrying in the same second.
    """
    exponent = min(max(attempts - 1, 0), 30)
    delay = min(conf.backoff_base() * (2**exponent), conf.backoff_cap())
    jittered: timedelta = delay / 2 + delay / 2 * random.random()  # noqa: S311 - jitter
    return jittered


def deliver_due(
    limit: int = 100, *, message_ids: list[int] | None = None, now: datetime | None = None
) -> DeliveryReport:
    """Claim up to `limit` due messages, send each, record the outcome.

    Claiming is one short transaction; sending happens outside it, each outcome
    in its own transaction, so a slow SMTP server holds no database lock. Do
    not call this inside a transaction: a rollback would forget a sent mark.
    """
    now = now or timezone.now()
    claimed = _claim(limit=limit, message_ids=message_ids, now=now)
    report = DeliveryReport(claimed=len(claimed))
    if not claimed:
        return report
    channels = open_channels()
    try:
        for message in claimed:
            outcome = _send_one(message, channels, now=now)
            setattr(report, outcome, getattr(report, outcome) + 1)
    finally:
        for channel in channels.values():
            channel.close()
    return report


def _claim(*, limit: int, message_ids: list[int] | None, now: datetime) -> list[OutboxMessage]:
    token = secrets.token_hex(16)
    with transaction.atomic():
        due = OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        if message_ids is not None:
            due = due.filter(pk__in=message_ids)
        due = due.order_by("next_attempt_at", "pk")
        # PostgreSQL: concurrent workers skip each other's rows. SQLite has no
        # row locks; our IMMEDIATE transactions take the write lock at BEGIN, so
        # claims are serialised instead.
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        OutboxMessage.objects.filter(pk__in=ids, status=Status.PENDING).update(
            status=Status.SENDING, claim_token=token, claimed_at=now
        )
    return list(OutboxMessage.objects.filter(claim_token=token, status=Status.SENDING))


def _send_one(message: OutboxMessage, channels: dict[str, Channel], *, now: datetime) -> str:
    """Send one claimed message; return the report field its outcome counts in."""
    channel = channels.get(message.channel)
    try:
        if channel is None:
            raise PermanentError(f"no such channel: {message.channel}")
        channel.send(message)
    except PermanentError as exc:
        return _record_failure(message, exc, permanent=True, now=now)
    except TransientError as exc:
        return _record_failure(message, exc, permanent=False, now=now)
    except Exception as exc:
        # A bug or an unforeseen error in a channel: retry with backoff so the
        # message dead-letters visibly instead of stopping the whole pass.
        logger.exception("outbox message %s: unexpected error in channel", message.pk)
        return _record_failure(message, exc, permanent=False, now=now)
    _record_sent(message)
    return "sent"


def _record_sent(message: OutboxMessage) -> None:
    # Not conditioned on our claim token: the message did go out, so whatever
    # happened to the lease meanwhile, recording it prevents another send.
    updated = (
        OutboxMessage.objects.filter(pk=message.pk)
        .exclude(status=Status.SENT)
        .update(
            status=Status.SENT,
            sent_at=timezone.now(),
            attempts=F("attempts") + 1,
            claim_token="",
            last_error="",
        )
    )
    if message.claim_token and not updated:
        logger.warning("outbox message %s was already recorded as sent", message.pk)
    logger.info("outbox message %s (%s, %s) sent", message.pk, message.event, message.channel)


def _record_failure(
    message: OutboxMessage, exc: Exception, *, permanent: bool, now: datetime
) -> str:
    attempts = message.attempts + 1
    if permanent:
        status, outcome = Status.FAILED, "failed"
    elif attempts >= conf.max_attempts():
        status, outcome = Status.DEAD, "dead"
    else:
        status, outcome = Status.PENDING, "retrying"
    error = scrub(f"{type(exc).__name__}: {exc}", recipient=message.recipient)
    # Only while we still hold the claim: after a lost lease another worker owns the row.
    OutboxMessage.objects.filter(
        pk=message.pk, status=Status.SENDING, claim_token=message.claim_token
    ).update(
        status=status,
        attempts=attempts,
        last_error=error,
        claim_token="",
        next_attempt_at=now + backoff(attempts) if status == Status.PENDING else now,
    )
    logger.warning(
        "outbox message %s (%s, %s) attempt %s: %s -> %s",
        message.pk,
        message.event,
        message.channel,
        attempts,
        error,
        status,
    )
    return outcome


def release_expired_leases(*, now: datetime | None = None) -> int:
    """Put messages stuck in `sending` past the lease (their worker died) back in the queue.

    The interrupted try counts as an attempt, so a message that kills its
    worker every time ends up dead instead of looping forever.
    """
    now = now or timezone.now()
    expired = OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=now - conf.lease())
    changes = {"attempts": F("attempts") + 1, "claim_token": "", "last_error": _LEASE_EXPIRED}
    with transaction.atomic():
        dead = expired.filter(attempts__gte=conf.max_attempts() - 1).update(
            status=Status.DEAD, **changes
        )
        retried = expired.update(status=Status.PENDING, next_attempt_at=now, **changes)
    if dead or retried:
        logger.warning("released %s expired outbox leases (%s dead)", dead + retried, dead)
    return dead + retried


def sweep_outbox(
    *, now: datetime | None = None, batch: int = 100, max_batches: int = 50
) -> DeliveryReport:
    """What the worker runs periodically: take back expired leases, then send what is due.

    Catches messages whose prompt delivery task was lost and retries whose
    backoff has elapsed. Bounded so one sweep cannot run forever.
    """
    report = DeliveryReport(released=release_expired_leases(now=now))
    for _batch in range(max_batches):
        result = deliver_due(batch, now=now)
        report.add(result)
        if result.claimed < batch:
            break
    return report


@transaction.atomic
def retry_now(*, message_ids: list[int]) -> int:
    """Operator action: send these failed, dead or waiting messages again as soon as possible.

    The attempt count starts over; sent messages and those being sent are left alone.
    """
    updated = OutboxMessage.objects.filter(
        pk__in=message_ids, status__in=[Status.PENDING, Status.FAILED, Status.DEAD]
    ).update(status=Status.PENDING, attempts=0, next_attempt_at=timezone.now())
    if updated:
        transaction.on_commit(partial(_request_delivery, list(message_ids)), robust=True)
    return updated


@transaction.atomic
def mark_read(*, user: AbstractBaseUser, message_ids: list[int] | None = None) -> int:
    """Mark the user's in-app notifications read (all unread ones when no ids are given)."""
    unread = OutboxMessage.objects.filter(
        channel=ChannelKind.INAPP, recipient_user_id=user.pk, read_at__isnull=True
    )
    if message_ids is not None:
        unread = unread.filter(pk__in=message_ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def purge_finished(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete messages that are done with (sent, failed, dead) and older than `older_than`.

    Data minimisation (UU PDP): a message body keeps the applicant's name and an
    officer's reason; once delivered long ago it serves no one. Pending and
    in-flight messages are never touched; in-app messages are kept until read.
    """
    cutoff = (now or timezone.now()) - older_than
    finished = OutboxMessage.objects.filter(
        status__in=[Status.SENT, Status.FAILED, Status.DEAD], created_at__lt=cutoff
    ).exclude(channel=ChannelKind.INAPP, read_at__isnull=True)
    deleted, _by_model = finished.delete()
    return int(deleted)
