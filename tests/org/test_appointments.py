from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError

from loket.core.errors import ValidationError
from loket.org.models import Appointment, Capacity, Position
from loket.org.services import appoint, end_appointment
from tests.org.factories import AgencyFactory, OfficerFactory, PositionFactory

pytestmark = pytest.mark.django_db

D = dt.date


def officer_for(position: Position, **kwargs):  # type: ignore[no-untyped-def]
    return OfficerFactory(agency=position.agency, **kwargs)


@pytest.fixture
def position() -> Position:
    return PositionFactory(title="Kepala Bidang Perizinan", is_head=True)


def test_appoint_stores_the_appointment(position: Position) -> None:
    officer = officer_for(position)

    appointment = appoint(
        officer=officer,
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2026, 1, 5),
        decree_number=" 800/12/2026 ",
    )

    stored = Appointment.objects.get(pk=appointment.pk)
    assert (stored.officer, stored.position, stored.capacity) == (officer, position, "definitive")
    assert (stored.start_date, stored.end_date, stored.decree_number) == (
        D(2026, 1, 5),
        None,
        "800/12/2026",
    )


def test_second_definitive_holder_overlapping_is_rejected_naming_the_holder_and_dates(
    position: Position,
) -> None:
    first = officer_for(position, name="Budi Santoso")
    appoint(
        officer=first,
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2026, 1, 1),
        end_date=D(2026, 6, 30),
    )

    with pytest.raises(ValidationError) as caught:
        appoint(
            officer=officer_for(position),
            position=position,
            capacity=Capacity.DEFINITIVE,
            start_date=D(2026, 6, 30),
        )

    message = caught.value.message
    assert "Budi Santoso" in message
    assert "2026-01-01" in message and "2026-06-30" in message
    assert Appointment.objects.count() == 1


def test_definitive_holder_may_start_the_day_after_the_previous_one_ends(
    position: Position,
) -> None:
    appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2026, 1, 1),
        end_date=D(2026, 6, 30),
    )

    appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2026, 7, 1),
    )

    assert position.appointments.count() == 2


def test_open_ended_definitive_holder_blocks_any_later_definitive_appointment(
    position: Position,
) -> None:
    appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2020, 1, 1),
    )

    with pytest.raises(ValidationError, match="open-ended"):
        appoint(
            officer=officer_for(position),
            position=position,
            capacity=Capacity.DEFINITIVE,
            start_date=D(2030, 1, 1),
            end_date=D(2030, 1, 1),
        )


def test_new_appointment_ending_before_an_existing_one_starts_is_accepted(
    position: Position,
) -> None:
    appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2026, 3, 1),
    )

    appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2025, 1, 1),
        end_date=D(2026, 2, 28),
    )

    assert position.appointments.count() == 2


def test_position_with_many_holders_accepts_overlapping_definitive_appointments() -> None:
    position = PositionFactory(is_single_holder=False, title="Analis Perizinan")

    for _ in range(3):
        appoint(
            officer=officer_for(position),
            position=position,
            capacity=Capacity.DEFINITIVE,
            start_date=D(2026, 1, 1),
        )

    assert position.appointments.count() == 3


def test_appointment_ending_before_it_starts_is_rejected(position: Position) -> None:
    with pytest.raises(ValidationError, match="cannot end") as caught:
        appoint(
            officer=officer_for(position),
            position=position,
            capacity=Capacity.DEFINITIVE,
            start_date=D(2026, 2, 1),
            end_date=D(2026, 1, 31),
        )
    assert caught.value.field == "end_date"


def test_one_day_appointment_is_accepted(position: Position) -> None:
    appointment = appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.PLT,
        start_date=D(2026, 2, 1),
        end_date=D(2026, 2, 1),
    )

    assert appointment.start_date == appointment.end_date


def test_plt_is_accepted_for_a_vacant_position(position: Position) -> None:
    appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2025, 1, 1),
        end_date=D(2026, 3, 31),
    )

    plt = appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.PLT,
        start_date=D(2026, 4, 1),
        end_date=D(2026, 6, 30),
    )

    assert plt.capacity == Capacity.PLT


def test_plt_is_rejected_while_there_is_a_definitive_holder(position: Position) -> None:
    appoint(
        officer=officer_for(position, name="Siti Aminah"),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2025, 1, 1),
        end_date=D(2026, 3, 31),
    )

    with pytest.raises(ValidationError, match="vacant") as caught:
        appoint(
            officer=officer_for(position),
            position=position,
            capacity=Capacity.PLT,
            start_date=D(2026, 3, 31),
            end_date=D(2026, 6, 30),
        )
    assert "Siti Aminah" in caught.value.message


def test_plh_is_accepted_while_the_definitive_holder_is_away(position: Position) -> None:
    appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2025, 1, 1),
    )

    plh = appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.PLH,
        start_date=D(2026, 8, 3),
        end_date=D(2026, 8, 14),
    )

    assert plh.capacity == Capacity.PLH


def test_plh_spanning_consecutive_definitive_holders_is_accepted(position: Position) -> None:
    for start, end in [(D(2026, 1, 1), D(2026, 6, 30)), (D(2026, 7, 1), None)]:
        appoint(
            officer=officer_for(position),
            position=position,
            capacity=Capacity.DEFINITIVE,
            start_date=start,
            end_date=end,
        )

    appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.PLH,
        start_date=D(2026, 6, 25),
        end_date=D(2026, 7, 5),
    )


def test_plh_for_a_vacant_position_is_rejected_naming_the_first_vacant_day(
    position: Position,
) -> None:
    appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2026, 1, 1),
        end_date=D(2026, 6, 30),
    )

    with pytest.raises(ValidationError, match="Plt") as caught:
        appoint(
            officer=officer_for(position),
            position=position,
            capacity=Capacity.PLH,
            start_date=D(2026, 6, 20),
            end_date=D(2026, 7, 10),
        )
    assert "2026-07-01" in caught.value.message


@pytest.mark.parametrize(
    ("first", "second"),
    [(Capacity.PLT, Capacity.PLT), (Capacity.PLH, Capacity.PLH)],
)
def test_two_overlapping_acting_holders_are_rejected(
    position: Position, first: Capacity, second: Capacity
) -> None:
    if first == Capacity.PLH:
        appoint(
            officer=officer_for(position),
            position=position,
            capacity=Capacity.DEFINITIVE,
            start_date=D(2025, 1, 1),
        )
    appoint(
        officer=officer_for(position, name="Pejabat Pertama"),
        position=position,
        capacity=first,
        start_date=D(2026, 5, 1),
        end_date=D(2026, 5, 31),
    )

    with pytest.raises(ValidationError, match="acting holder") as caught:
        appoint(
            officer=officer_for(position),
            position=position,
            capacity=second,
            start_date=D(2026, 5, 31),
            end_date=D(2026, 6, 15),
        )
    assert "Pejabat Pertama" in caught.value.message


def test_definitive_appointment_overlapping_a_plt_is_rejected(position: Position) -> None:
    appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.PLT,
        start_date=D(2026, 1, 1),
        end_date=D(2026, 3, 31),
    )

    with pytest.raises(ValidationError, match="End the Plt"):
        appoint(
            officer=officer_for(position),
            position=position,
            capacity=Capacity.DEFINITIVE,
            start_date=D(2026, 3, 1),
        )


def test_officer_cannot_hold_the_same_position_twice_at_once() -> None:
    position = PositionFactory(is_single_holder=False)
    officer = officer_for(position)
    appoint(officer=officer, position=position, capacity="definitive", start_date=D(2026, 1, 1))

    with pytest.raises(ValidationError, match="already holds"):
        appoint(officer=officer, position=position, capacity="plh", start_date=D(2026, 2, 1))


def test_officer_of_another_agency_cannot_be_appointed(position: Position) -> None:
    outsider = OfficerFactory(agency=AgencyFactory())

    with pytest.raises(ValidationError, match="another agency"):
        appoint(
            officer=outsider, position=position, capacity="definitive", start_date=D(2026, 1, 1)
        )


def test_inactive_officer_cannot_be_appointed(position: Position) -> None:
    with pytest.raises(ValidationError, match="not an active officer"):
        appoint(
            officer=officer_for(position, is_active=False),
            position=position,
            capacity="definitive",
            start_date=D(2026, 1, 1),
        )


def test_unknown_capacity_is_rejected(position: Position) -> None:
    with pytest.raises(ValidationError, match="Unknown capacity"):
        appoint(
            officer=officer_for(position),
            position=position,
            capacity="deputy",
            start_date=D(2026, 1, 1),
        )


def test_ending_an_appointment_frees_the_position_from_the_next_day(position: Position) -> None:
    holder = appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2024, 1, 1),
    )

    end_appointment(appointment=holder, end_date=D(2026, 9, 30))
    appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.PLT,
        start_date=D(2026, 10, 1),
    )

    holder.refresh_from_db()
    assert holder.end_date == D(2026, 9, 30)


def test_ending_an_appointment_before_it_starts_is_rejected(position: Position) -> None:
    holder = appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2026, 1, 1),
    )

    with pytest.raises(ValidationError, match="cannot end"):
        end_appointment(appointment=holder, end_date=D(2025, 12, 31))

    holder.refresh_from_db()
    assert holder.end_date is None


def test_extending_an_appointment_into_the_next_holders_term_is_rejected(
    position: Position,
) -> None:
    first = appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2026, 1, 1),
        end_date=D(2026, 6, 30),
    )
    appoint(
        officer=officer_for(position, name="Penerus"),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2026, 7, 1),
    )

    with pytest.raises(ValidationError, match="Penerus"):
        end_appointment(appointment=first, end_date=D(2026, 7, 1))


def test_ending_the_holder_while_a_plh_still_acts_for_them_is_rejected(
    position: Position,
) -> None:
    holder = appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2025, 1, 1),
    )
    appoint(
        officer=officer_for(position, name="Wakil Sementara"),
        position=position,
        capacity=Capacity.PLH,
        start_date=D(2026, 8, 1),
        end_date=D(2026, 8, 31),
    )

    with pytest.raises(ValidationError, match="Wakil Sementara"):
        end_appointment(appointment=holder, end_date=D(2026, 8, 15))


def test_model_validation_applies_the_same_overlap_rule(position: Position) -> None:
    appoint(
        officer=officer_for(position, name="Budi Santoso"),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2026, 1, 1),
    )
    rival = Appointment(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2026, 5, 1),
    )

    with pytest.raises(DjangoValidationError) as caught:
        rival.full_clean()

    assert "Budi Santoso" in str(caught.value)


def test_model_validation_accepts_a_valid_appointment_and_its_own_later_edit(
    position: Position,
) -> None:
    appointment = appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2026, 1, 1),
    )

    appointment.end_date = D(2026, 12, 31)
    appointment.full_clean()


def test_an_agency_cap_on_plt_length_is_enforced_and_named(position: Position) -> None:
    agency = position.agency
    agency.max_plt_days = 90
    agency.save()
    acting = officer_for(position)

    with pytest.raises(ValidationError) as open_ended:
        appoint(officer=acting, position=position, capacity=Capacity.PLT, start_date=D(2026, 1, 2))
    assert open_ended.value.field == "end_date"
    assert open_ended.value.code == "acting_too_long"
    with pytest.raises(ValidationError) as too_long:
        appoint(
            officer=acting,
            position=position,
            capacity=Capacity.PLT,
            start_date=D(2026, 1, 2),
            end_date=D(2026, 4, 2),  # 91 days
        )
    assert "90" in too_long.value.message and "91" in too_long.value.message
    appointment = appoint(
        officer=acting,
        position=position,
        capacity=Capacity.PLT,
        start_date=D(2026, 1, 2),
        end_date=D(2026, 3, 31),  # 89 days
        decree_number="800.1/12/BKPSDM/2026",
    )
    assert appointment.instrument == "Surat Perintah"


def test_without_a_cap_an_acting_appointment_may_be_open_ended(position: Position) -> None:
    appointment = appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.PLT,
        start_date=D(2026, 1, 2),
    )
    assert appointment.end_date is None


def test_a_definitive_appointment_is_made_by_an_sk(position: Position) -> None:
    appointment = appoint(
        officer=officer_for(position),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2026, 1, 2),
    )
    assert appointment.instrument == "SK"
