"""Payment providers: who may tell Loket that a bill was paid, and how we check them.

One class per provider, registered by code (`@register`). A provider verifies
the signature of a callback over its raw body and parses it into a `Notice`;
everything after that (bill, amount, idempotency, the case) is the same for
every provider and lives in ``services.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.utils.translation import gettext as _

from loket.core.errors import LoketError, NotFound, ValidationError

SIGNATURE_HEADER = "X-Loket-Signature"
_TRANSACTION_ID = re.compile(r"[A-Za-z0-9._:/-]{1,100}")
_BILLING_CODE = re.compile(r"[0-9]{2,24}")


class SignatureError(LoketError):
    status = 401
    title = "Bad signature"


@dataclass(frozen=True)
class Notice:
    """What a provider says happened: this much was paid for this billing code."""

    transaction_id: str
    billing_code: str
    amount: int
    paid_at: dt.datetime
    channel: str = ""


class Provider(ABC):
    code: ClassVar[str]
    name: ClassVar[str]

    @abstractmethod
    def verify(self, body: bytes, signature: str) -> None:
        """Raise SignatureError unless `signature` proves the provider sent `body`."""

    @abstractmethod
    def parse(self, body: bytes) -> Notice:
        """The notice in a verified body; ValidationError naming the field otherwise."""


class HmacCallbackProvider(Provider):
    """A bank's host-to-host callback: JSON body, HMAC-SHA256 of the raw body with a
    shared secret in the `X-Loket-Signature: sha256=<hex>` header (docs/payments.md)."""

    code = "bank"
    name = "Bank persepsi (callback HMAC)"

    def secret(self) -> bytes:
        return str(settings.LOKET_PAYMENT_BANK_SECRET).encode()

    def sign(self, body: bytes) -> str:
        return "sha256=" + hmac.new(self.secret(), body, hashlib.sha256).hexdigest()

    def verify(self, body: bytes, signature: str) -> None:
        expected = self.sign(body)
        # Constant time: a timing difference must not reveal how much of a guess was right.
        if not signature or not hmac.compare_digest(expected.encode(), signature.strip().encode()):
            raise SignatureError(
                _("The %(header)s header is missing or does not match the body.")
                % {"header": SIGNATURE_HEADER},
                field=SIGNATURE_HEADER,
                code="bad_signature",
            )

    def parse(self, body: bytes) -> Notice:
        try:
            raw = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            raise ValidationError(_("The body is not JSON."), field="body") from None
        if not isinstance(raw, dict):
            raise ValidationError(_("The body must be a JSON object."), field="body")
        return Notice(
            transaction_id=_matching(raw, "transaction_id", _TRANSACTION_ID),
            billing_code=_matching(raw, "billing_code", _BILLING_CODE),
            amount=_amount(raw.get("amount")),
            paid_at=_moment(raw.get("paid_at")),
            channel=str(raw.get("channel") or "")[:40],
        )


class DemoProvider(HmacCallbackProvider):
    """The demo: a page where the applicant "pays", which signs and sends the callback
    a bank would, through the same checks. Never enable it in production."""

    code = "demo"
    name = "Demo"

    def secret(self) -> bytes:
        # Derived from the site's secret: known to this server only, nothing to configure.
        return hmac.new(settings.SECRET_KEY.encode(), b"loket-payments-demo", "sha256").digest()


PROVIDERS: dict[str, type[Provider]] = {}


def register(cls: type[Provider]) -> type[Provider]:
    PROVIDERS[cls.code] = cls
    return cls


register(HmacCallbackProvider)
register(DemoProvider)


def is_enabled(code: str) -> bool:
    if code == DemoProvider.code:
        return bool(settings.LOKET_PAYMENT_DEMO)
    if code == HmacCallbackProvider.code:
        return bool(settings.LOKET_PAYMENT_BANK_SECRET)
    return code in PROVIDERS


def provider(code: str) -> Provider:
    """The enabled provider with this code; NotFound otherwise (no hint which exist)."""
    if code not in PROVIDERS or not is_enabled(code):
        raise NotFound(_("There is no payment provider %(code)s.") % {"code": code[:40]},
                       field="provider")  # fmt: skip
    return PROVIDERS[code]()


def _matching(raw: dict[str, Any], key: str, pattern: re.Pattern[str]) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValidationError(_("%(field)s is missing or malformed.") % {"field": key}, field=key)
    return value


def _amount(value: Any) -> int:
    # Whole rupiah as a JSON integer: a float or text could hide rounding.
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationError(_("amount must be a positive whole number of rupiah."),
                              field="amount")  # fmt: skip
    return value


def _moment(value: Any) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValidationError(
            _("paid_at must be an ISO 8601 date and time with its UTC offset."), field="paid_at"
        )
    return moment
