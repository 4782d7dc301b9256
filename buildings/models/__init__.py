"""Buildings, units, households and residents (places.py); funds and their ledger
(funds.py); duty rosters (rosters.py); the access log (privacy.py)."""

from buildings.models.funds import Donation, Expense, Fund
from buildings.models.places import (
    Building,
    Household,
    Resident,
    ResidentTag,
    Unit,
    mask_phone,
    phone_validator,
)
from buildings.models.privacy import AccessLog
from buildings.models.rosters import (
    DutyRoster,
    DutyShift,
    RosterExemption,
    RosterOrder,
    RosterSlot,
)

__all__ = [
    "AccessLog",
    "Building",
    "Donation",
    "DutyRoster",
    "DutyShift",
    "Expense",
    "Fund",
    "Household",
    "Resident",
    "ResidentTag",
    "RosterExemption",
    "RosterOrder",
    "RosterSlot",
    "Unit",
    "mask_phone",
    "phone_validator",
]
