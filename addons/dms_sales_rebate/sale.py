# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Vehicle deals: a sale.sale whose line carries a vehicle, with trade-ins,
price-limit approval and the profit tiers GP1, GP2 and GP3."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Sum
from sql.conditionals import Coalesce
from sql.functions import CurrentTimestamp

from trytond.backend import MAX_QUERY_PARAMS
from trytond.i18n import gettext
from trytond.model import ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from .exceptions import DealError, DealValidationError, PriceApprovalError

_in = fields.SQL_OPERATORS['in']

DEAL_KINDS = [
    (None, ""),
    ('vehicle', "Vehicle"),
    ('option', "Option"),
    ('accessory', "Accessory"),
    ('fee', "Fee"),
    ('fi', "F&I Product"),
    ('trade_in', "Trade-in Allowance"),
    ]
PRICE_APPROVALS = [
    (None, ""),
    ('pending', "Waiting for Approval"),
    ('approved', "Approved"),
    ('rejected', "Rejected"),
    ]
# The states in which a deal holds its vehicle
RESERVED_STATES = {'confirmed', 'processing', 'done'}
# The profit figures stored at confirmation (see store_profit)
PROFIT_CACHES = [
    'vehicle_revenue', 'vehicle_cost', 'addon_income', 'commission_amount',
    'over_allowance']


def check_system_fields(Model, mode, records, values, names, external):
    """Refuse the fields only the code writes (names) written over RPC"""
    if not external or mode not in {'create', 'write'}:
        return
    if mode == 'write':
        written = sorted(values.keys() & names)
        targets = records[:1]
    else:
        written = sorted(n for n in names for r in records
            if getattr(r, n, None) not in (None, False))
        targets = records[:1]
    if written and targets:
        raise AccessError(gettext(
                'dms_base.msg_field_readonly',
                field=Model.__names__(written[0])['field'],
                record=targets[0].rec_name,
                model=Model.__names__()['model']))


def _profit(string, help):
    return fields.Function(Monetary(
            string, currency='company_currency', digits='company_currency',
            help=help), 'get_profit')


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    deal = fields.Function(
        fields.Boolean("Vehicle Deal", help="A line of the sale sells a "
            "vehicle."),
        'get_deal', searcher='search_deal')
    deal_vehicle = fields.Function(
        fields.Many2One('dms.vehicle', "Vehicle"),
        'get_deal_vehicle', searcher='search_deal_vehicle')
    salesperson = fields.Many2One(
        'company.employee', "Salesperson",
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': Eval('state') != 'draft',
            },
        help="The sales consultant of the deal.")
    trade_ins = fields.One2Many(
        'dms.sale.trade_in', 'sale', "Trade-ins",
        states={
            'readonly': Eval('state') != 'draft',
            },
        help="The customer's vehicles taken in part-exchange.")
    price_floor = fields.Function(Monetary(
            "Floor Price", currency='currency', digits='currency',
            help="The lowest price the vehicle may be sold at without a "
            "manager's approval."),
        'get_price_floor')
    price_approval = fields.Selection(
        PRICE_APPROVALS, "Price Approval", readonly=True, sort=False,
        help="Whether a manager approved the deal below the floor price.")
    price_approval_string = price_approval.translated('price_approval')
    price_approved_by = fields.Many2One(
        'res.user', "Price Decided By", readonly=True,
        states={
            'invisible': ~Eval('price_approval').in_(
                ['approved', 'rejected']),
            })
    price_approved_at = fields.Timestamp(
        "Price Decided At", readonly=True,
        states={
            'invisible': ~Eval('price_approval').in_(
                ['approved', 'rejected']),
            })
    rebate_lines = fields.One2Many(
        'dms.rebate.line', 'sale', "Rebates", readonly=True,
        help="The manufacturer's rebates estimated for the deal.")
    company_currency = fields.Function(
        fields.Many2One('currency.currency', "Company Currency"),
        'on_change_with_company_currency')
    preparation_cost = Monetary(
        "Preparation Cost", currency='company_currency',
        digits='company_currency',
        domain=['OR',
            ('preparation_cost', '=', None),
            ('preparation_cost', '>=', 0),
            ],
        states={
            'readonly': ~Eval('state').in_(['draft', 'quotation']),
            'invisible': ~Eval('deal'),
            },
        help="The cost of the PDI and of preparing the vehicle for the "
        "customer.")
    delivery_cost = Monetary(
        "Delivery Cost", currency='company_currency',
        digits='company_currency',
        domain=['OR',
            ('delivery_cost', '=', None),
            ('delivery_cost', '>=', 0),
            ],
        states={
            'readonly': ~Eval('state').in_(['draft', 'quotation']),
            'invisible': ~Eval('deal'),
            },
        help="What bringing the vehicle to the customer costs the rooftop.")

    vehicle_revenue = _profit(
        "Vehicle Revenue", "The untaxed price of the vehicle.")
    vehicle_cost = _profit(
        "Vehicle Cost", "The stock value of the vehicle: what its receipt "
        "cost.")
    gp1 = _profit("GP1", "Vehicle revenue less vehicle cost.")
    rebate_amount = _profit(
        "Rebates", "The manufacturer's rebates and bonuses for the vehicle: "
        "estimated until the manufacturer paid them.")
    gp2 = _profit("GP2", "GP1 plus the manufacturer's rebates.")
    addon_income = _profit(
        "Add-on Income", "The margin of the options, accessories, fees and "
        "F&I products sold with the vehicle.")
    commission_amount = _profit(
        "Commission", "The salesperson's commission.")
    over_allowance = _profit(
        "Over-allowance", "Trade-in allowances less appraised values.")
    selling_cost = _profit(
        "Direct Selling Cost", "Commission, preparation, delivery and "
        "trade-in over-allowance.")
    gp3 = _profit(
        "GP3", "GP2 plus add-on income less the direct selling costs.")
    vehicle_revenue_cache = Monetary(
        "Vehicle Revenue Cache", currency='company_currency',
        digits='company_currency', readonly=True)
    vehicle_cost_cache = Monetary(
        "Vehicle Cost Cache", currency='company_currency',
        digits='company_currency', readonly=True)
    addon_income_cache = Monetary(
        "Add-on Income Cache", currency='company_currency',
        digits='company_currency', readonly=True)
    commission_amount_cache = Monetary(
        "Commission Cache", currency='company_currency',
        digits='company_currency', readonly=True)
    over_allowance_cache = Monetary(
        "Over-allowance Cache", currency='company_currency',
        digits='company_currency', readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'approve_price': {
                    'invisible': Eval('price_approval') != 'pending',
                    'depends': ['price_approval'],
                    },
                'reject_price': {
                    'invisible': Eval('price_approval') != 'pending',
                    'depends': ['price_approval'],
                    },
                })

    @classmethod
    def default_preparation_cost(cls):
        pool = Pool()
        Configuration = pool.get('dms.configuration')
        return Configuration(1).deal_preparation_cost

    @classmethod
    def default_delivery_cost(cls):
        pool = Pool()
        Configuration = pool.get('dms.configuration')
        return Configuration(1).deal_delivery_cost

    @classmethod
    def default_salesperson(cls):
        return Transaction().context.get('employee')

    @fields.depends('company')
    def on_change_with_company_currency(self, name=None):
        return self.company.currency if self.company else None

    @property
    def vehicle_lines(self):
        return [l for l in self.lines
            if l.type == 'line' and getattr(l, 'vehicle', None)]

    @classmethod
    def get_deal(cls, sales, name):
        return {s.id: bool(s.vehicle_lines) for s in sales}

    @classmethod
    def search_deal(cls, name, clause):
        _, operator, value = clause
        positive = (operator == '=') == bool(value)
        return [('lines', 'where' if positive else 'not where', [
                    ('vehicle', '!=', None),
                    ])]

    def get_deal_vehicle(self, name):
        lines = self.vehicle_lines
        return lines[0].vehicle.id if lines else None

    @classmethod
    def search_deal_vehicle(cls, name, clause):
        return [('lines.vehicle' + clause[0][len(name):], *clause[1:])]

    def get_price_floor(self, name):
        pool = Pool()
        PriceLimit = pool.get('dms.sale.price_limit')
        floors = [PriceLimit.floor(self, l) for l in self.vehicle_lines]
        floors = [f for f in floors if f is not None]
        return sum(floors) if floors else None

    def below_floor(self):
        "Return the vehicle line priced below its floor, or None"
        pool = Pool()
        PriceLimit = pool.get('dms.sale.price_limit')
        for line in self.vehicle_lines:
            floor = PriceLimit.floor(self, line)
            if floor is not None and line.unit_price < floor:
                return line, floor

    # Profit ---------------------------------------------------------------

    def _to_company(self, amount):
        pool = Pool()
        Currency = pool.get('currency.currency')
        if amount is None:
            return Decimal(0)
        if self.currency == self.company.currency:
            return amount
        with Transaction().set_context(
                date=self.sale_date or self.quotation_date):
            return Currency.compute(
                self.currency, amount, self.company.currency)

    def _profit_figures(self):
        """Return the figures of the deal as it stands, in the company's
        currency"""
        pool = Pool()
        Lot = pool.get('stock.lot')
        Product = pool.get('product.product')
        revenue = cost = addon = commission = Decimal(0)
        round_ = self.company.currency.round
        lots = [l.vehicle.lot for l in self.vehicle_lines if l.vehicle.lot]
        costs = Lot.vehicle_costs(lots, self.company) if lots else {}
        with Transaction().set_context(company=self.company.id):
            # cost_price depends on the company of the context
            products = {p.id: p for p in Product.browse(
                    {l.product.id for l in self.lines if l.product})}
            for line in self.lines:
                if line.type != 'line' or not line.product:
                    continue
                product = products[line.product.id]
                amount = self._to_company(line.amount)
                kind = line.deal_kind
                if kind == 'vehicle':
                    revenue += amount
                    lot = line.vehicle.lot
                    if lot and lot.id in costs:
                        cost += costs[lot.id]
                    else:
                        cost += round_(product.cost_price or 0)
                elif kind != 'trade_in':
                    line_cost = round_(
                        Decimal(str(line.quantity or 0))
                        * (product.cost_price or 0))
                    addon += amount - line_cost
                commission += self._line_commission(line, amount)
        return {
            'vehicle_revenue': revenue,
            'vehicle_cost': cost,
            'addon_income': addon,
            'commission_amount': round_(commission),
            'over_allowance': sum(
                (t.over_allowance or 0 for t in self.trade_ins),
                Decimal(0)),
            }

    def _line_commission(self, line, amount):
        "The estimated commission of the deal's agent on the line"
        agent = getattr(self, 'agent', None)
        if not agent or not agent.plan or line.deal_kind == 'trade_in':
            return Decimal(0)
        return agent.plan.compute(amount, line.product) or Decimal(0)

    @classmethod
    def _posted_commissions(cls, sales):
        """Return by sale id the commissions of its posted invoices: the
        actual commission once there is one"""
        pool = Pool()
        Commission = pool.get('commission')
        InvoiceLine = pool.get('account.invoice.line')
        SaleLine = pool.get('sale.line')
        commission = Commission.__table__()
        invoice_line = InvoiceLine.__table__()
        sale_line = SaleLine.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in grouped_slice([s.id for s in sales], MAX_QUERY_PARAMS):
            origin = Commission.origin.sql_id(commission.origin, Commission)
            line_origin = InvoiceLine.origin.sql_id(
                invoice_line.origin, InvoiceLine)
            cursor.execute(*commission
                .join(invoice_line, condition=(
                        commission.origin.like('account.invoice.line,%')
                        & (origin == invoice_line.id)))
                .join(sale_line, condition=(
                        invoice_line.origin.like('sale.line,%')
                        & (line_origin == sale_line.id)))
                .select(sale_line.sale, Sum(commission.amount),
                    where=_in(sale_line.sale, list(sub_ids)),
                    group_by=[sale_line.sale]))
            result.update((s, Decimal(str(a))) for s, a in cursor)
        return result

    @classmethod
    def get_profit(cls, sales, names):
        pool = Pool()
        Policy = pool.get('dms.rebate.policy')
        result = {n: {} for n in names}
        deals = [s for s in sales if s.deal]
        for sale in sales:
            for name in names:
                result[name][sale.id] = None
        if not deals:
            return result
        live = [s for s in deals if s.state in {'draft', 'quotation'}]
        stored = [s for s in deals if s not in live]
        rebates = {}
        if live:
            rebates.update(Policy.compute_rebates(live))
        if stored:
            rebates.update(cls._rebate_amounts(stored))
        commissions = cls._posted_commissions(stored) if stored else {}
        for sale in deals:
            if sale in live:
                figures = sale._profit_figures()
            else:
                figures = {
                    n: getattr(sale, n + '_cache') or Decimal(0)
                    for n in PROFIT_CACHES}
                if sale.id in commissions:
                    figures['commission_amount'] = (
                        sale.company.currency.round(commissions[sale.id]))
            figures['rebate_amount'] = rebates.get(sale.id, Decimal(0))
            figures['gp1'] = (
                figures['vehicle_revenue'] - figures['vehicle_cost'])
            figures['gp2'] = figures['gp1'] + figures['rebate_amount']
            figures['selling_cost'] = (
                figures['commission_amount']
                + (sale.preparation_cost or 0)
                + (sale.delivery_cost or 0)
                + figures['over_allowance'])
            figures['gp3'] = (figures['gp2'] + figures['addon_income']
                - figures['selling_cost'])
            for name in names:
                result[name][sale.id] = figures[name]
        return result

    @classmethod
    def _rebate_amounts(cls, sales):
        """Return by sale id the rebates of its rebate lines: the paid amount
        once paid, the estimate until then"""
        pool = Pool()
        RebateLine = pool.get('dms.rebate.line')
        line = RebateLine.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in grouped_slice([s.id for s in sales], MAX_QUERY_PARAMS):
            cursor.execute(*line.select(line.sale,
                    Sum(Coalesce(line.actual_amount, line.estimated_amount)),
                    where=_in(line.sale, list(sub_ids))
                    & (line.state != 'cancelled'),
                    group_by=[line.sale]))
            result.update((s, Decimal(str(a))) for s, a in cursor)
        round_ = {s.id: s.company.currency.round for s in sales}
        return {s: round_[s](a) for s, a in result.items()}

    @classmethod
    def store_profit(cls, sales):
        "Store the profit figures of the deals as they were confirmed"
        to_write = []
        for sale in sales:
            if not sale.deal:
                continue
            figures = sale._profit_figures()
            to_write.extend(([sale], {
                        n + '_cache': figures[n] for n in PROFIT_CACHES}))
        if to_write:
            cls.write(*to_write)

    # Workflow -------------------------------------------------------------

    def check_for_quotation(self):
        super().check_for_quotation()
        self.check_deal_vehicles()
        for trade_in in self.trade_ins:
            trade_in.check_for_quotation()

    def check_deal_vehicles(self):
        """Refuse a deal of a vehicle that is not for sale, not of the
        deal's rooftop or in another deal"""
        seen = set()
        for line in self.vehicle_lines:
            vehicle = line.vehicle
            if vehicle in seen:
                raise DealError(gettext(
                        'dms_sales_rebate.msg_deal_vehicle_twice',
                        sale=self.rec_name, vehicle=vehicle.rec_name))
            seen.add(vehicle)
            if (vehicle.state not in {'available', 'held'}
                    or (vehicle.state == 'held'
                        and vehicle.hold_party != self.party)):
                deal = vehicle.deal
                if deal and deal != self:
                    raise DealError(gettext(
                            'dms_sales_rebate.msg_deal_vehicle_reserved',
                            sale=self.rec_name, vehicle=vehicle.rec_name,
                            deal=deal.rec_name))
                raise DealError(gettext(
                        'dms_sales_rebate.msg_deal_vehicle_not_available',
                        sale=self.rec_name, vehicle=vehicle.rec_name,
                        state=vehicle.state_string))
            if vehicle.stock_state in {'delivered', 'written_off'}:
                raise DealError(gettext(
                        'dms_sales_rebate.msg_deal_vehicle_not_available',
                        sale=self.rec_name, vehicle=vehicle.rec_name,
                        state=vehicle.stock_state_string))
            if (vehicle.holding_company
                    and vehicle.holding_company != self.company):
                raise DealError(gettext(
                        'dms_sales_rebate.msg_deal_vehicle_other_rooftop',
                        sale=self.rec_name, vehicle=vehicle.rec_name,
                        company=vehicle.holding_company.rec_name))
            if (vehicle.location and vehicle.location.warehouse
                    and self.warehouse
                    and vehicle.location.warehouse != self.warehouse):
                raise DealError(gettext(
                        'dms_sales_rebate.msg_deal_vehicle_warehouse',
                        sale=self.rec_name, vehicle=vehicle.rec_name,
                        warehouse=vehicle.location.warehouse.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('quotation')
    def quote(cls, sales):
        pool = Pool()
        TradeIn = pool.get('dms.sale.trade_in')
        TradeIn.sync_lines([s for s in sales if s.state == 'draft'])
        super().quote(sales)
        pending = []
        for sale in sales:
            if sale.deal and sale.below_floor():
                pending.append(sale)
        if pending:
            cls.write(pending, {
                    'price_approval': 'pending',
                    'price_approved_by': None,
                    'price_approved_at': None,
                    })

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, sales):
        reserved = [s for s in sales if s.state in RESERVED_STATES]
        super().draft(sales)
        cls._release_deals(reserved)
        cls.write([s for s in sales if s.price_approval], {
                'price_approval': None,
                'price_approved_by': None,
                'price_approved_at': None,
                })
        cls.write([s for s in sales if s.deal], {
                n + '_cache': None for n in PROFIT_CACHES})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, sales):
        reserved = [s for s in sales if s.state in RESERVED_STATES]
        super().cancel(sales)
        cls._release_deals(reserved)

    @classmethod
    def _release_deals(cls, sales):
        "Make the vehicles of the deals available again"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        RebateLine = pool.get('dms.rebate.line')
        deals = [s for s in sales if s.deal]
        if not deals:
            return
        vehicles = [l.vehicle for s in deals for l in s.vehicle_lines
            if l.vehicle.state == 'sold'
            and l.vehicle.stock_state != 'delivered']
        if vehicles:
            # The deal, not the salesperson, decides the vehicle's state
            with without_check_access():
                Vehicle.cancel_sale(Vehicle.browse(vehicles))
        RebateLine.cancel_for_sales(deals)

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, sales):
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        TradeIn = pool.get('dms.sale.trade_in')
        RebateLine = pool.get('dms.rebate.line')
        deals = [s for s in sales if s.deal]
        for sale in deals:
            if sale.price_approval in {'pending', 'rejected'}:
                raise PriceApprovalError(gettext(
                        'dms_sales_rebate.msg_deal_confirm_below_floor',
                        sale=sale.rec_name,
                        approval=sale.price_approval_string))
        vehicles = [l.vehicle for s in deals for l in s.vehicle_lines]
        if vehicles:
            # Touch the vehicles first: of two deals confirming the same
            # vehicle at once, the second waits, fails to serialise, is
            # retried and sees it sold
            table = Vehicle.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.update(
                    [table.write_date], [CurrentTimestamp()],
                    where=_in(table.id, [v.id for v in vehicles])))
            for sale in cls.browse(deals):
                sale.check_deal_vehicles()
        super().confirm(sales)
        if vehicles:
            # The vehicle is reserved by the deal, whoever sells it
            with without_check_access():
                Vehicle.sell(Vehicle.browse(vehicles))
        TradeIn.receive([t for s in deals for t in s.trade_ins])
        cls.store_profit(cls.browse(deals))
        RebateLine.create_for_sales(deals)

    @classmethod
    @ModelView.button
    def approve_price(cls, sales):
        cls._decide_price(sales, 'approved')

    @classmethod
    @ModelView.button
    def reject_price(cls, sales):
        cls._decide_price(sales, 'rejected')

    @classmethod
    def _decide_price(cls, sales, decision):
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        transaction = Transaction()
        user_id = transaction.user
        if user_id:
            user = User(user_id)
            groups = set(User.get_groups())
            group_manager = ModelData.get_id(
                'dms_base', 'group_group_manager')
            sales_manager = ModelData.get_id(
                'dms_base', 'group_sales_manager')
            companies = set(User.get_companies())
            for sale in sales:
                allowed = (group_manager in groups
                    or (sales_manager in groups
                        and sale.company.id in companies))
                if not allowed:
                    raise PriceApprovalError(gettext(
                            'dms_sales_rebate.msg_deal_approval_right',
                            sale=sale.rec_name, user=user.rec_name))
        for sale in sales:
            if sale.price_approval != 'pending':
                raise PriceApprovalError(gettext(
                        'dms_sales_rebate.msg_deal_approval_not_pending',
                        sale=sale.rec_name))
        cls.write(sales, {
                'price_approval': decision,
                'price_approved_by': user_id or None,
                'price_approved_at': dt.datetime.now(),
                })

    @classmethod
    def check_modification(cls, mode, sales, values=None, external=False):
        super().check_modification(
            mode, sales, values=values, external=external)
        check_system_fields(cls, mode, sales, values, {
                'price_approval', 'price_approved_by', 'price_approved_at',
                } | {n + '_cache' for n in PROFIT_CACHES}, external)

    @classmethod
    def copy(cls, sales, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('price_approval', None)
        default.setdefault('price_approved_by', None)
        default.setdefault('price_approved_at', None)
        default.setdefault('trade_ins', None)
        default.setdefault('rebate_lines', None)
        for name in PROFIT_CACHES:
            default.setdefault(name + '_cache', None)
        return super().copy(sales, default=default)

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('//page[@id="deal"]', 'states', {
                    'invisible': ~Eval('deal'),
                    }),
            ]


class SaleLine(metaclass=PoolMeta):
    __name__ = 'sale.line'

    vehicle = fields.Many2One(
        'dms.vehicle', "Vehicle", ondelete='RESTRICT',
        domain=[If(Eval('sale_state') == 'draft',
                [('lot', '!=', None),
                    ('state', 'in', ['available', 'held']),
                    ('stock_state', 'not in', ['delivered', 'written_off']),
                    ],
                [])],
        states={
            'invisible': Eval('type') != 'line',
            'readonly': Eval('sale_state') != 'draft',
            },
        help="The vehicle the line sells; it makes the sale a deal.")
    deal_kind = fields.Function(
        fields.Selection(DEAL_KINDS, "Deal Kind"), 'get_deal_kind')
    trade_in = fields.Many2One(
        'dms.sale.trade_in', "Trade-in", readonly=True, ondelete='CASCADE',
        states={
            'invisible': ~Eval('trade_in'),
            },
        help="The trade-in whose allowance the line credits.")

    @fields.depends('vehicle', 'product', 'unit', 'quantity', 'description',
        'sale', '_parent_sale.currency', '_parent_sale.company',
        methods=['on_change_product'])
    def on_change_vehicle(self):
        if not self.vehicle or not self.vehicle.variant:
            return
        product = self.vehicle.variant.product
        if product and self.product != product:
            self.product = product
            self.quantity = 1
            self.on_change_product()
        self.quantity = 1
        self.description = self.vehicle.rec_name
        vehicle = self.vehicle
        if (vehicle.asking_price is not None and self.sale
                and self.sale.currency == vehicle.currency):
            self.unit_price = vehicle.asking_price
            self.amount = self.on_change_with_amount()

    def get_deal_kind(self, name):
        if self.vehicle:
            return 'vehicle'
        if self.trade_in:
            return 'trade_in'
        if self.product:
            return self.product.template.deal_kind

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        if field_names & {'vehicle', 'product', 'quantity'}:
            for line in lines:
                if not line.vehicle:
                    continue
                variant = line.vehicle.variant
                if not variant or line.product != variant.product:
                    raise DealValidationError(gettext(
                            'dms_sales_rebate.msg_deal_line_product',
                            line=line.rec_name,
                            vehicle=line.vehicle.rec_name))
                if line.quantity != 1:
                    raise DealValidationError(gettext(
                            'dms_sales_rebate.msg_deal_line_quantity',
                            line=line.rec_name,
                            vehicle=line.vehicle.rec_name))

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        check_system_fields(cls, mode, lines, values, {'trade_in'}, external)

    def get_move(self, shipment_type):
        move = super().get_move(shipment_type)
        if move and self.vehicle and self.vehicle.lot:
            move.lot = self.vehicle.lot
        return move

    @classmethod
    def copy(cls, lines, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('trade_in', None)
        return super().copy(lines, default=default)


def vehicle_deals(vehicles):
    """Return by vehicle id the ids of its deals, newest first, and of its
    reserving deal"""
    pool = Pool()
    Line = pool.get('sale.line')
    deals = defaultdict(list)
    reserving = {}
    with without_check_access():
        lines = Line.search([
                ('vehicle', 'in', [v.id for v in vehicles]),
                ('sale.state', '!=', 'cancelled'),
                ], order=[('sale.id', 'DESC')])
        for line in lines:
            sale = line.sale
            deals[line.vehicle.id].append(sale.id)
            if (sale.state in RESERVED_STATES
                    and line.vehicle.id not in reserving):
                reserving[line.vehicle.id] = sale.id
    return deals, reserving
