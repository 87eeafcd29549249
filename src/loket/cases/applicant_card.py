"""The applicant card: what the applicant's own view shows of their personal data, sealed
as one value on the case row.

The tracking GET shows the applicant's name, their NIK, e-mail and phone masked, the
submitted data with its personal fields masked, and the fee for that data. Read from
their own columns that is five decryptions per request (most of the request's work
beyond the case row); the card holds exactly those values, encrypted like the columns
it is made from (core.pii), so the GET decrypts once. It is written by the operations
that write those columns (submit, resubmit), in the same transaction. A row without a
card of this VERSION (older rows, rows written outside the operations) is served from
the columns, as before, so the card is a copy and never the only record.
"""

from __future__ import annotations

from typing import Any

from loket.cases import policy, ports
from loket.cases.models import Case
from loket.catalog.definitions import ServiceDefinition

# Bumped when what the card holds or how it is masked changes: older cards are ignored.
VERSION = 1
APPLICANT_KEYS = ("name", "nik", "email", "phone")


def make(
    definition: ServiceDefinition, *, name: str, nik: str, email: str, phone: str, data: Any
) -> dict[str, Any]:
    """The card for these values of the case's columns."""
    return {
        "v": VERSION,
        "applicant": policy.masked_applicant(name=name, nik=nik, email=email, phone=phone),
        "data": definition.masked_data(data),
        "fee": fee_of(definition, data),
    }


def keep(case: Case, definition: ServiceDefinition) -> None:
    """Write the card of the case's current columns on it (saved with the case)."""
    case.applicant_card = make(
        definition,
        name=case.applicant_name,
        nik=case.applicant_nik,
        email=case.applicant_email,
        phone=case.applicant_phone,
        data=case.data,
    )


def shown(card: Any) -> tuple[dict[str, str], dict[str, Any], int | None] | None:
    """(applicant, data, fee) from a card of this VERSION, else None."""
    if not isinstance(card, dict) or card.get("v") != VERSION:
        return None
    # Stored with its keys sorted (core.pii): back in the order the view writes them.
    applicant = {key: card["applicant"][key] for key in APPLICANT_KEYS}
    return applicant, card["data"], card["fee"]


def fee_of(definition: ServiceDefinition, data: Any) -> int | None:
    """The fee in rupiah for `data`; None if the service's rule cannot price it."""
    try:
        return ports.fee_for(definition.raw, data)
    except ports.rule_errors():
        return None
