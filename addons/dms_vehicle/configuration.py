# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta


class Configuration(metaclass=PoolMeta):
    __name__ = 'dms.configuration'

    vehicle_supplier_location = fields.Many2One(
        'stock.location', "Vehicle Supplier Location",
        domain=[('type', '=', 'supplier')],
        help="Where received vehicles come from; "
        "the platform's supplier location when empty.")
    vehicle_customer_location = fields.Many2One(
        'stock.location', "Vehicle Customer Location",
        domain=[('type', '=', 'customer')],
        help="Where delivered vehicles go; "
        "the platform's customer location when empty.")
    vehicle_transit_location = fields.Many2One(
        'stock.location', "Vehicle Transit Location",
        domain=[('type', '=', 'storage')],
        help="Where vehicles transferred between rooftops are on the way; "
        "the platform's transit location when empty.")
    vehicle_scrap_location = fields.Many2One(
        'stock.location', "Vehicle Scrap Location",
        domain=[('type', '=', 'lost_found')],
        help="Where scrapped vehicles leave the stock to; "
        "the platform's lost and found location when empty.")

    def get_vehicle_location(self, kind):
        "Return the configured location of the kind or the platform's one"
        pool = Pool()
        Location = pool.get('stock.location')
        ModelData = pool.get('ir.model.data')
        location = getattr(self, f'vehicle_{kind}_location')
        if location:
            return location
        fs_id = {
            'supplier': 'location_supplier',
            'customer': 'location_customer',
            'transit': 'location_transit',
            'scrap': 'location_lost_found',
            }[kind]
        return Location(ModelData.get_id('stock', fs_id))
