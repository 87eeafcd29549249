from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from loket.org.models import Capacity, Position
from loket.org.selectors import (
    holders_at,
    holdings_of,
    may_act,
    position_by_code,
    superior_of,
)
from loket.org.services import appoint
from tests.org.factories import (
    AgencyFactory,
    OfficerFactory,
    PositionFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

D = dt.date
JAKARTA = ZoneInfo("Asia/Jakarta")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


@pytest.fixture
def position() -> Position:
    return PositionFactory(title="Kepala Dinas", is_head=True)


def test_definitive_holder_may_act_from_the_first_to_the_last_day_inclusive(
    position: Position,
) -> None:
    officer = OfficerFactory(agency=position.agency)
    appoint(
        officer=officer,
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2026, 3, 2),
        end_date=D(2026, 3, 31),
    )

    assert may_act(officer, position, at(2026, 3, 1, 23, 59)) is None
    assert may_act(officer, position, at(2026, 3, 2, 0, 0)) is not None
    assert may_act(officer, position, dt.datetime(2026, 3, 31, 23, 59, 59, tzinfo=JAKARTA))
    assert may_act(officer, position, at(2026, 4, 1, 0, 0)) is None


def test_moment_is_judged_by_its_date_in_jakarta_not_in_utc(position: Position) -> None:
    officer = OfficerFactory(agency=position.agency)
    appoint(
        officer=officer,
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2026, 1, 1),
        end_date=D(2026, 6, 30),
    )
    # 17:30 UTC on 30 June is 00:30 on 1 July in Jakarta.
    after_midnight_in_jakarta = dt.datetime(2026, 6, 30, 17, 30, tzinfo=dt.UTC)
    before_midnight_in_jakarta = dt.datetime(2026, 6, 30, 16, 30, tzinfo=dt.UTC)

    assert may_act(officer, position, after_midnight_in_jakarta) is None
    assert may_act(officer, position, before_midnight_in_jakarta) is not None


def test_open_ended_appointment_lasts_indefinitely(position: Position) -> None:
    officer = OfficerFactory(agency=position.agency)
    appoint(officer=officer, position=position, capacity="definitive", start_date=D(2026, 1, 1))

    holding = may_act(officer, position, at(2040, 1, 1))

    assert holding is not None and holding.capacity == Capacity.DEFINITIVE


def test_plt_acts_for_the_vacant_position_during_the_appointment_only(
    position: Position,
) -> None:
    plt = OfficerFactory(agency=position.agency)
    appoint(
        officer=plt,
        position=position,
        capacity=Capacity.PLT,
        start_date=D(2026, 4, 1),
        end_date=D(2026, 4, 30),
    )

    holders = holders_at(position, at(2026, 4, 30))

    assert [(h.officer, h.capacity) for h in holders] == [(plt, Capacity.PLT)]
    assert holders_at(position, at(2026, 5, 1)) == []


def test_plh_and_the_definitive_holder_both_hold_the_position_while_the_holder_is_away(
    position: Position,
) -> None:
    holder = OfficerFactory(agency=position.agency)
    plh = OfficerFactory(agency=position.agency)
    appoint(officer=holder, position=position, capacity="definitive", start_date=D(2025, 1, 1))
    plh_appointment = appoint(
        officer=plh,
        position=position,
        capacity=Capacity.PLH,
        start_date=D(2026, 8, 3),
        end_date=D(2026, 8, 7),
    )

    during = holders_at(position, at(2026, 8, 7, 15))
    after = holders_at(position, at(2026, 8, 8))

    assert [(h.officer, h.capacity) for h in during] == [
        (holder, Capacity.DEFINITIVE),
        (plh, Capacity.PLH),
    ]
    assert during[1].appointment == plh_appointment
    assert [h.officer for h in after] == [holder]


def test_holdings_of_lists_every_position_an_officer_may_act_for(position: Position) -> None:
    officer = OfficerFactory(agency=position.agency)
    other = PositionFactory(unit=position.unit, title="Sekretaris")
    appoint(officer=officer, position=position, capacity="definitive", start_date=D(2026, 1, 1))
    appoint(
        officer=officer,
        position=other,
        capacity="plt",
        start_date=D(2026, 2, 1),
        end_date=D(2026, 2, 28),
    )

    in_february = holdings_of(officer, at(2026, 2, 28))
    in_march = holdings_of(officer, at(2026, 3, 1))

    assert [(h.position, h.capacity) for h in in_february] == [
        (position, Capacity.DEFINITIVE),
        (other, Capacity.PLT),
    ]
    assert [h.position for h in in_march] == [position]


def test_inactive_officer_holds_no_authority(position: Position) -> None:
    officer = OfficerFactory(agency=position.agency)
    appoint(officer=officer, position=position, capacity="definitive", start_date=D(2026, 1, 1))
    officer.is_active = False
    officer.save()

    assert may_act(officer, position, at(2026, 6, 1)) is None
    assert holdings_of(officer, at(2026, 6, 1)) == []
    assert holders_at(position, at(2026, 6, 1)) == []


def test_officer_whose_sign_in_account_is_disabled_holds_no_authority(
    position: Position,
) -> None:
    officer = OfficerFactory(agency=position.agency)
    appoint(officer=officer, position=position, capacity="definitive", start_date=D(2026, 1, 1))
    officer.user.is_active = False
    officer.user.save()

    assert may_act(officer, position, at(2026, 6, 1)) is None
    assert holdings_of(officer, at(2026, 6, 1)) == []
    assert holders_at(position, at(2026, 6, 1)) == []


def test_holder_of_another_position_may_not_act(position: Position) -> None:
    officer = OfficerFactory(agency=position.agency)
    appoint(officer=officer, position=position, capacity="definitive", start_date=D(2026, 1, 1))

    assert may_act(officer, PositionFactory(unit=position.unit), at(2026, 6, 1)) is None


def test_naive_moment_is_refused(position: Position) -> None:
    with pytest.raises(ValueError, match="aware"):
        holders_at(position, dt.datetime(2026, 6, 1, 10, 0))


def test_authority_questions_each_take_one_query(
    position: Position, django_assert_num_queries
) -> None:
    officer = OfficerFactory(agency=position.agency)
    for _ in range(3):
        extra = PositionFactory(unit=position.unit)
        appoint(officer=officer, position=extra, capacity="plt", start_date=D(2026, 1, 1))
    appoint(officer=officer, position=position, capacity="definitive", start_date=D(2026, 1, 1))

    with django_assert_num_queries(1):
        holdings = holdings_of(officer, at(2026, 6, 1))
        described = [
            (h.position.unit.name, h.position.agency.code, h.officer.user.username)
            for h in holdings
        ]
    with django_assert_num_queries(1):
        holders = holders_at(position, at(2026, 6, 1))
        names = [(h.officer.name, h.officer.user.username, h.position.title) for h in holders]
    with django_assert_num_queries(1):
        may_act(officer, position, at(2026, 6, 1))

    assert len(described) == 4 and len(names) == 1


def test_superior_of_a_staff_position_is_the_head_of_its_unit() -> None:
    unit = UnitFactory()
    head = PositionFactory(unit=unit, is_head=True)
    staff = PositionFactory(unit=unit)

    assert superior_of(staff) == head


def test_superior_of_a_head_is_the_head_of_the_parent_unit() -> None:
    office = UnitFactory()
    division = UnitFactory(agency=office.agency, parent=office)
    office_head = PositionFactory(unit=office, is_head=True)
    division_head = PositionFactory(unit=division, is_head=True)

    assert superior_of(division_head) == office_head
    assert superior_of(office_head) is None


def test_superior_skips_a_unit_without_a_head_position() -> None:
    office = UnitFactory()
    team = UnitFactory(agency=office.agency, parent=office)
    office_head = PositionFactory(unit=office, is_head=True)
    staff = PositionFactory(unit=team)

    assert superior_of(staff) == office_head


def test_superior_of_a_staff_position_in_a_headless_root_unit_is_none() -> None:
    assert superior_of(PositionFactory()) is None


def test_superior_is_found_in_two_queries_however_deep_the_tree(
    django_assert_num_queries,
) -> None:
    unit = UnitFactory()
    top = PositionFactory(unit=unit, is_head=True)
    for _ in range(5):
        unit = UnitFactory(agency=unit.agency, parent=unit)
    staff = PositionFactory(unit=unit)

    with django_assert_num_queries(2):
        assert superior_of(staff) == top


def test_position_by_code_finds_the_agencys_position_only() -> None:
    position = PositionFactory(code="kadis")
    other_agency = AgencyFactory()

    assert position_by_code(position.agency, "kadis") == position
    assert position_by_code(other_agency, "kadis") is None
    assert position_by_code(position.agency, "unknown") is None
