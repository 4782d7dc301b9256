"""Buildings, units, households and residents (places.py); funds and their ledger (funds.py)."""

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

__all__ = [
    "Building",
    "Donation",
    "Expense",
    "Fund",
    "Household",
    "Resident",
    "ResidentTag",
    "Unit",
    "mask_phone",
    "phone_validator",
]
