# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from sql import Null
from sql.aggregate import Max

from trytond.backend import MAX_QUERY_PARAMS
from trytond.model import fields
from trytond.modules.dms_vehicle.stock import ENTRY_TYPES
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

_in = fields.SQL_OPERATORS['in']


class Lot(metaclass=PoolMeta):
    __name__ = 'stock.lot'

    @classmethod
    def vehicle_costs(cls, lots, company):
        """Return by lot id the stock value of the vehicle lots in the
        company's currency: the unit price of the move that last brought
        each into the group's stock from outside, at whichever rooftop;
        transfers between rooftops carry the vehicle at that cost"""
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        Currency = pool.get('currency.currency')
        move = Move.__table__()
        last = Move.__table__()
        from_location = Location.__table__()
        to_location = Location.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_lots in grouped_slice([l.id for l in lots], MAX_QUERY_PARAMS):
            entries = (last
                .join(from_location,
                    condition=last.from_location == from_location.id)
                .join(to_location,
                    condition=last.to_location == to_location.id)
                .select(last.lot, Max(last.id).as_('move'),
                    where=(last.state == 'done')
                    & _in(last.lot, list(sub_lots))
                    & (last.unit_price != Null)
                    & from_location.type.in_(ENTRY_TYPES)
                    & (to_location.type == 'storage'),
                    group_by=[last.lot]))
            cursor.execute(*entries
                .join(move, condition=move.id == entries.move)
                .select(move.lot, move.unit_price, move.currency,
                    move.effective_date))
            for lot, price, currency, date in cursor:
                price = Decimal(str(price))
                if currency and currency != company.currency.id:
                    with Transaction().set_context(date=date):
                        price = Currency.compute(
                            Currency(currency), price, company.currency,
                            round=False)
                result[lot] = company.currency.round(price)
        return result


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    @classmethod
    def do(cls, moves):
        super().do(moves)
        cls._deal_vehicles_delivered(moves)

    @classmethod
    def _deal_vehicles_delivered(cls, moves):
        """Register the deal's customer as the keeper of each vehicle its
        delivery took to them"""
        pool = Pool()
        SaleLine = pool.get('sale.line')
        Vehicle = pool.get('dms.vehicle')
        changed = []
        for move in moves:
            origin = move.origin
            if (isinstance(origin, SaleLine) and origin.vehicle
                    and move.to_location.type == 'customer'):
                vehicle = origin.vehicle
                if vehicle.owner != origin.sale.party:
                    vehicle.owner = origin.sale.party
                    changed.append(vehicle)
        if changed:
            # The deal, not the stock clerk, decides the keeper
            with without_check_access():
                Vehicle.save(changed)
