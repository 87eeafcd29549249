"""An acting official sees, before it happens, that their Surat Perintah runs out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from loket.org.models import Appointment
from tests.workspace.conftest import officer

pytestmark = pytest.mark.django_db


def _dewi_ends_in(days: int) -> None:
    today = timezone.localdate()
    Appointment.objects.filter(officer=officer("dewi")).update(
        end_date=today + dt.timedelta(days=days)
    )


def test_plt_is_warned_within_the_agency_warning_period(demo, signed_in):
    _dewi_ends_in(5)
    page = signed_in("dewi").get("/workspace/").content.decode()
    assert 'data-testid="acting-expiry"' in page
    assert "Surat Perintah" in page


def test_no_warning_before_the_period_or_for_definitive_holders(demo, signed_in):
    _dewi_ends_in(30)  # the demo agency warns 14 days ahead
    dewi = signed_in("dewi").get("/workspace/").content.decode()
    assert 'data-testid="acting-expiry"' not in dewi
    page = signed_in("andi").get("/workspace/").content.decode()
    assert 'data-testid="acting-expiry"' not in page
    assert "SK 800.1/" in page


def test_the_worker_warns_a_plt_once_through_the_outbox(demo):
    from loket.notify.models import OutboxMessage
    from loket.notify.reminders import warn_expiring_acting

    _dewi_ends_in(5)
    assert warn_expiring_acting() == 1
    warn_expiring_acting()  # a second run sends nothing new
    sent = OutboxMessage.objects.filter(event="acting_designation_expiring")
    recipients = [m.recipient for m in sent]  # encrypted at rest: compared in Python
    assert recipients.count("dewi@kotacontoh.go.id") == 1


def test_no_warning_message_outside_the_period(demo):
    from loket.notify.models import OutboxMessage
    from loket.notify.reminders import warn_expiring_acting

    _dewi_ends_in(30)
    assert warn_expiring_acting() == 0
    assert not OutboxMessage.objects.filter(event="acting_designation_expiring").exists()
