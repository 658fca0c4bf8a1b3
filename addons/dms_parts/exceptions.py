# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import ValidationError


class PartNumberError(ValidationError):
    pass


class SupersessionError(ValidationError):
    pass


class PriceFileError(UserError):
    pass


class BackorderWarning(UserWarning):
    pass


class TransferError(UserError):
    pass


class TransferWarning(UserWarning):
    pass
