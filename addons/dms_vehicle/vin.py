# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Vehicle identification numbers (ISO 3779).

Pure functions, without the ORM, so that intake, imports and benchmarks share
them: `normalize`, `check` (the first reason a VIN is invalid), `check_digit`,
`model_year` and `decode` (manufacturer and country through vininfo)."""
import datetime as dt
import string

LENGTH = 17
FORBIDDEN = 'IOQ'
ALLOWED = frozenset(
    c for c in string.ascii_uppercase + string.digits if c not in FORBIDDEN)
# ISO 3779 / 49 CFR 565.15: values of the letters and weights of positions
_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip('ABCDEFGH', range(1, 9))),
    **dict(zip('JKLMN', range(1, 6))), 'P': 7, 'R': 9,
    **dict(zip('STUVWXYZ', range(2, 10))),
    }
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# Regions where the check digit in position 9 is mandatory: North America
# (WMI starting 1 to 5) and China (L).  European and most other VINs use
# position 9 freely and legitimately fail the computation.
CHECK_DIGIT_REGIONS = frozenset('12345L')
# Regions where position 10 is the model year by regulation
MODEL_YEAR_REGIONS = CHECK_DIGIT_REGIONS
# Position 10: the model year codes of a 30-year cycle from 1980
YEAR_CODES = 'ABCDEFGHJKLMNPRSTVWXY123456789'
# Regions where position 7 tells the cycle (49 CFR 565.15): a digit for
# 1980-2009, a letter for 2010-2039
YEAR_CYCLE_REGIONS = frozenset('12345')


def normalize(vin):
    "Return the VIN in upper case without surrounding or inner blanks"
    if vin is None:
        return None
    return ''.join(vin.split()).upper()


def check_digit(vin):
    "Return the check digit computed from the 17 characters of the VIN"
    total = sum(_VALUES[c] * w for c, w in zip(vin, _WEIGHTS))
    remainder = total % 11
    return 'X' if remainder == 10 else str(remainder)


def check_digit_required(vin):
    return bool(vin) and vin[0] in CHECK_DIGIT_REGIONS


def check(vin):
    """Return None for a valid normalised VIN, otherwise a tuple of the
    reason (length, letter, character, check_digit) and its values"""
    if len(vin) != LENGTH:
        return 'length', {'length': len(vin)}
    for c in vin:
        if c in ALLOWED:
            continue
        if c in FORBIDDEN:
            return 'letter', {'letter': c}
        return 'character', {'character': c}
    if check_digit_required(vin):
        expected = check_digit(vin)
        if vin[8] != expected:
            return 'check_digit', {'digit': vin[8], 'expected': expected}
    return None


def decode(vin, today=None):
    """Return what the VIN tells about the vehicle: manufacturer, country and
    model year, each None when it cannot be determined"""
    from vininfo import Vin
    result = {'manufacturer': None, 'country': None, 'model_year': None}
    try:
        info = Vin(vin)
    except Exception:
        return result
    manufacturer = info.manufacturer
    if manufacturer and 'unsupported' not in manufacturer.lower():
        result['manufacturer'] = manufacturer
    country = info.country
    if country and 'unsupported' not in country.lower():
        result['country'] = country
    result['model_year'] = model_year(vin, today)
    return result


def model_year(vin, today=None):
    """Return the model year of position 10 where the VIN's region defines
    it, never after next year, or None"""
    if len(vin) != LENGTH or vin[0] not in MODEL_YEAR_REGIONS:
        return None
    index = YEAR_CODES.find(vin[9])
    if index < 0:
        return None
    latest = (today or dt.date.today()).year + 1
    year = 1980 + index
    if vin[0] in YEAR_CYCLE_REGIONS:
        if not vin[6].isdigit():
            year += 30
    else:
        # the latest cycle that is not in the future
        while year + 30 <= latest:
            year += 30
    return year if year <= latest else None


def with_check_digit(vin):
    "Return the VIN with its position 9 set to the computed check digit"
    vin = vin[:8] + '0' + vin[9:]
    return vin[:8] + check_digit(vin) + vin[9:]
