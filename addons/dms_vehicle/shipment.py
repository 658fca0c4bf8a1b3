# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Receiving, transferring, delivering and scrapping vehicles through the
platform's shipments: the vehicle's actions are shortcuts that create and
process them."""
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import VehicleStockError


def vehicle_move(vehicle, from_location, to_location, company, date,
        unit_price=None):
    "Return the unsaved move of the vehicle's lot between the locations"
    pool = Pool()
    Move = pool.get('stock.move')
    product = vehicle.lot.product
    move = Move(
        product=product,
        lot=vehicle.lot,
        quantity=1,
        unit=product.default_uom,
        from_location=from_location,
        to_location=to_location,
        company=company,
        planned_date=date,
        effective_date=date,
        origin=vehicle,
        )
    if unit_price is not None:
        move.unit_price = unit_price
        move.currency = company.currency
    return move


def check_company(company):
    "Refuse taking vehicles into the stock of a company the user is not of"
    pool = Pool()
    User = pool.get('res.user')
    if (Transaction().user
            and company.id not in User.get_companies()):
        raise AccessError(gettext(
                'dms_vehicle.msg_vehicle_receive_company',
                company=company.rec_name))


def assign(Shipment, shipments, vehicles, force=False):
    "Assign the shipments of the vehicles or say they are not where listed"
    if force:
        Shipment.assign_force(shipments)
    else:
        Shipment.assign_try(shipments)
    if any(s.state != 'assigned' for s in Shipment.browse(shipments)):
        raise VehicleStockError(gettext(
                'dms_vehicle.msg_vehicle_shipment_assign',
                vehicles=', '.join(v.rec_name for v in vehicles)))


def ship_internal(
        company, vehicles, to_location, date, done=True, force=False):
    """Move the vehicles of the company to the location with an internal
    shipment per location they are in; leave the shipments assigned unless
    done.  force assigns them without looking at the stock: the stock in
    transit between rooftops is the sending company's."""
    pool = Pool()
    Shipment = pool.get('stock.shipment.internal')
    by_location = defaultdict(list)
    for vehicle, from_location in vehicles:
        by_location[from_location].append(vehicle)
    shipments = [Shipment(
            company=company,
            from_location=from_location,
            to_location=to_location,
            planned_start_date=date,
            planned_date=date,
            effective_start_date=date,
            effective_date=date,
            moves=[vehicle_move(v, from_location, to_location, company, date)
                for v in sub_vehicles])
        for from_location, sub_vehicles in by_location.items()]
    Shipment.save(shipments)
    Shipment.wait(shipments)
    assign(Shipment, shipments, [v for v, _ in vehicles], force=force)
    if done:
        # Between two warehouses of the company, through its transit
        transit = [
            s for s in Shipment.browse(shipments) if s.transit_location]
        if transit:
            Shipment.pack(transit)
            Shipment.ship(transit)
        Shipment.do(Shipment.browse(shipments))
    return shipments


def check_deliverable(vehicles):
    """Refuse delivering vehicles in stock without an owner with an address
    or outside a warehouse"""
    for vehicle in vehicles:
        if not vehicle.owner:
            raise VehicleStockError(gettext(
                    'dms_vehicle.msg_vehicle_deliver_owner',
                    vehicle=vehicle.rec_name))
        if not vehicle.owner.address_get(type='delivery'):
            raise VehicleStockError(gettext(
                    'dms_vehicle.msg_vehicle_deliver_address',
                    vehicle=vehicle.rec_name,
                    owner=vehicle.owner.rec_name))
        if not vehicle.location.warehouse:
            raise VehicleStockError(gettext(
                    'dms_vehicle.msg_vehicle_deliver_warehouse',
                    vehicle=vehicle.rec_name,
                    location=vehicle.location.rec_name))


def deliver(vehicles, date):
    """Deliver the vehicles in stock to their owners, with a customer
    shipment per rooftop, warehouse and owner (check_deliverable first)"""
    pool = Pool()
    Move = pool.get('stock.move')
    Shipment = pool.get('stock.shipment.out')
    groups = defaultdict(list)
    for vehicle in vehicles:
        groups[vehicle.holding_company, vehicle.location.warehouse,
            vehicle.owner].append(vehicle)
    shipments = []
    for (company, warehouse, owner), sub_vehicles in groups.items():
        address = owner.address_get(type='delivery')
        shipment = Shipment(
            company=company,
            customer=owner,
            delivery_address=address,
            warehouse=warehouse,
            planned_date=date,
            effective_date=date,
            )
        shipment.on_change_warehouse()
        shipment.outgoing_moves = [vehicle_move(
                v, warehouse.output_location, owner.customer_location,
                company, date, unit_price=v._delivery_price())
            for v in sub_vehicles]
        shipments.append(shipment)
    Shipment.save(shipments)
    Shipment.wait(shipments)
    # The cars are taken where they are, not from the picking zone
    locations = {v.lot.id: v.location for v in vehicles}
    moves = [m for s in Shipment.browse(shipments) for m in s.inventory_moves]
    for move in moves:
        move.from_location = locations[move.lot.id]
        move.planned_date = move.effective_date = date
    Move.save(moves)
    assign(Shipment, shipments, vehicles)
    Shipment.pick(shipments)
    Shipment.pack(shipments)
    Shipment.do(shipments)
    return shipments


def receive(vehicles, company, warehouse, date, supplier=None,
        cost_price=None, costs=None):
    """Receive the vehicles into the warehouse with a supplier shipment, and
    those traded back in with a customer return shipment per owner; each at
    its cost in costs (by vehicle id) or at cost_price"""
    pool = Pool()
    ShipmentIn = pool.get('stock.shipment.in')
    ShipmentReturn = pool.get('stock.shipment.out.return')
    Vehicle = pool.get('dms.vehicle')
    new, traded_in = [], defaultdict(list)
    for vehicle in vehicles:
        if not vehicle.lot:
            raise VehicleStockError(gettext(
                    'dms_vehicle.msg_vehicle_receive_variant',
                    vehicle=vehicle.rec_name))
        if vehicle.state == 'scrapped':
            raise VehicleStockError(gettext(
                    'dms_vehicle.msg_vehicle_scrapped_receive',
                    vehicle=vehicle.rec_name))
        if (vehicle.stock_state == 'delivered'
                or vehicle.state == 'customer'):
            if not vehicle.owner:
                raise VehicleStockError(gettext(
                        'dms_vehicle.msg_vehicle_receive_owner',
                        vehicle=vehicle.rec_name))
            traded_in[vehicle.owner].append(vehicle)
        else:
            new.append(vehicle)
    costs = costs or {}

    def incoming(Shipment, vehicles, from_location, **party):
        shipment = Shipment(
            company=company, warehouse=warehouse,
            planned_date=date, effective_date=date, **party)
        shipment.on_change_warehouse()
        shipment.incoming_moves = [vehicle_move(
                v, from_location, warehouse.input_location, company,
                date, unit_price=costs.get(v.id, cost_price or 0))
            for v in vehicles]
        return shipment

    shipments = defaultdict(list)
    if new:
        if not supplier:
            raise VehicleStockError(gettext(
                    'dms_vehicle.msg_vehicle_receive_supplier',
                    vehicle=new[0].rec_name))
        shipments[ShipmentIn].append(incoming(
                ShipmentIn, new, supplier.supplier_location,
                supplier=supplier))
    for owner, sub_vehicles in traded_in.items():
        shipments[ShipmentReturn].append(incoming(
                ShipmentReturn, sub_vehicles, owner.customer_location,
                customer=owner))
    for Shipment, records in shipments.items():
        Shipment.save(records)
        Shipment.receive(records)
        # Into the storage zone when the input zone is another, on the
        # shipment's effective date
        to_do = [s for s in Shipment.browse(records)
            if s.state == 'received']
        if to_do:
            Shipment.do(to_do)
    if traded_in:
        Vehicle.trade_in(Vehicle.browse(
                [v for vs in traded_in.values() for v in vs]))
    return [s for records in shipments.values() for s in records]


class Receive(Wizard):
    __name__ = 'dms.vehicle.receive'
    __string__ = "Receive Vehicles"

    start = StateView('dms.vehicle.receive.start',
        'dms_vehicle.vehicle_receive_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Receive", 'receive', 'tryton-ok', default=True),
            ])
    receive = StateTransition()

    def default_start(self, fields):
        suppliers = {v.make.supplier for v in self.records if v.make}
        supplier = suppliers.pop() if len(suppliers) == 1 else None
        return {
            'company': Transaction().context.get('company'),
            'date': Pool().get('ir.date').today(),
            'supplier': supplier.id if supplier else None,
            }

    def transition_receive(self):
        start = self.start
        check_company(start.company)
        receive(self.records, start.company, start.warehouse, start.date,
            supplier=start.supplier, cost_price=start.cost_price)
        return 'end'


class ReceiveStart(ModelView):
    __name__ = 'dms.vehicle.receive.start'
    __string__ = "Receive Vehicles"

    company = fields.Many2One('company.company', "Company", required=True)
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", required=True,
        domain=[
            ('type', '=', 'warehouse'),
            ['OR',
                ('company', '=', None),
                ('company', '=', Eval('company', -1)),
                ],
            ])
    date = fields.Date("Date", required=True)
    supplier = fields.Many2One(
        'party.party', "Supplier",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Who the new vehicles come from; vehicles traded back in come "
        "from their owner.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    cost_price = Monetary(
        "Cost Price", currency='currency', digits='currency',
        domain=['OR', ('cost_price', '=', None), ('cost_price', '>=', 0)],
        help="The purchase price of each vehicle.")

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None


class Transfer(Wizard):
    __name__ = 'dms.vehicle.transfer'
    __string__ = "Transfer Vehicles"

    start = StateView('dms.vehicle.transfer.start',
        'dms_vehicle.vehicle_transfer_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Transfer", 'transfer', 'tryton-ok', default=True),
            ])
    transfer = StateTransition()

    def default_start(self, fields):
        return {
            'date': Pool().get('ir.date').today(),
            'arrived': True,
            }

    def transition_transfer(self):
        "Between rooftops, one shipment of each through the transit location"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        Configuration = pool.get('dms.configuration')
        start = self.start
        Vehicle.check_holder(self.records, 'transfer')
        transit = Configuration(1).get_vehicle_location('transit')
        destination = start.warehouse.storage_location
        by_company = defaultdict(list)
        for vehicle in self.records:
            if not vehicle.location:
                raise VehicleStockError(gettext(
                        'dms_vehicle.msg_vehicle_transfer_not_in_stock',
                        vehicle=vehicle.rec_name))
            if vehicle.location == destination:
                raise VehicleStockError(gettext(
                        'dms_vehicle.msg_vehicle_transfer_same',
                        vehicle=vehicle.rec_name,
                        location=destination.rec_name))
            by_company[vehicle.holding_company].append(
                (vehicle, vehicle.location))
        for company, vehicles in by_company.items():
            if company == start.company:
                ship_internal(company, vehicles, destination, start.date)
            else:
                ship_internal(company, vehicles, transit, start.date)
                ship_internal(start.company,
                    [(v, transit) for v, _ in vehicles], destination,
                    start.date, done=start.arrived, force=True)
        return 'end'


class TransferStart(ModelView):
    __name__ = 'dms.vehicle.transfer.start'
    __string__ = "Transfer Vehicles"

    company = fields.Many2One(
        'company.company', "To Company", required=True,
        help="The rooftop that holds the vehicles after the transfer.")
    warehouse = fields.Many2One(
        'stock.location', "To Warehouse", required=True,
        domain=[
            ('type', '=', 'warehouse'),
            ['OR',
                ('company', '=', None),
                ('company', '=', Eval('company', -1)),
                ],
            ])
    date = fields.Date("Date", required=True)
    arrived = fields.Boolean(
        "Arrived",
        states={
            'invisible': ~Eval('company'),
            },
        help="Unticked, the vehicles stay in transit until the receiving "
        "rooftop does its internal shipment.")
