# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import VehicleStockError


def check_company(company):
    "Refuse taking vehicles into the stock of a company the user is not of"
    pool = Pool()
    User = pool.get('res.user')
    if (Transaction().user
            and company.id not in User.get_companies()):
        raise AccessError(gettext(
                'dms_vehicle.msg_vehicle_receive_company',
                company=company.rec_name))


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
        return {
            'company': Transaction().context.get('company'),
            'date': Pool().get('ir.date').today(),
            }

    def transition_receive(self):
        pool = Pool()
        Move = pool.get('stock.move')
        Configuration = pool.get('dms.configuration')
        configuration = Configuration(1)
        start = self.start
        check_company(start.company)
        moves = []
        for vehicle in self.records:
            if not vehicle.lot:
                raise VehicleStockError(gettext(
                        'dms_vehicle.msg_vehicle_receive_variant',
                        vehicle=vehicle.rec_name))
            if vehicle.state == 'scrapped':
                raise VehicleStockError(gettext(
                        'dms_vehicle.msg_vehicle_scrapped_receive',
                        vehicle=vehicle.rec_name))
            from_location = configuration.get_vehicle_location(
                'customer' if vehicle.state in {'delivered', 'customer'}
                else 'supplier')
            moves.append(Move(
                    product=vehicle.lot.product,
                    lot=vehicle.lot,
                    quantity=1,
                    unit=vehicle.lot.product.default_uom,
                    from_location=from_location,
                    to_location=start.warehouse.storage_location,
                    company=start.company,
                    currency=start.company.currency,
                    unit_price=start.cost_price or 0,
                    planned_date=start.date,
                    effective_date=start.date,
                    origin=vehicle,
                    ))
        with without_check_access():
            Move.save(moves)
            Move.do(moves)
        return 'end'


class ReceiveStart(ModelView):
    __name__ = 'dms.vehicle.receive.start'
    __string__ = "Receive Vehicles"

    company = fields.Many2One('company.company', "Company", required=True)
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", required=True,
        domain=[('type', '=', 'warehouse')])
    date = fields.Date("Date", required=True)
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
        """Move the vehicles out of their rooftop and into the destination:
        within a company directly, between companies through the transit
        location, each rooftop's move in its own company"""
        pool = Pool()
        Move = pool.get('stock.move')
        Configuration = pool.get('dms.configuration')
        Vehicle = pool.get('dms.vehicle')
        configuration = Configuration(1)
        start = self.start
        Vehicle.check_holder(self.records, 'transfer')
        transit = configuration.get_vehicle_location('transit')
        destination = start.warehouse.storage_location
        out_moves, in_moves = [], []
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
            values = {
                'product': vehicle.lot.product,
                'lot': vehicle.lot,
                'quantity': 1,
                'unit': vehicle.lot.product.default_uom,
                'planned_date': start.date,
                'origin': vehicle,
                }
            source_company = vehicle.holding_company
            if source_company == start.company:
                out_moves.append(Move(
                        from_location=vehicle.location,
                        to_location=destination,
                        company=source_company,
                        effective_date=start.date,
                        **values))
            else:
                out_moves.append(Move(
                        from_location=vehicle.location,
                        to_location=transit,
                        company=source_company,
                        effective_date=start.date,
                        **values))
                in_moves.append(Move(
                        from_location=transit,
                        to_location=destination,
                        company=start.company,
                        effective_date=start.date if start.arrived else None,
                        **values))
        with without_check_access():
            Move.save(out_moves + in_moves)
            Move.do(out_moves)
            if start.arrived:
                Move.do(in_moves)
            elif in_moves:
                # The vehicles wait in transit for the receiving rooftop,
                # which only has to do its move.
                Move.assign(in_moves)
        return 'end'


class TransferStart(ModelView):
    __name__ = 'dms.vehicle.transfer.start'
    __string__ = "Transfer Vehicles"

    company = fields.Many2One(
        'company.company', "To Company", required=True,
        help="The rooftop that holds the vehicles after the transfer.")
    warehouse = fields.Many2One(
        'stock.location', "To Warehouse", required=True,
        domain=[('type', '=', 'warehouse')])
    date = fields.Date("Date", required=True)
    arrived = fields.Boolean(
        "Arrived",
        states={
            'invisible': ~Eval('company'),
            },
        help="Unticked, the vehicles stay in transit until the receiving "
        "rooftop processes its incoming move.")
