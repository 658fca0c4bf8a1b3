# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Null
from sql.aggregate import Sum

from trytond.backend import MAX_QUERY_PARAMS
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.currency.fields import Monetary
from trytond.modules.dms_base.model import ReadonlyFieldsMixin
from trytond.modules.dms_vehicle.stock import check_warehouse_company
from trytond.modules.product import round_price
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import (
    Button, StateAction, StateTransition, StateView, Wizard)

from .exceptions import TransferError, TransferWarning

PRICE_METHODS = [
    ('cost', "At Cost"),
    ('transfer', "Transfer Price"),
    ]


def group_quantities(product_ids):
    """Return the quantities on hand of the products at every warehouse of
    the group as {(company, warehouse, product): quantity} in the products'
    default units, read from the done stock moves of every company: only
    quantities leave the other companies"""
    pool = Pool()
    Move = pool.get('stock.move')
    Location = pool.get('stock.location')
    cursor = Transaction().connection.cursor()
    move = Move.__table__()
    location = Location.__table__()
    warehouse = Location.__table__()
    quantities = defaultdict(float)
    size = MAX_QUERY_PARAMS // 2 or None
    for sub_ids in grouped_slice(product_ids, size):
        sub_ids = list(sub_ids)
        for column, sign in [
                (move.to_location, 1), (move.from_location, -1)]:
            query = (move
                .join(location, condition=column == location.id)
                .join(warehouse,
                    condition=(warehouse.type == 'warehouse')
                    & (location.left >= warehouse.left)
                    & (location.right <= warehouse.right))
                .select(
                    warehouse.company, warehouse.id, move.product,
                    Sum(move.internal_quantity),
                    where=(move.state == 'done')
                    & move.product.in_(sub_ids)
                    & (warehouse.company != Null),
                    group_by=[warehouse.company, warehouse.id, move.product]))
            cursor.execute(*query)
            for company, warehouse_id, product, quantity in cursor:
                quantities[company, warehouse_id, product] += (
                    sign * quantity)
    return {k: q for k, q in quantities.items() if q}


def _may_see(company):
    "Whether the user works for the company (as its record rules say)"
    pool = Pool()
    User = pool.get('res.user')
    if not Transaction().user:
        return True
    return company.id in User.get_companies()


class Transfer(ReadonlyFieldsMixin, Workflow, ModelSQL, ModelView):
    "Parts one rooftop of the group asks from another"
    __name__ = 'dms.part.transfer'
    __string__ = "Group Parts Transfer"

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        states=_states,
        help="The rooftop that asks for the parts and buys them.")
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", required=True, ondelete='RESTRICT',
        domain=[
            ('type', '=', 'warehouse'),
            ('company', '=', Eval('company', -1)),
            ],
        states=_states,
        help="Where the parts go.")
    supplier_company = fields.Many2One(
        'company.company', "From Rooftop", required=True,
        ondelete='RESTRICT',
        domain=[
            ('id', '!=', Eval('company', -1)),
            ],
        states=_states,
        help="The rooftop of the group that sells the parts.")
    supplier_warehouse = fields.Many2One(
        'stock.location', "From Warehouse", required=True,
        ondelete='RESTRICT',
        domain=[
            ('type', '=', 'warehouse'),
            ('company', '=', Eval('supplier_company', -1)),
            ],
        states=_states,
        help="Where the parts are taken from.")
    date = fields.Date("Date", required=True, states=_states)
    price_method = fields.Selection(
        PRICE_METHODS, "Price", required=True, states=_states,
        help="At cost: the selling rooftop's cost price when the transfer "
        "is requested; transfer price: the price on each line.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    lines = fields.One2Many(
        'dms.part.transfer.line', 'transfer', "Lines", states=_states)
    total_amount = fields.Function(
        Monetary("Total", currency='currency', digits='currency'),
        'get_total_amount')
    employee = fields.Many2One(
        'company.employee', "Requested By", readonly=True,
        ondelete='RESTRICT')
    requested_date = fields.DateTime("Requested", readonly=True)
    sale = fields.Many2One(
        'sale.sale', "Sale", readonly=True, ondelete='RESTRICT',
        help="The selling rooftop's sale of the parts.")
    purchase = fields.Many2One(
        'purchase.purchase', "Purchase", readonly=True, ondelete='RESTRICT',
        help="The buying rooftop's purchase of the parts.")
    sale_number = fields.Char("Sale Number", readonly=True,
        help="The number of the selling rooftop's sale.")
    purchase_number = fields.Char("Purchase Number", readonly=True,
        help="The number of the buying rooftop's purchase.")
    comment = fields.Text("Comment", states=_states)
    state = fields.Selection([
            ('draft', "Draft"),
            ('requested', "Requested"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.company, Index.Equality())),
                Index(t, (t.supplier_company, Index.Equality())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'draft'),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'requested'),
            ('draft', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'request': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_warehouse(cls):
        "The user's warehouse, else the only one of the user's rooftop"
        pool = Pool()
        Location = pool.get('stock.location')
        warehouse = Location.get_default_warehouse()
        company = Transaction().context.get('company')
        if warehouse is not None:
            if Location(warehouse).company in {None, company}:
                return warehouse
        if company is not None:
            warehouses = Location.search([
                    ('type', '=', 'warehouse'),
                    ('company', '=', company),
                    ], limit=2)
            if len(warehouses) == 1:
                return warehouses[0].id

    @classmethod
    def default_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today()

    @classmethod
    def default_price_method(cls):
        return 'cost'

    @classmethod
    def default_state(cls):
        return 'draft'

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('supplier_company', 'supplier_warehouse')
    def on_change_supplier_company(self):
        if (self.supplier_warehouse and self.supplier_warehouse.company
                != self.supplier_company):
            self.supplier_warehouse = None
        if self.supplier_company and not self.supplier_warehouse:
            pool = Pool()
            Location = pool.get('stock.location')
            warehouses = Location.search([
                    ('type', '=', 'warehouse'),
                    ('company', '=', self.supplier_company.id),
                    ], limit=2)
            if len(warehouses) == 1:
                self.supplier_warehouse, = warehouses

    @classmethod
    def get_total_amount(cls, transfers, name):
        return {t.id: sum((l.amount or 0 for l in t.lines), Decimal(0))
            for t in transfers}

    def get_rec_name(self, name):
        return gettext('dms_parts.msg_transfer_rec_name',
            supplier=self.supplier_company.rec_name,
            company=self.company.rec_name,
            date=self.date.isoformat() if self.date else '')

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('company.rec_name', operator, value),
            ('supplier_company.rec_name', operator, value),
            ('sale_number', operator, value),
            ('purchase_number', operator, value),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('company') is not None:
            cls.check_company_visible(values['company'])
        return values

    @classmethod
    def check_company_visible(cls, company_id):
        "Refuse a transfer into a rooftop the user does not work for"
        pool = Pool()
        Company = pool.get('company.company')
        company = Company(company_id)
        if not _may_see(company):
            raise TransferError(gettext(
                    'dms_parts.msg_transfer_company_not_allowed',
                    company=company.rec_name))

    @classmethod
    def validate_fields(cls, transfers, field_names):
        super().validate_fields(transfers, field_names)
        if field_names & {
                'company', 'warehouse', 'supplier_company',
                'supplier_warehouse'}:
            for transfer in transfers:
                check_warehouse_company(
                    transfer, transfer.company, [transfer.warehouse])
                check_warehouse_company(
                    transfer, transfer.supplier_company,
                    [transfer.supplier_warehouse])
                if transfer.company == transfer.supplier_company:
                    raise TransferError(gettext(
                            'dms_parts.msg_transfer_same_company',
                            transfer=transfer.rec_name))

    @classmethod
    def check_modification(cls, mode, transfers, values=None, external=False):
        super().check_modification(
            mode, transfers, values=values, external=external)
        if mode == 'delete':
            for transfer in transfers:
                if transfer.state == 'requested':
                    raise AccessError(gettext(
                            'dms_parts.msg_transfer_delete_requested',
                            transfer=transfer.rec_name))

    @classmethod
    def copy(cls, transfers, default=None):
        default = default.copy() if default is not None else {}
        for name in ['employee', 'requested_date', 'sale', 'purchase',
                'sale_number', 'purchase_number']:
            default.setdefault(name, None)
        default.setdefault('date', cls.default_date())
        default.setdefault('state', cls.default_state())
        return super().copy(transfers, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, transfers):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, transfers):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('requested')
    def request(cls, transfers):
        """Sell the parts from the supplier rooftop and buy them into the
        asking one: a confirmed sale and a confirmed purchase, linked"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        Purchase = pool.get('purchase.purchase')
        transaction = Transaction()
        for transfer in transfers:
            transfer.check_request()
        cls.check_supplier_stock(transfers)
        employee = transaction.context.get('employee')
        now = dt.datetime.now()
        # The buyer's parts staff see nothing else of the selling rooftop:
        # its sale is made in its name, without their access rights
        with without_check_access(), transaction.set_context(
                _skip_warnings=True):
            for transfer in transfers:
                transfer.set_prices()
                with transaction.set_context(
                        company=transfer.supplier_company.id, employee=None):
                    sale = transfer.get_sale()
                    sale.save()
                    Sale.quote([sale])
                with transaction.set_context(
                        company=transfer.company.id, employee=employee):
                    purchase = transfer.get_purchase()
                    purchase.reference = sale.number
                    purchase.save()
                    Purchase.quote([purchase])
                sale.reference = purchase.number
                sale.save()
                with transaction.set_context(
                        company=transfer.supplier_company.id, employee=None):
                    Sale.confirm([sale])
                with transaction.set_context(
                        company=transfer.company.id, employee=employee):
                    Purchase.confirm([purchase])
                transfer.sale = sale
                transfer.purchase = purchase
                transfer.sale_number = sale.number
                transfer.purchase_number = purchase.number
                transfer.requested_date = now
                if employee and not transfer.employee:
                    transfer.employee = employee
            cls.save(transfers)

    def check_request(self):
        "Refuse what cannot become a sale and a purchase"
        self.check_company_visible(self.company.id)
        lines = [l for l in self.lines if l.quantity]
        if not lines:
            raise TransferError(gettext(
                    'dms_parts.msg_transfer_no_lines',
                    transfer=self.rec_name))
        for line in self.lines:
            if (self.price_method == 'transfer'
                    and line.unit_price is None):
                raise TransferError(gettext(
                        'dms_parts.msg_transfer_line_price',
                        transfer=self.rec_name,
                        part=line.product.rec_name))

    @classmethod
    def check_supplier_stock(cls, transfers):
        """Warn when the selling rooftop has less on hand than asked for:
        the rest becomes its backorder"""
        pool = Pool()
        Warning = pool.get('res.user.warning')
        products = {l.product.id for t in transfers for l in t.lines}
        with without_check_access():
            quantities = group_quantities(products)
        for transfer in transfers:
            asked = defaultdict(float)
            for line in transfer.lines:
                asked[line.product] += line.internal_quantity
            short = []
            for product, quantity in asked.items():
                on_hand = quantities.get((
                        transfer.supplier_company.id,
                        transfer.supplier_warehouse.id, product.id), 0)
                if quantity > on_hand:
                    unit = product.default_uom
                    short.append(gettext(
                            'dms_parts.msg_sale_backorder_part',
                            part=product.rec_name,
                            quantity=f'{unit.round(quantity):g}',
                            on_hand=f'{unit.round(on_hand):g}',
                            unit=unit.symbol))
            if short:
                key = Warning.format('dms_parts_transfer_short', [transfer])
                if Warning.check(key):
                    raise TransferWarning(key, gettext(
                            'dms_parts.msg_transfer_short',
                            transfer=transfer.rec_name,
                            warehouse=transfer.supplier_warehouse.rec_name,
                            parts='; '.join(short)))

    def set_prices(self):
        "Price the lines at the selling rooftop's cost"
        pool = Pool()
        Product = pool.get('product.product')
        Uom = pool.get('product.uom')
        if self.price_method != 'cost':
            return
        lines = list(self.lines)
        with Transaction().set_context(company=self.supplier_company.id):
            products = Product.browse([l.product.id for l in lines])
            for line, product in zip(lines, products):
                cost = product.cost_price or 0
                line.unit_price = round_price(Uom.compute_price(
                        product.default_uom, cost, line.unit))
        self.lines = lines

    def get_sale(self):
        "Return the selling rooftop's sale of the lines"
        pool = Pool()
        Sale = pool.get('sale.sale')
        Line = pool.get('sale.line')
        party = self.company.party
        sale = Sale(
            company=self.supplier_company,
            warehouse=self.supplier_warehouse,
            party=party,
            part_transfer=self,
            description=self.rec_name,
            comment=self.comment)
        sale.on_change_party()
        sale.currency = self.supplier_company.currency
        sale.invoice_address = party.address_get(type='invoice')
        sale.shipment_address = party.address_get(type='delivery')
        lines = []
        for line in self.lines:
            sale_line = Line(
                sale=sale, type='line', product=line.product,
                quantity=line.quantity, unit=line.unit)
            sale_line.on_change_product()
            sale_line.unit = line.unit
            sale_line.unit_price = round_price(line.unit_price)
            lines.append(sale_line)
        sale.lines = lines
        return sale

    def get_purchase(self):
        "Return the buying rooftop's purchase of the lines"
        pool = Pool()
        Purchase = pool.get('purchase.purchase')
        Line = pool.get('purchase.line')
        party = self.supplier_company.party
        purchase = Purchase(
            company=self.company,
            warehouse=self.warehouse,
            party=party,
            part_transfer=self,
            part_order_type='stock',
            description=self.rec_name,
            comment=self.comment)
        purchase.on_change_party()
        purchase.currency = self.company.currency
        purchase.invoice_address = party.address_get(type='invoice')
        lines = []
        for line in self.lines:
            purchase_line = Line(
                purchase=purchase, type='line', product=line.product,
                quantity=line.quantity, unit=line.unit)
            purchase_line.on_change_product()
            purchase_line.unit = line.unit
            purchase_line.unit_price = round_price(line.unit_price)
            lines.append(purchase_line)
        purchase.lines = lines
        return purchase


class TransferLine(ReadonlyFieldsMixin, ModelSQL, ModelView):
    __name__ = 'dms.part.transfer.line'
    __string__ = "Group Parts Transfer Line"

    transfer = fields.Many2One(
        'dms.part.transfer', "Transfer", required=True, ondelete='CASCADE')
    product = fields.Many2One(
        'product.product', "Part", required=True, ondelete='RESTRICT',
        domain=[
            ('part', '=', True),
            ])
    quantity = fields.Float(
        "Quantity", digits='unit', required=True,
        domain=[
            ('quantity', '>', 0),
            ])
    unit = fields.Many2One(
        'product.uom', "Unit", required=True, ondelete='RESTRICT',
        domain=[
            If(Eval('product_unit_category'),
                ('category', '=', Eval('product_unit_category', -1)),
                ()),
            ])
    product_unit_category = fields.Function(
        fields.Many2One('product.uom.category', "Product Unit Category"),
        'on_change_with_product_unit_category')
    internal_quantity = fields.Function(
        fields.Float("Internal Quantity"), 'get_internal_quantity')
    unit_price = Monetary(
        "Unit Price", currency='currency', digits=(16, 4),
        states={
            'readonly': ((Eval('transfer_price_method') == 'cost')
                | (Eval('transfer_state') != 'draft')),
            },
        help="The transfer price; at cost, the selling rooftop's cost price "
        "when the transfer is requested.")
    amount = fields.Function(
        Monetary("Amount", currency='currency', digits='currency'),
        'on_change_with_amount')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    transfer_price_method = fields.Function(
        fields.Selection(PRICE_METHODS, "Price Method"),
        'on_change_with_transfer_price_method')
    transfer_state = fields.Function(
        fields.Selection('get_transfer_states', "Transfer State"),
        'on_change_with_transfer_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('transfer')
        for name in ['product', 'quantity', 'unit']:
            field = getattr(cls, name)
            field.states = {
                'readonly': Eval('transfer_state') != 'draft',
                }

    @classmethod
    def get_transfer_states(cls):
        pool = Pool()
        Transfer = pool.get('dms.part.transfer')
        return Transfer.fields_get(['state'])['state']['selection']

    @fields.depends('transfer', '_parent_transfer.price_method')
    def on_change_with_transfer_price_method(self, name=None):
        if self.transfer:
            return self.transfer.price_method

    @fields.depends('transfer', '_parent_transfer.state')
    def on_change_with_transfer_state(self, name=None):
        if self.transfer:
            return self.transfer.state

    @fields.depends('transfer', '_parent_transfer.company')
    def on_change_with_currency(self, name=None):
        if self.transfer and self.transfer.company:
            return self.transfer.company.currency

    @fields.depends('product', 'unit')
    def on_change_product(self):
        if self.product:
            category = self.product.default_uom.category
            if not self.unit or self.unit.category != category:
                self.unit = self.product.default_uom

    @fields.depends('product')
    def on_change_with_product_unit_category(self, name=None):
        if self.product:
            return self.product.default_uom.category

    @fields.depends('quantity', 'unit_price', 'currency')
    def on_change_with_amount(self, name=None):
        if (self.quantity is not None and self.unit_price is not None
                and self.currency):
            return self.currency.round(
                Decimal(str(self.quantity)) * self.unit_price)

    def get_internal_quantity(self, name):
        pool = Pool()
        Uom = pool.get('product.uom')
        return Uom.compute_qty(self.unit, self.quantity,
            self.product.default_uom, round=False)

    def get_rec_name(self, name):
        return f'{self.quantity:g} × {self.product.rec_name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('product.rec_name',) + tuple(clause[1:])]


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    part_transfer = fields.Many2One(
        'dms.part.transfer', "Group Transfer", readonly=True,
        ondelete='RESTRICT',
        states={
            'invisible': ~Eval('part_transfer'),
            },
        help="The group transfer whose parts this sale sells to another "
        "rooftop.")


class Purchase(metaclass=PoolMeta):
    __name__ = 'purchase.purchase'

    part_transfer = fields.Many2One(
        'dms.part.transfer', "Group Transfer", readonly=True,
        ondelete='RESTRICT',
        states={
            'invisible': ~Eval('part_transfer'),
            },
        help="The group transfer whose parts this purchase buys from "
        "another rooftop.")


class AvailabilityLine(ModelView):
    __name__ = 'dms.part.availability.line'
    __string__ = "Part Availability at a Rooftop"

    company = fields.Many2One('company.company', "Rooftop", readonly=True)
    warehouse = fields.Many2One('stock.location', "Warehouse", readonly=True)
    quantity = fields.Float("On Hand", digits='unit', readonly=True)
    unit = fields.Many2One('product.uom', "Unit", readonly=True)


class AvailabilityStart(ModelView):
    __name__ = 'dms.part.availability.start'
    __string__ = "Group Availability"

    product = fields.Many2One('product.product', "Part", readonly=True)
    lines = fields.One2Many(
        'dms.part.availability.line', None, "Rooftops", readonly=True)
    supplier_warehouse = fields.Many2One(
        'stock.location', "Ask Warehouse",
        domain=[
            ('id', 'in', Eval('warehouses', [])),
            ],
        help="The warehouse of another rooftop to ask the part from.")
    warehouses = fields.Many2Many(
        'stock.location', None, None, "Warehouses", readonly=True)
    quantity = fields.Float(
        "Quantity", digits='unit',
        domain=[
            If(Eval('supplier_warehouse'),
                ('quantity', '>', 0),
                ()),
            ],
        states={
            'required': Bool(Eval('supplier_warehouse')),
            })
    unit = fields.Many2One('product.uom', "Unit", readonly=True)


class Availability(Wizard):
    """Show a part's quantity on hand at every rooftop of the group and ask
    one of them for it"""
    __name__ = 'dms.part.availability'
    __string__ = "Group Availability"

    start = StateView('dms.part.availability.start',
        'dms_parts.availability_start_view_form', [
            Button("Close", 'end', 'tryton-close'),
            Button("Request Transfer", 'create_', 'tryton-ok',
                default=True, states={
                    'readonly': ~Eval('supplier_warehouse'),
                    }),
            ])
    create_ = StateTransition()
    open_ = StateAction('dms_parts.act_transfer_form')

    def _product(self):
        pool = Pool()
        Product = pool.get('product.product')
        record = self.record
        if self.model.__name__ == 'product.product':
            return record
        elif self.model.__name__ == 'product.template':
            return record.products[0] if record.products else None
        elif self.model.__name__ == 'sale.line':
            return record.product
        return Product(record.id) if record else None

    def default_start(self, fields):
        pool = Pool()
        Location = pool.get('stock.location')
        product = self._product()
        if not product or not product.template.part:
            raise TransferError(gettext(
                    'dms_parts.msg_availability_not_part',
                    record=self.record.rec_name if self.record else ''))
        company = Transaction().context.get('company')
        with without_check_access():
            quantities = group_quantities([product.id])
        warehouses = Location.search([
                ('type', '=', 'warehouse'),
                ('company', '!=', None),
                ], order=[('name', 'ASC')])
        lines, others = [], []
        unit = product.default_uom
        for warehouse in warehouses:
            owner = warehouse.company
            quantity = quantities.get(
                (owner.id, warehouse.id, product.id), 0.0)
            lines.append({
                    'company': owner.id,
                    'warehouse': warehouse.id,
                    'quantity': unit.round(quantity),
                    'unit': unit.id,
                    })
            if owner.id != company and quantity > 0:
                others.append(warehouse.id)
        lines.sort(key=lambda l: -l['quantity'])
        return {
            'product': product.id,
            'lines': lines,
            'warehouses': others,
            'unit': unit.id,
            }

    def transition_create_(self):
        pool = Pool()
        Transfer = pool.get('dms.part.transfer')
        Line = pool.get('dms.part.transfer.line')
        warehouse = self.start.supplier_warehouse
        transfer = Transfer(
            supplier_company=warehouse.company,
            supplier_warehouse=warehouse)
        transfer.lines = [Line(
                product=self.start.product,
                quantity=self.start.quantity,
                unit=self.start.product.default_uom)]
        transfer.save()
        self._transfer = transfer.id
        return 'open_'

    def do_open_(self, action):
        action['views'].reverse()
        return action, {'res_id': [self._transfer]}
