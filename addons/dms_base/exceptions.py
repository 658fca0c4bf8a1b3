# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class DepartmentValidationError(ValidationError):
    pass


class DocumentValidationError(ValidationError):
    pass


class PartyValidationError(ValidationError):
    pass


class MessageValidationError(ValidationError):
    pass


class MessageModificationError(UserError):
    pass


class MessageSendError(Exception):
    pass
