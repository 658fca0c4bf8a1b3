# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class VINValidationError(ValidationError):
    pass


class MileageValidationError(ValidationError):
    pass


class VehicleStateError(UserError):
    pass


class VehicleStockError(UserError):
    pass


class BookingValidationError(ValidationError):
    pass


class BookingStateError(UserError):
    pass


class PDIError(UserError):
    pass


class StockCompanyError(ValidationError):
    pass


class PhotoValidationError(ValidationError):
    pass
