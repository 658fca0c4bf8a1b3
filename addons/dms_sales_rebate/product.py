# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta

DEAL_KINDS = [
    (None, ""),
    ('option', "Option"),
    ('accessory', "Accessory"),
    ('fee', "Fee"),
    ('fi', "F&I Product"),
    ('trade_in', "Trade-in Allowance"),
    ]


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'

    deal_kind = fields.Selection(
        DEAL_KINDS, "Deal Kind", sort=False,
        help="What the product is on a vehicle deal: its margin counts as "
        "add-on income, except for trade-in allowances.")
