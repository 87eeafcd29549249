"""`loket purge-expired-drafts`: delete application drafts past LOKET_DRAFT_DAYS.

Their codes go with them; their uploads become orphans that `loket
purge-orphan-files` removes after its grace period.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from loket.portal.drafts import purge_expired


class Command(BaseCommand):
    help = "Delete application drafts that expired (LOKET_DRAFT_DAYS after their last change)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"deleted {purge_expired()} expired draft(s)")
