# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta


class Configuration(metaclass=PoolMeta):
    __name__ = 'dms.configuration'

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

    mileage_max = fields.Integer(
        "Highest Mileage (km)", required=True,
        domain=[('mileage_max', '>', 0)],
        help="Mileage readings above it are refused as typing errors.")
    booking_max_days = fields.Integer(
        "Longest Booking (days)", required=True,
        domain=[('booking_max_days', '>', 0)],
        help="Bookings of demonstrators and loaners that last longer are "
        "refused.")

    @classmethod
    def default_mileage_max(cls):
        return 2_000_000

    @classmethod
    def default_booking_max_days(cls):
        return 90

    def get_vehicle_location(self, kind):
        "Return the configured location of the kind or the platform's one"
        pool = Pool()
        Location = pool.get('stock.location')
        ModelData = pool.get('ir.model.data')
        location = getattr(self, f'vehicle_{kind}_location')
        if location:
            return location
        fs_id = {
            'transit': 'location_transit',
            'scrap': 'location_lost_found',
            }[kind]
        return Location(ModelData.get_id('stock', fs_id))
