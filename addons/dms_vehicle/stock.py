# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Null

from trytond.model import Index, fields
from trytond.pool import Pool, PoolMeta


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

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
