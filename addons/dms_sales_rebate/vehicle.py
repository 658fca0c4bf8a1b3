# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta

from .sale import vehicle_deals


class Vehicle(metaclass=PoolMeta):
    __name__ = 'dms.vehicle'

    deals = fields.Function(
        fields.Many2Many('sale.sale', None, None, "Deals",
            help="The deals of the vehicle, newest first."),
        'get_deals')
    deal = fields.Function(
        fields.Many2One('sale.sale', "Deal",
            help="The confirmed deal that reserves the vehicle."),
        'get_deals')

    @classmethod
    def get_deals(cls, vehicles, names):
        deals, reserving = vehicle_deals(vehicles)
        result = {}
        if 'deals' in names:
            result['deals'] = {v.id: deals.get(v.id, []) for v in vehicles}
        if 'deal' in names:
            result['deal'] = {v.id: reserving.get(v.id) for v in vehicles}
        return result
