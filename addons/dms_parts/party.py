# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta

CUSTOMER_TYPES = [
    ('retail', "Retail"),
    ('trade', "Trade"),
    ]


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    part_customer_type = fields.Selection(
        CUSTOMER_TYPES, "Parts Customer Type",
        help="Trade customers (garages, body shops) get the trade discount "
        "of each part's discount group at the parts counter.")
    part_discount_rules = fields.One2Many(
        'dms.part.discount_rule', 'customer', "Parts Discounts")

    @classmethod
    def default_part_customer_type(cls):
        return 'retail'
