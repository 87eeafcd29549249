"""Webhook subscriptions of a machine account (scope `webhooks`), their deliveries, a test call."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Path, Router, Schema, Status
from pydantic import Field

from loket.api.auth import machine_auth, require_scope
from loket.api.responses import problems
from loket.notify import webhooks
from loket.notify.models import OutboxMessage, WebhookSubscription

router = Router(tags=["webhooks"], auth=machine_auth)
SUBSCRIPTION_ID = Path(..., ge=1, le=2**31 - 1)


class SubscriptionIn(Schema):
    url: str = Field(min_length=8, max_length=500, description="http(s) URL that takes POSTs")
    event_types: list[str] = Field(
        min_length=1, max_length=len(webhooks.EVENT_TYPES), description="e.g. case.submitted"
    )


class SubscriptionOut(Schema):
    id: int
    url: str
    event_types: list[str]
    created_at: dt.datetime


class CreatedSubscriptionOut(SubscriptionOut):
    secret: str = Field(description="Signing secret (HMAC-SHA256); shown only in this answer")


class DeliveryOut(Schema):
    id: int
    event_type: str
    status: str = Field(description="pending, sending, sent, failed or dead")
    attempts: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str


def _out(subscription: WebhookSubscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=subscription.pk,
        url=subscription.url,
        event_types=subscription.event_types,
        created_at=subscription.created_at,
    )


def _delivery(message: OutboxMessage) -> DeliveryOut:
    return DeliveryOut(
        id=message.pk,
        event_type=message.event,
        status=message.status,
        attempts=message.attempts,
        created_at=message.created_at,
        next_attempt_at=message.next_attempt_at,
        sent_at=message.sent_at,
        last_error=message.last_error,
    )


@router.get(
    "", response=list[SubscriptionOut], summary="My webhooks", openapi_extra=problems(401, 403)
)
def list_subscriptions(request: HttpRequest) -> list[SubscriptionOut]:
    account = require_scope(request, "webhooks")
    return [_out(s) for s in webhooks.subscriptions_of(account)]


@router.post(
    "",
    response={201: CreatedSubscriptionOut},
    summary="Subscribe a URL to event types (the signing secret is shown once)",
    openapi_extra=problems(400, 401, 403, 415, 422),
)
def create_subscription(request: HttpRequest, body: SubscriptionIn) -> Status:
    account = require_scope(request, "webhooks")
    subscription, secret = webhooks.subscribe(
        account=account, url=body.url, event_types=body.event_types
    )
    return Status(201, {**_out(subscription).dict(), "secret": secret})


@router.delete(
    "/{subscription_id}",
    response={204: None},
    summary="Remove a webhook",
    openapi_extra=problems(401, 403, 404, 422),
)
def delete_subscription(request: HttpRequest, subscription_id: int = SUBSCRIPTION_ID) -> Status:
    account = require_scope(request, "webhooks")
    webhooks.unsubscribe(account=account, subscription_id=subscription_id)
    return Status(204, None)


@router.post(
    "/{subscription_id}/test",
    response={202: DeliveryOut},
    summary="Send a signed test event (type ping) to the webhook",
    openapi_extra=problems(401, 403, 404, 422),
)
def send_test_event(request: HttpRequest, subscription_id: int = SUBSCRIPTION_ID) -> Status:
    account = require_scope(request, "webhooks")
    message = webhooks.send_test_event(account=account, subscription_id=subscription_id)
    return Status(202, _delivery(message))


@router.get(
    "/{subscription_id}/deliveries",
    response=list[DeliveryOut],
    summary="The delivery log of a webhook, newest first",
    openapi_extra=problems(401, 403, 404, 422),
)
def list_deliveries(
    request: HttpRequest, subscription_id: int = SUBSCRIPTION_ID
) -> list[DeliveryOut]:
    account = require_scope(request, "webhooks")
    subscription = webhooks.subscription_of(account, subscription_id)
    return [_delivery(m) for m in webhooks.deliveries_of(subscription)]
