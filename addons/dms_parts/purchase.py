# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.modules.product import round_price
from trytond.pool import PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

ORDER_TYPES = [
    ('stock', "Stock Order"),
    ('emergency', "Emergency Order"),
    ]


class Product(metaclass=PoolMeta):
    __name__ = 'product.product'

    def _get_purchase_unit_price(self, quantity=0):
        """Price a part bought from its manufacturer without a price of its
        own at the rooftop's list price less the purchase discount of the
        part's discount group"""
        price = super()._get_purchase_unit_price(quantity=quantity)
        context = Transaction().context
        template = self.template
        if (price is None and template.part and template.part_manufacturer
                and context.get('supplier') == template.part_manufacturer.id
                and context.get('company') is not None):
            list_price = self.list_price_used
            if list_price is not None:
                group = template.part_discount_group
                discount = (group.purchase_discount if group else None) or 0
                price = round_price(list_price * (1 - discount))
        return price


class Purchase(metaclass=PoolMeta):
    __name__ = 'purchase.purchase'

    part_order_type = fields.Selection(
        ORDER_TYPES, "Order Type", required=True,
        states={
            'readonly': Eval('state') != 'draft',
            },
        help="Stock orders replenish the shelves at the manufacturer's "
        "regular terms; emergency orders fetch parts a customer waits for.")

    @classmethod
    def default_part_order_type(cls):
        return 'stock'


class PurchaseRequest(metaclass=PoolMeta):
    __name__ = 'purchase.request'

    part_order_type = fields.Selection(
        ORDER_TYPES, "Order Type", required=True,
        states={
            'readonly': Eval('state') != 'draft',
            },
        help="Requests are grouped into purchases of their order type.")

    @classmethod
    def default_part_order_type(cls):
        return 'stock'


class CreatePurchase(metaclass=PoolMeta):
    __name__ = 'purchase.request.create_purchase'

    @classmethod
    def _group_purchase_key(cls, requests, request):
        return super()._group_purchase_key(requests, request) + (
            ('part_order_type', request.part_order_type),
            )
