# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class LeadError(UserError):
    pass


class LeadValidationError(ValidationError):
    pass


class LeadAccessError(AccessError):
    pass


class IntakeError(Exception):
    "A message that cannot become a lead; kept on the e-mail with its reason"


class CampaignError(UserError):
    pass


class CampaignValidationError(ValidationError):
    pass


class CallEventError(Exception):
    "A call event the endpoint refuses; the reason goes back to the provider"

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class CallValidationError(ValidationError):
    pass


class CallAssignError(UserError):
    pass


class SearchOrderValidationError(ValidationError):
    pass
