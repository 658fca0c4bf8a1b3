# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta


class Configuration(metaclass=PoolMeta):
    __name__ = 'dms.configuration'

    deal_vehicle_category = fields.Many2One(
        'product.category', "Vehicle Category",
        domain=[('accounting', '=', True)],
        help="The accounting category of the products of new variants: "
        "the revenue and cost accounts of vehicle sales.")
    deal_trade_in_product = fields.Many2One(
        'product.product', "Trade-in Allowance Product",
        domain=[
            ('type', '=', 'service'),
            ('template.deal_kind', '=', 'trade_in'),
            ],
        help="The service whose line credits a trade-in's allowance on the "
        "customer's invoice.")
    deal_currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'get_deal_currency')
    deal_preparation_cost = Monetary(
        "Preparation Cost per Deal", currency='deal_currency',
        digits='deal_currency',
        domain=['OR',
            ('deal_preparation_cost', '=', None),
            ('deal_preparation_cost', '>=', 0),
            ],
        help="What the PDI and preparation of a vehicle cost, proposed on "
        "new deals.")
    deal_delivery_cost = Monetary(
        "Delivery Cost per Deal", currency='deal_currency',
        digits='deal_currency',
        domain=['OR',
            ('deal_delivery_cost', '=', None),
            ('deal_delivery_cost', '>=', 0),
            ],
        help="What delivering a vehicle costs, proposed on new deals.")

    def get_deal_currency(self, name):
        pool = Pool()
        Company = pool.get('company.company')
        companies = Company.search([], limit=1, order=[('id', 'ASC')])
        return companies[0].currency.id if companies else None
