"""Webhooks for integrations: subscriptions per machine account, deliveries through the outbox.

A delivery is an `OutboxMessage` of the webhook channel, so it gets the outbox's
retries with jittered exponential backoff, its dead-lettering, and its log
(attempts, last error, sent at). Each POST is signed like Stripe's and GOV.UK
Notify's callbacks expect to be checked:

    Loket-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

The receiver recomputes the HMAC with its subscription's secret and refuses a `t`
older than a few minutes, so a captured delivery cannot be replayed later.
Payloads carry no personal data: the tracking number, the event and the status.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import uuid
from functools import partial
from typing import Any

import requests
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.accounts.models import MachineAccount
from loket.core import prepared
from loket.core.errors import NotFound, ValidationError

from . import conf
from .channels import PermanentError, TransientError
from .models import Channel as ChannelKind
from .models import OutboxMessage, WebhookSubscription
from .services import _create_once, _request_delivery

# Event types a subscription may ask for; "ping" is the "send test event" call.
EVENT_TYPES = {
    "case.submitted": "an application was received",
    "case.decided": "an officer decided a task of the case",
    "case.returned": "the case was sent back to the applicant to complete or correct",
    "case.resubmitted": "the applicant sent the corrected application back",
    "case.closed": "the case ended (approved, rejected or cancelled)",
    "document.issued": "the case's document was issued",
    "document.revoked": "an issued document was revoked (it no longer verifies as valid)",
    "ping": "a test delivery asked for with POST /webhooks/{id}/test",
}
SIGNATURE_HEADER = "Loket-Signature"
MAX_SUBSCRIPTIONS = 20


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `Loket-Signature` header value for a body sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300) -> bool:
    """What a receiver does: the signature matches and is at most `tolerance` seconds old."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


@transaction.atomic
def subscribe(
    *, account: MachineAccount, url: str, event_types: list[str]
) -> tuple[WebhookSubscription, str]:
    """Add a subscription; returns it and its signing secret (shown this once)."""
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if not event_types or unknown:
        raise ValidationError(
            _("Unknown event type %(types)s; the event types are: %(known)s.")
            % {"types": ", ".join(unknown) or "-", "known": ", ".join(sorted(EVENT_TYPES))},
            field="event_types",
        )
    if not url.startswith(("https://", "http://")):
        raise ValidationError(_("Give an http or https URL."), field="url")
    if account.webhooks.filter(is_active=True).count() >= MAX_SUBSCRIPTIONS:
        raise ValidationError(
            _("An account may have at most %(max)d webhooks.") % {"max": MAX_SUBSCRIPTIONS},
            field="url",
        )
    secret = "whsec_" + secrets.token_urlsafe(32)
    subscription = WebhookSubscription.objects.create(
        machine_account=account, url=url, event_types=sorted(set(event_types)), secret=secret
    )
    return subscription, secret


def subscriptions_of(account: MachineAccount) -> list[WebhookSubscription]:
    return list(account.webhooks.filter(is_active=True))


def subscription_of(account: MachineAccount, subscription_id: int) -> WebhookSubscription:
    found = account.webhooks.filter(pk=subscription_id, is_active=True).first()
    if found is None:
        raise NotFound(
            _("There is no webhook %(id)s.") % {"id": subscription_id}, field="subscription_id"
        )
    return found


def unsubscribe(*, account: MachineAccount, subscription_id: int) -> None:
    subscription = subscription_of(account, subscription_id)
    subscription.is_active = False
    subscription.save(update_fields=["is_active"])


def deliveries_of(subscription: WebhookSubscription, *, limit: int = 50) -> list[OutboxMessage]:
    """The delivery log of a subscription, newest first."""
    return list(
        OutboxMessage.objects.filter(
            channel=ChannelKind.WEBHOOK, dedupe_key__startswith=f"{_recipient(subscription)}:"
        )[:limit]
    )


def _recipient(subscription: WebhookSubscription) -> str:
    return f"webhook:{subscription.pk}"


def _payload(event_type: str, data: dict[str, Any]) -> str:
    return json.dumps(
        {
            "id": str(uuid.uuid4()),
            "type": event_type,
            "created_at": timezone.now().isoformat(),
            "data": data,
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def _enqueue(subscription: WebhookSubscription, event_type: str, data: dict[str, Any]) -> int:
    message, _created = _create_once(
        dedupe_key=f"webhook:{subscription.pk}:{uuid.uuid4().hex}",
        channel=ChannelKind.WEBHOOK,
        event=event_type,
        defaults={
            "recipient": _recipient(subscription),
            "language": "en",
            "subject": event_type,
            "body": _payload(event_type, data),
        },
    )
    return message.pk


def any_subscription_sql(connection: Any, agency_column: str) -> str:
    """A scalar SQL expression, true when the agency whose id is in `agency_column` (an SQL
    column of the caller's statement) has an active subscription: `publish` then has
    someone to publish to. For a locking read to bring this along (cases.locks)."""
    quote = connection.ops.quote_name
    meta, accounts = WebhookSubscription._meta, MachineAccount._meta
    # Identifiers come from model metadata; the caller's column is its own SQL.
    return (
        f"EXISTS (SELECT 1 FROM {quote(meta.db_table)} ws "  # noqa: S608
        f"INNER JOIN {quote(accounts.db_table)} wa "
        f"ON ws.{quote(meta.get_field('machine_account').column)} = "  # type: ignore[arg-type]
        f"wa.{quote(accounts.pk.column)} "  # type: ignore[union-attr]
        f"WHERE ws.{quote(meta.get_field('is_active').column)} AND "  # type: ignore[arg-type]
        f"wa.{quote(accounts.get_field('agency').column)} = {agency_column})"  # type: ignore[arg-type]
    )


_subscriptions_sql: dict[str, tuple[str, tuple[Any, ...]]] = {}


def _active_subscriptions(agency_id: int) -> list[WebhookSubscription]:
    """The agency's active subscriptions (id and event types only), asked by every case
    event: one statement built once per process rather than an ORM join compiled per
    event (issue 11); event types go through the JSON field's converters as in the ORM."""
    connection = transaction.get_connection()
    found = _subscriptions_sql.get(connection.alias)
    if found is None:
        quote = connection.ops.quote_name
        meta, accounts = WebhookSubscription._meta, MachineAccount._meta
        types = meta.get_field("event_types")
        column = types.get_col(meta.db_table)  # type: ignore[attr-defined]
        converters = tuple(
            connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        )
        # Identifiers come from model metadata; the agency is a parameter.
        sql = (
            f"SELECT s.{quote(meta.pk.column)}, s.{quote(types.column)} "  # type: ignore[union-attr,arg-type]  # noqa: S608
            f"FROM {quote(meta.db_table)} s INNER JOIN {quote(accounts.db_table)} a "
            f"ON s.{quote(meta.get_field('machine_account').column)} = "  # type: ignore[arg-type]
            f"a.{quote(accounts.pk.column)} "  # type: ignore[union-attr]
            f"WHERE s.{quote(meta.get_field('is_active').column)} AND "  # type: ignore[arg-type]
            f"a.{quote(accounts.get_field('agency').column)} = %s"  # type: ignore[arg-type]
        )
        found = (sql, (column, converters))
        _subscriptions_sql[connection.alias] = found
    sql, (column, converters) = found
    with prepared.statement_cursor(connection) as cursor:
        cursor.execute(sql, [agency_id])
        rows = cursor.fetchall()
    subscriptions = []
    for pk, value in rows:
        for convert in converters:
            value = convert(value, column, connection)  # noqa: PLW2901
        subscriptions.append(
            WebhookSubscription.from_db(connection.alias, ["id", "event_types"], [pk, value])
        )
    return subscriptions


# savepoint=False: it runs in the caller's transaction (a case step) and adds no
# SAVEPOINT round trips to it; a failure here fails that step, as it should.
@transaction.atomic(savepoint=False)
def publish(*, agency_id: int, event_type: str, data: dict[str, Any]) -> list[int]:
    """Put a delivery in the outbox for each subscription of the agency's accounts that
    asked for `event_type`. Runs in the caller's transaction; sent after commit."""
    ids = [
        _enqueue(subscription, event_type, data)
        for subscription in _active_subscriptions(agency_id)
        if event_type in subscription.event_types
    ]
    if ids:
        transaction.on_commit(partial(_request_delivery, ids), robust=True)
    return ids


@transaction.atomic
def send_test_event(*, account: MachineAccount, subscription_id: int) -> OutboxMessage:
    """The "send test event" call: a signed `ping` delivery to one subscription."""
    subscription = subscription_of(account, subscription_id)
    message_id = _enqueue(subscription, "ping", {"subscription_id": subscription.pk})
    transaction.on_commit(partial(_request_delivery, [message_id]), robust=True)
    return OutboxMessage.objects.get(pk=message_id)


class WebhookChannel:
    """POSTs a webhook message's JSON body to its subscription's URL, signed.

    2xx is delivered; 5xx, 408, 429, timeouts and connection errors are retried
    with the outbox's backoff; other answers (and a removed subscription) are final.
    """

    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = timeout if timeout is not None else conf.sms_gateway_timeout()
        self._session = requests.Session()

    def send(self, message: OutboxMessage) -> None:
        subscription_id = int(message.recipient.removeprefix("webhook:") or 0)
        subscription = WebhookSubscription.objects.filter(
            pk=subscription_id, is_active=True
        ).first()
        if subscription is None:
            raise PermanentError("the webhook subscription was removed")
        body = message.body.encode()
        headers = {
            "Content-Type": "application/json",
            "Loket-Event": message.event,
            "Loket-Delivery": str(message.pk),
            SIGNATURE_HEADER: sign(subscription.secret, int(time.time()), body),
        }
        try:
            response = self._session.post(
                subscription.url, data=body, headers=headers, timeout=self.timeout
            )
        except requests.Timeout as exc:
            raise TransientError("webhook receiver timed out") from exc
        except requests.RequestException as exc:
            raise TransientError(f"webhook receiver unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise TransientError(f"webhook receiver answered HTTP {response.status_code}")
        if response.status_code >= 300:
            raise PermanentError(f"webhook receiver refused: HTTP {response.status_code}")

    def close(self) -> None:
        self._session.close()
