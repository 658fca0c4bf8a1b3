# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class OrderError(UserError):
    pass


class OrderValidationError(ValidationError):
    pass


class RevisionError(UserError):
    pass


class ClockError(UserError):
    pass


class ClockValidationError(ValidationError):
    pass


class AppointmentValidationError(ValidationError):
    pass


class AppointmentStateError(UserError):
    pass


class WarrantyClaimError(UserError):
    pass


class PhotoValidationError(ValidationError):
    pass
