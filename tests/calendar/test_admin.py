from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from loket.calendar.models import CalendarDay, WorkingCalendar
from loket.calendar.workingtime import is_working_day
from tests.conftest import english_client
from tests.helpers import login_with_second_factor
from tests.org.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_() -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.go.id", None)
    client = english_client()
    login_with_second_factor(client, user)
    return client


def test_day_added_in_the_calendar_page_counts_at_once(admin_client_: Client) -> None:
    calendar = WorkingCalendar.objects.create(agency=AgencyFactory())
    assert is_working_day(calendar.agency, dt.date(2026, 11, 24))

    response = admin_client_.post(
        reverse("admin:loket_calendar_workingcalendar_change", args=[calendar.pk]),
        {
            "agency": calendar.agency.pk,
            "working_weekdays": "1,2,3,4,5",
            "work_starts": "08:00:00",
            "work_ends": "16:00:00",
            "national_holidays": "on",
            "days-TOTAL_FORMS": "1",
            "days-INITIAL_FORMS": "0",
            "days-0-date": "2026-11-24",
            "days-0-kind": "closure",
            "days-0-description": "Pemadaman listrik",
        },
    )

    assert response.status_code == 302
    assert not is_working_day(calendar.agency, dt.date(2026, 11, 24))


def test_calendar_page_refuses_an_office_that_closes_before_it_opens(
    admin_client_: Client,
) -> None:
    agency = AgencyFactory()

    response = admin_client_.post(
        reverse("admin:loket_calendar_workingcalendar_add"),
        {
            "agency": agency.pk,
            "working_weekdays": "1,2,3,4,5",
            "work_starts": "16:00:00",
            "work_ends": "08:00:00",
            "national_holidays": "on",
            "days-TOTAL_FORMS": "0",
            "days-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert not WorkingCalendar.objects.filter(agency=agency).exists()


def test_calendar_page_refuses_weekdays_that_are_not_iso_numbers(admin_client_: Client) -> None:
    agency = AgencyFactory()

    response = admin_client_.post(
        reverse("admin:loket_calendar_workingcalendar_add"),
        {
            "agency": agency.pk,
            "working_weekdays": "Mon,Tue",
            "work_starts": "08:00:00",
            "work_ends": "16:00:00",
            "days-TOTAL_FORMS": "0",
            "days-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert not WorkingCalendar.objects.filter(agency=agency).exists()


def test_admin_action_loads_collective_leave(admin_client_: Client) -> None:
    calendar = WorkingCalendar.objects.create(agency=AgencyFactory())

    response = admin_client_.post(
        reverse("admin:loket_calendar_workingcalendar_changelist"),
        {"action": "load_collective_leave_action", "_selected_action": [calendar.pk]},
    )

    assert response.status_code == 302
    assert CalendarDay.objects.filter(calendar=calendar).exists()


@pytest.mark.parametrize("model", ["workingcalendar", "calendarday"])
def test_admin_lists_open(admin_client_: Client, model: str) -> None:
    WorkingCalendar.objects.create(agency=AgencyFactory())

    response = admin_client_.get(reverse(f"admin:loket_calendar_{model}_changelist"))

    assert response.status_code == 200
