# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.modules.dms_vehicle import shipment
from trytond.modules.dms_vehicle import vin as vin_tools
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import TradeInError
from .sale import check_system_fields

CONDITIONS = [
    ('excellent', "Excellent"),
    ('good', "Good"),
    ('fair', "Fair"),
    ('poor', "Poor"),
    ]


class TradeIn(ModelSQL, ModelView):
    __name__ = 'dms.sale.trade_in'
    __string__ = "Trade-in"
    _rec_name = 'vin'

    _states = {
        'readonly': Eval('sale_state') != 'draft',
        }

    sale = fields.Many2One(
        'sale.sale', "Deal", required=True, ondelete='CASCADE',
        states={
            'readonly': Eval('sale_state') != 'draft',
            })
    sale_state = fields.Function(
        fields.Selection('get_sale_states', "Deal State"),
        'on_change_with_sale_state')
    vin = fields.Char(
        "VIN", required=True, size=17, strip=True, states=_states,
        help="The vehicle identification number of the car taken in.")
    variant = fields.Many2One(
        'dms.vehicle.variant', "Variant", ondelete='RESTRICT',
        states=_states,
        help="The catalog variant the car is taken into stock as.")
    make = fields.Function(
        fields.Many2One('dms.vehicle.make', "Make"),
        'on_change_with_make')
    model = fields.Function(
        fields.Many2One('dms.vehicle.model', "Model"),
        'on_change_with_model')
    model_year = fields.Integer("Model Year", states=_states)
    first_registration = fields.Date("First Registration", states=_states)
    mileage = fields.Integer(
        "Mileage (km)", required=True, states=_states,
        domain=[('mileage', '>=', 0)])
    condition = fields.Selection(
        CONDITIONS, "Condition", required=True, sort=False, states=_states)
    condition_string = condition.translated('condition')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    appraised_value = Monetary(
        "Appraised Value", currency='currency', digits='currency',
        required=True, states=_states,
        domain=[('appraised_value', '>=', 0)],
        help="What the used-car buyer values the car at; it enters the "
        "stock at this value.")
    allowance = Monetary(
        "Allowance", currency='currency', digits='currency',
        required=True, states=_states,
        domain=[('allowance', '>=', 0)],
        help="What the customer is credited for the car on the deal.")
    over_allowance = fields.Function(Monetary(
            "Over-allowance", currency='currency', digits='currency',
            help="The allowance less the appraised value: a cost of the "
            "deal when positive."),
        'on_change_with_over_allowance')
    vehicle = fields.Many2One(
        'dms.vehicle', "Vehicle", readonly=True, ondelete='RESTRICT',
        help="The vehicle received into stock when the deal was confirmed.")
    comment = fields.Text("Comment", states=_states)

    del _states

    @classmethod
    def __setup__(cls):
        cls.vin.search_unaccented = False
        super().__setup__()
        cls.__access__.add('sale')

    @classmethod
    def default_condition(cls):
        return 'good'

    @classmethod
    def get_sale_states(cls):
        pool = Pool()
        Sale = pool.get('sale.sale')
        return Sale.fields_get(['state'])['state']['selection']

    @fields.depends('sale', '_parent_sale.state')
    def on_change_with_sale_state(self, name=None):
        return self.sale.state if self.sale else None

    @fields.depends('sale', '_parent_sale.currency')
    def on_change_with_currency(self, name=None):
        return self.sale.currency if self.sale else None

    @fields.depends('variant')
    def on_change_with_make(self, name=None):
        return self.variant.model.make if self.variant else None

    @fields.depends('variant')
    def on_change_with_model(self, name=None):
        return self.variant.model if self.variant else None

    @fields.depends('allowance', 'appraised_value')
    def on_change_with_over_allowance(self, name=None):
        if self.allowance is None or self.appraised_value is None:
            return None
        return self.allowance - self.appraised_value

    @fields.depends('vin', 'model_year')
    def on_change_vin(self):
        if self.vin:
            self.vin = vin_tools.normalize(self.vin)
            if not self.model_year and not vin_tools.check(self.vin):
                self.model_year = vin_tools.model_year(self.vin)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('vin'):
            values['vin'] = vin_tools.normalize(values['vin'])
        return values

    def get_rec_name(self, name):
        return self.vin

    @classmethod
    def check_modification(cls, mode, trade_ins, values=None,
            external=False):
        super().check_modification(
            mode, trade_ins, values=values, external=external)
        check_system_fields(
            cls, mode, trade_ins, values, {'vehicle'}, external)

    @classmethod
    def validate_fields(cls, trade_ins, field_names):
        super().validate_fields(trade_ins, field_names)
        if 'vin' in field_names:
            cls.check_in_stock(trade_ins)

    @classmethod
    def check_in_stock(cls, trade_ins):
        "Refuse a trade-in of a car that is in the group's stock"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        vins = {t.vin for t in trade_ins}
        # The group's stock, every rooftop's
        with without_check_access():
            in_stock = {v.vin: v for v in Vehicle.search([
                        ('vin', 'in', list(vins)),
                        ('on_hand', '=', True),
                        ], order=[])}
        for trade_in in trade_ins:
            vehicle = in_stock.get(trade_in.vin)
            if vehicle:
                raise TradeInError(gettext(
                        'dms_sales_rebate.msg_trade_in_in_stock',
                        vin=trade_in.vin, sale=trade_in.sale.rec_name,
                        company=vehicle.holding_company.rec_name
                        if vehicle.holding_company else ''))

    def check_for_quotation(self):
        if not self.variant:
            raise TradeInError(gettext(
                    'dms_sales_rebate.msg_trade_in_variant',
                    vin=self.vin, sale=self.sale.rec_name))
        error = vin_tools.check(self.vin)
        if error:
            raise TradeInError(gettext(
                    'dms_sales_rebate.msg_trade_in_vin_invalid',
                    vin=self.vin, sale=self.sale.rec_name))

    @classmethod
    def sync_lines(cls, sales):
        """Give each trade-in of the deals its allowance line, which the
        customer's invoice credits"""
        pool = Pool()
        Line = pool.get('sale.line')
        Configuration = pool.get('dms.configuration')
        to_save, to_delete = [], []
        product = None
        for sale in sales:
            lines = {l.trade_in: l for l in sale.lines if l.trade_in}
            for trade_in in sale.trade_ins:
                line = lines.pop(trade_in, None)
                if line is None:
                    if product is None:
                        product = Configuration(1).deal_trade_in_product
                        if not product:
                            raise TradeInError(gettext(
                                    'dms_sales_rebate'
                                    '.msg_trade_in_product_missing',
                                    sale=sale.rec_name))
                    line = Line(sale=sale, type='line', product=product,
                        trade_in=trade_in, quantity=1, unit=product.sale_uom)
                    line.on_change_product()
                    line.quantity = 1
                line.unit_price = -trade_in.allowance
                line.description = gettext(
                    'dms_sales_rebate.msg_trade_in_line',
                    vin=trade_in.vin,
                    vehicle=(trade_in.variant.rec_name
                        if trade_in.variant else ''))
                to_save.append(line)
            to_delete.extend(lines.values())
        Line.save(to_save)
        Line.delete(to_delete)

    @classmethod
    def receive(cls, trade_ins):
        """Take the cars of the confirmed deals into stock at their appraised
        value, through the vehicle receipt"""
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        Mileage = pool.get('dms.vehicle.mileage')
        Date = pool.get('ir.date')
        if not trade_ins:
            return
        cls.check_in_stock(trade_ins)
        # The trade-in may be a car the group never saw, or one it sold or
        # serviced: the vehicle master is group-wide
        with without_check_access():
            existing = {v.vin: v for v in Vehicle.search([
                        ('vin', 'in', [t.vin for t in trade_ins]),
                        ], order=[])}
        new = []
        for trade_in in trade_ins:
            if trade_in.vin not in existing:
                vehicle = Vehicle(
                    vin=trade_in.vin, variant=trade_in.variant,
                    model_year=trade_in.model_year,
                    first_registration=trade_in.first_registration,
                    usage='used', owner=trade_in.sale.party)
                existing[trade_in.vin] = vehicle
                new.append(vehicle)
        with without_check_access():
            # The seller records the car, which otherwise only the used-car
            # buyers may
            Vehicle.save(new)
            changed = []
            for trade_in in trade_ins:
                vehicle = existing[trade_in.vin]
                if vehicle.owner != trade_in.sale.party:
                    vehicle.owner = trade_in.sale.party
                    changed.append(vehicle)
            Vehicle.save(changed)
            Vehicle.to_customer([v for v in existing.values()
                    if v.state == 'available' and v.stock_state == 'none'])
        by_sale = defaultdict(list)
        for trade_in in trade_ins:
            by_sale[trade_in.sale].append(trade_in)
        mileages = []
        for sale, sub_trade_ins in by_sale.items():
            with Transaction().set_context(company=sale.company.id):
                today = Date.today()
            vehicles = Vehicle.browse(
                [existing[t.vin] for t in sub_trade_ins])
            shipment.receive(vehicles, sale.company, sale.warehouse, today,
                costs={existing[t.vin].id: sale._to_company(
                        t.appraised_value) for t in sub_trade_ins})
            for trade_in in sub_trade_ins:
                mileages.append(Mileage(
                        vehicle=existing[trade_in.vin], date=today,
                        reading=trade_in.mileage, source='intake'))
        with without_check_access():
            Mileage.save(mileages)
        for trade_in in trade_ins:
            trade_in.vehicle = existing[trade_in.vin]
        cls.save(trade_ins)
