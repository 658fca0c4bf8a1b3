# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval

ORDER_TYPES = [
    ('stock', "Stock Order"),
    ('emergency', "Emergency Order"),
    ]


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
