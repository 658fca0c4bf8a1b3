# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Null

from trytond.i18n import gettext
from trytond.model import Index, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from .exceptions import StockCompanyError


class Location(metaclass=PoolMeta):
    __name__ = 'stock.location'

    company = fields.Many2One(
        'company.company', "Company", ondelete='RESTRICT',
        states={
            'invisible': Eval('type') != 'warehouse',
            },
        help="The rooftop whose warehouse this is: only its stock moves and "
        "shipments use it.")


def check_warehouse_company(record, company, locations):
    """Refuse the record of the company (a move or a shipment) that uses a
    location of another company's warehouse"""
    for location in filter(None, locations):
        warehouse = (location if location.type == 'warehouse'
            else location.warehouse)
        if warehouse and warehouse.company and warehouse.company != company:
            raise StockCompanyError(gettext(
                    'dms_vehicle.msg_stock_warehouse_company',
                    record=record.rec_name,
                    company=company.rec_name if company else '',
                    warehouse=warehouse.rec_name,
                    warehouse_company=warehouse.company.rec_name))


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    @classmethod
    def validate_fields(cls, moves, field_names):
        super().validate_fields(moves, field_names)
        if field_names & {'company', 'from_location', 'to_location'}:
            for move in moves:
                check_warehouse_company(move, move.company,
                    [move.from_location, move.to_location])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # Where each vehicle is and since when is computed from its lot's
        # moves; neither stock nor stock_lot indexes them
        cls._sql_indexes.add(
            Index(t, (t.lot, Index.Range()), (t.state, Index.Equality()),
                where=t.lot != Null))

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['dms.vehicle']

    @classmethod
    def do(cls, moves):
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        super().do(moves)
        Vehicle._stock_moved(moves)

    @classmethod
    def cancel(cls, moves):
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        done = [m for m in moves if m.state == 'done']
        super().cancel(moves)
        if done:
            Vehicle._stock_moved(done, cancelled=True)


class Lot(metaclass=PoolMeta):
    __name__ = 'stock.lot'

    vehicle = fields.Function(
        fields.Many2One('dms.vehicle', "Vehicle"), 'get_vehicle')

    @classmethod
    def get_vehicle(cls, lots, name):
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        result = dict.fromkeys(map(int, lots))
        for vehicle in Vehicle.search([
                    ('lot', 'in', [l.id for l in lots]),
                    ], order=[]):
            result[vehicle.lot.id] = vehicle.id
        return result


class ShipmentWarehouseMixin:
    "Refuse a shipment of a company through another company's warehouse"
    __slots__ = ()

    @classmethod
    def validate_fields(cls, shipments, field_names):
        super().validate_fields(shipments, field_names)
        names = {'company', 'warehouse', 'from_location', 'to_location'}
        if field_names & names:
            for shipment in shipments:
                check_warehouse_company(
                    shipment, shipment.company, shipment._warehouses())

    def _warehouses(self):
        return [self.warehouse]


class ShipmentIn(ShipmentWarehouseMixin, metaclass=PoolMeta):
    __name__ = 'stock.shipment.in'


class ShipmentInReturn(ShipmentWarehouseMixin, metaclass=PoolMeta):
    __name__ = 'stock.shipment.in.return'

    def _warehouses(self):
        return [self.from_location]


class ShipmentOut(ShipmentWarehouseMixin, metaclass=PoolMeta):
    __name__ = 'stock.shipment.out'


class ShipmentOutReturn(ShipmentWarehouseMixin, metaclass=PoolMeta):
    __name__ = 'stock.shipment.out.return'


class ShipmentInternal(ShipmentWarehouseMixin, metaclass=PoolMeta):
    __name__ = 'stock.shipment.internal'

    def _warehouses(self):
        return [self.from_location, self.to_location]
