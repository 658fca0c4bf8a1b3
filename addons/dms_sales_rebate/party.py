# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta

from .rebate import CUSTOMER_TYPES


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    dms_customer_type = fields.Selection(
        [(None, "")] + CUSTOMER_TYPES, "Customer Type",
        help="How the manufacturers' rebate policies see the customer.")


class Replace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('dms.rebate.policy', 'manufacturer'),
            ('dms.rebate.line', 'manufacturer'),
            ('dms.rebate.claim', 'manufacturer'),
            ]
