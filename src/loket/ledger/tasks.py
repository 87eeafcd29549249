"""Background work for the ledger: folding queued entries, signing tree heads."""

from __future__ import annotations

from django_tasks import task

from loket.ledger import services


@task()
def sign_tree_head_task() -> int | None:
    """Sign a tree head if the log grew since the last one; returns the signed size.

    Folds the queued entries first, so the head covers every committed event."""
    services.fold_pending()
    head = services.sign_tree_head_if_grown()
    return head.size if head is not None else None
