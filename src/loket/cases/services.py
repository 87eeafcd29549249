"""Operations on cases: the public face other apps call.

The operations live one per module in `loket.cases.operations` (see its
docstring for the guarantees they share); this module keeps their names where
callers have always imported them.
"""

from __future__ import annotations

from loket.cases.locks import lock_case
from loket.cases.operations.auto import run_auto_step
from loket.cases.operations.cancel import cancel
from loket.cases.operations.claim import claim_task
from loket.cases.operations.decide import decide
from loket.cases.operations.escalate import escalate_overdue
from loket.cases.operations.issue import issue, issue_parked
from loket.cases.operations.payment import expire_payment, settle_payment
from loket.cases.operations.reassign import reassign_task
from loket.cases.operations.resubmit import resubmit
from loket.cases.operations.submit import (
    IDEMPOTENCY_KEY_MAX,
    Submission,
    check_idempotency_key,
    idempotency_scope,
    submit,
)

__all__ = [
    "IDEMPOTENCY_KEY_MAX",
    "Submission",
    "cancel",
    "check_idempotency_key",
    "claim_task",
    "decide",
    "escalate_overdue",
    "expire_payment",
    "idempotency_scope",
    "issue",
    "issue_parked",
    "lock_case",
    "reassign_task",
    "resubmit",
    "run_auto_step",
    "settle_payment",
    "submit",
]
