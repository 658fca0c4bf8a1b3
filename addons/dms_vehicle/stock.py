# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from collections import defaultdict

from sql import Literal, Null, Union
from sql.aggregate import Max, Sum
from sql.conditionals import Case
from sql.functions import CurrentTimestamp

from trytond.backend import MAX_QUERY_PARAMS
from trytond.i18n import gettext
from trytond.model import Index, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import (
    Transaction, inactive_records, without_check_access)

from .exceptions import (
    StockCompanyError, VehicleStateError, VehicleStockError)

_in = fields.SQL_OPERATORS['in']
# Location types through which a vehicle enters the group's stock
ENTRY_TYPES = ('supplier', 'customer', 'lost_found', 'production')
# The stock state of a lot by the type of the location it is in
LOCATION_STOCK_STATES = {
    'storage': 'in_stock',
    'customer': 'delivered',
    'lost_found': 'written_off',
    }


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
        # Neither stock nor stock_lot indexes the moves of a lot
        cls._sql_indexes.add(
            Index(t, (t.lot, Index.Range()), (t.state, Index.Equality()),
                where=t.lot != Null))

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['dms.vehicle']

    @classmethod
    def do(cls, moves):
        super().do(moves)
        cls._vehicles_moved(moves)

    @classmethod
    def cancel(cls, moves):
        done = [m for m in moves if m.state == 'done']
        super().cancel(moves)
        if done:
            cls._vehicles_moved(done)

    @classmethod
    def _vehicles_moved(cls, moves):
        """Guard the one unit of each vehicle lot the done or cancelled
        moves changed and give its vehicle its new stock position"""
        pool = Pool()
        Lot = pool.get('stock.lot')
        Location = pool.get('stock.location')
        Variant = pool.get('dms.vehicle.variant')
        Vehicle = pool.get('dms.vehicle')
        transaction = Transaction()
        cursor = transaction.connection.cursor()

        products = {m.product.id for m in moves}
        # An archived variant's vehicles still move: guard them too
        with inactive_records():
            vehicle_products = {
                v.product.id for v in Variant.search([
                        ('product', 'in', list(products)),
                        ], order=[])}
        moves = [m for m in moves if m.product.id in vehicle_products]
        if not moves:
            return
        lot_ids = {m.lot.id for m in moves if m.lot}
        vehicles = Vehicle.search([('lot', 'in', list(lot_ids))], order=[])
        by_lot = {v.lot.id: v for v in vehicles}
        for move in moves:
            if not move.lot or move.lot.id not in by_lot:
                raise VehicleStockError(gettext(
                        'dms_vehicle.msg_move_vehicle_lot',
                        move=move.rec_name, product=move.product.rec_name,
                        lot=move.lot.rec_name if move.lot else ''))

        # Touch the vehicles first: a concurrent transaction moving the same
        # vehicle waits here, fails to serialise and is retried, and sees
        # this one's moves.  Not Vehicle.lock(): it does not wait, so the
        # others fail their retries with "service unavailable".
        table = Vehicle.__table__()
        for sub_ids in grouped_slice([v.id for v in vehicles],
                MAX_QUERY_PARAMS):
            cursor.execute(*table.update(
                    [table.write_date, table.write_uid],
                    [CurrentTimestamp(), transaction.user],
                    where=_in(table.id, list(sub_ids))))

        move = cls.__table__()
        from_location = Location.__table__()
        to_location = Location.__table__()
        quantity = (
            Case((to_location.type == 'storage', move.internal_quantity),
                else_=0)
            - Case((from_location.type == 'storage', move.internal_quantity),
                else_=0))
        for sub_lots in grouped_slice(list(by_lot), MAX_QUERY_PARAMS):
            cursor.execute(*move
                .join(from_location,
                    condition=move.from_location == from_location.id)
                .join(to_location,
                    condition=move.to_location == to_location.id)
                .select(move.lot, Sum(quantity),
                    where=(move.state == 'done')
                    & _in(move.lot, list(sub_lots)),
                    group_by=[move.lot]))
            for lot_id, total in cursor:
                total = total or 0
                if total > 1 + 1e-6:
                    raise VehicleStockError(gettext(
                            'dms_vehicle.msg_vehicle_stock_twice',
                            vehicle=by_lot[lot_id].rec_name))
                if total < -1e-6:
                    raise VehicleStockError(gettext(
                            'dms_vehicle.msg_vehicle_stock_negative',
                            vehicle=by_lot[lot_id].rec_name))
        positions = Lot.vehicle_positions(Lot.browse(list(by_lot)))
        cls._store_vehicle_positions(vehicles, positions)

    @classmethod
    def _store_vehicle_positions(cls, vehicles, positions):
        """Store on the vehicles their stock position and stock state, as
        positions by lot id (see stock.lot.vehicle_positions) give it"""
        pool = Pool()
        Location = pool.get('stock.location')
        Vehicle = pool.get('dms.vehicle')
        to_write = defaultdict(list)
        transit = {}
        to_deliver = []
        for vehicle in vehicles:
            type_, location, company, receipt_date = (
                positions.get(vehicle.lot.id) or (None, None, None, None))
            in_stock = type_ == 'storage'
            if in_stock:
                if location not in transit:
                    # A storage location outside the warehouses
                    transit[location] = Location(location).warehouse is None
                stock_state = (
                    'in_transit' if transit[location] else 'in_stock')
            else:
                location = company = receipt_date = None
                stock_state = LOCATION_STOCK_STATES.get(type_, 'none')
            values = {}
            if bool(vehicle.on_hand) != in_stock:
                values['on_hand'] = in_stock
            if (vehicle.location and vehicle.location.id) != location:
                values['location'] = location
            if ((vehicle.holding_company and vehicle.holding_company.id)
                    != company):
                values['holding_company'] = company
            if vehicle.receipt_date != receipt_date:
                values['receipt_date'] = receipt_date
            if vehicle.stock_state != stock_state:
                values['stock_state'] = stock_state
                if stock_state == 'delivered':
                    to_deliver.append(vehicle)
            if values:
                to_write[tuple(sorted(values.items()))].append(vehicle)
        # Whatever shipment delivers a vehicle, it is sold and inspected
        for vehicle in to_deliver:
            if vehicle.state != 'sold':
                raise VehicleStateError(gettext(
                        'dms_vehicle.msg_vehicle_deliver_not_sold',
                        vehicle=vehicle.rec_name))
        if to_deliver:
            Vehicle.check_pdi(to_deliver)
        # One write per set of changes: a receipt of many vehicles is one
        args = []
        for values, changed in to_write.items():
            args.extend((changed, dict(values)))
        if args:
            # A stock clerk moving the car may not write vehicles
            with without_check_access():
                Vehicle.write(*args)


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

    @classmethod
    def _balance_query(cls, lot_ids=None):
        """Return a query of lot, location, the lot's quantity there from its
        done moves, when positive, and the last move into it: where each
        lot is, whatever the order of the moves of a day"""
        pool = Pool()
        Move = pool.get('stock.move')
        move = Move.__table__()

        where = (move.state == 'done') & (move.lot != Null)
        if lot_ids is not None:
            where &= _in(move.lot, list(lot_ids))
        moves = Union(
            move.select(
                move.lot, move.to_location.as_('location'),
                move.internal_quantity.as_('quantity'), move.id.as_('move'),
                where=where),
            move.select(
                move.lot, move.from_location.as_('location'),
                (-move.internal_quantity).as_('quantity'),
                Literal(None).as_('move'),
                where=where),
            all_=True)
        return moves.select(
            moves.lot, moves.location,
            Sum(moves.quantity).as_('quantity'),
            Max(moves.move).as_('move'),
            group_by=[moves.lot, moves.location],
            having=Sum(moves.quantity) > 1e-6)

    @classmethod
    def _receipts_query(cls, lot_ids=None):
        """Return a query of lot and date of the last done move that brought
        each lot into storage from outside the group's stock, where the lot
        is now or not"""
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        entry = Move.__table__()
        from_location = Location.__table__()
        to_location = Location.__table__()

        where = (entry.state == 'done') & (entry.lot != Null)
        if lot_ids is not None:
            where &= _in(entry.lot, list(lot_ids))
        return (entry
            .join(from_location,
                condition=entry.from_location == from_location.id)
            .join(to_location,
                condition=entry.to_location == to_location.id)
            .select(
                entry.lot, Max(entry.effective_date).as_('date'),
                where=where
                & from_location.type.in_(ENTRY_TYPES)
                & (to_location.type == 'storage'),
                group_by=[entry.lot]))

    @classmethod
    def vehicle_positions(cls, lots):
        """Return by lot id the location type, location, company (of the
        move that brought it there) and receipt date of the lots in a
        storage, customer or lost and found location"""
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        move = Move.__table__()
        location = Location.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_lots in grouped_slice([l.id for l in lots], MAX_QUERY_PARAMS):
            sub_lots = list(sub_lots)
            balance = cls._balance_query(sub_lots)
            entries = cls._receipts_query(sub_lots)
            cursor.execute(*balance
                .join(location, condition=balance.location == location.id)
                .join(move, condition=balance.move == move.id)
                .join(entries, 'LEFT', condition=entries.lot == balance.lot)
                .select(
                    balance.lot, location.type, balance.location,
                    move.company, entries.date,
                    where=location.type.in_(
                        ['storage', 'customer', 'lost_found'])))
            for lot, type_, location_id, company, date in cursor:
                result[lot] = (type_, location_id, company, _date(date))
        return result

    @classmethod
    def last_receipt_dates(cls, lots):
        """Return the date each lot last entered the group's stock, also
        after it left it again, by lot id (missing: never received)"""
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_lots in grouped_slice([l.id for l in lots], MAX_QUERY_PARAMS):
            cursor.execute(*cls._receipts_query(list(sub_lots)))
            for lot, date in cursor:
                result[lot] = _date(date)
        return result


def _date(value):
    # SQLite returns the dates of an aggregate as strings
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


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

    def _get_inventory_move(self, move):
        "Take a vehicle from where it is parked, not from the picking zone"
        inventory_move = super()._get_inventory_move(move)
        if inventory_move and move.lot:
            vehicle = move.lot.vehicle
            if (vehicle and vehicle.location
                    and vehicle.location.warehouse == self.warehouse):
                inventory_move.from_location = vehicle.location
        return inventory_move


class ShipmentOutReturn(ShipmentWarehouseMixin, metaclass=PoolMeta):
    __name__ = 'stock.shipment.out.return'


class ShipmentInternal(ShipmentWarehouseMixin, metaclass=PoolMeta):
    __name__ = 'stock.shipment.internal'

    def _warehouses(self):
        return [self.from_location, self.to_location]
