# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import ValidationError


class DealError(UserError):
    pass


class DealValidationError(ValidationError):
    pass


class TradeInError(UserError):
    pass


class PriceApprovalError(UserError):
    pass


class PriceLimitValidationError(ValidationError):
    pass


class RebateError(UserError):
    pass


class RebateValidationError(ValidationError):
    pass


class ClaimError(UserError):
    pass


class ClaimWarning(UserWarning):
    pass
