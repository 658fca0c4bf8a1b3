# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.product import round_price
from trytond.modules.sale.exceptions import SaleQuotationError
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import BackorderWarning
from .lost_sale import REASONS


class Product(metaclass=PoolMeta):
    __name__ = 'product.product'

    def _get_sale_unit_price(self, quantity=0):
        pool = Pool()
        Party = pool.get('party.party')
        DiscountRule = pool.get('dms.part.discount_rule')
        price = super()._get_sale_unit_price(quantity=quantity)
        context = Transaction().context
        if (price is not None and self.template.part
                and context.get('customer') is not None
                and context.get('company') is not None):
            rate = DiscountRule.customer_discount(
                context['company'], Party(context['customer']),
                self.template.part_discount_group)
            if rate:
                price = round_price(price * (1 - rate))
        return price


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    def check_for_quotation(self):
        super().check_for_quotation()
        self.check_superseded_parts()
        self.check_parts_on_hand()

    def check_superseded_parts(self):
        "Refuse superseded parts whose old stock may no longer be sold"
        for line in self.lines:
            product = line.product
            if (line.type == 'line' and product and product.template.part
                    and product.replaced_by and not product.sell_old_stock
                    and line.quantity and line.quantity > 0):
                raise SaleQuotationError(gettext(
                        'dms_parts.msg_sale_superseded_part',
                        sale=self.rec_name,
                        part=product.rec_name,
                        newest=product.newest.rec_name,
                        chain=product.chain))

    def check_parts_on_hand(self):
        """Warn when parts are sold beyond what the warehouse has on hand:
        the user confirms that the customer takes a backorder"""
        pool = Pool()
        Product = pool.get('product.product')
        Uom = pool.get('product.uom')
        Date = pool.get('ir.date')
        Warning = pool.get('res.user.warning')
        if not self.warehouse:
            return
        asked = defaultdict(float)
        for line in self.lines:
            if (line.type == 'line' and line.product
                    and line.product.template.part and line.quantity
                    and line.quantity > 0):
                asked[line.product] += Uom.compute_qty(
                    line.unit, line.quantity, line.product.default_uom,
                    round=False)
        if not asked:
            return
        with Transaction().set_context(company=self.company.id):
            today = Date.today()
        with Transaction().set_context(
                company=self.company.id, stock_date_end=today):
            quantities = Product.products_by_location(
                [self.warehouse.id], with_childs=True,
                grouping_filter=([p.id for p in asked],))
        short = []
        for product, quantity in asked.items():
            on_hand = quantities.get((self.warehouse.id, product.id), 0)
            if quantity > on_hand:
                short.append(gettext('dms_parts.msg_sale_backorder_part',
                        part=product.rec_name,
                        quantity=f'{product.default_uom.round(quantity):g}',
                        on_hand=f'{product.default_uom.round(on_hand):g}',
                        unit=product.default_uom.symbol))
        if short:
            key = Warning.format('dms_parts_backorder', [self])
            if Warning.check(key):
                raise BackorderWarning(key, gettext(
                        'dms_parts.msg_sale_backorder',
                        sale=self.rec_name, customer=self.party.rec_name,
                        warehouse=self.warehouse.rec_name,
                        parts='; '.join(short)))


class RecordLostSaleStart(ModelView):
    __name__ = 'dms.part.lost_sale.record.start'
    __string__ = "Record Lost Sale"

    reason = fields.Selection(REASONS, "Reason", required=True)
    comment = fields.Text("Comment")

    @classmethod
    def default_reason(cls):
        return 'not_on_hand'


class RecordLostSale(Wizard):
    "Record the parts of sale lines the customer did not wait for"
    __name__ = 'dms.part.lost_sale.record'
    __string__ = "Record Lost Sale"

    start = StateView('dms.part.lost_sale.record.start',
        'dms_parts.lost_sale_record_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Record", 'record', 'tryton-ok', default=True),
            ])
    record = StateTransition()

    def transition_record(self):
        pool = Pool()
        LostSale = pool.get('dms.part.lost_sale')
        Line = pool.get('sale.line')
        Uom = pool.get('product.uom')
        Employee = pool.get('company.employee')
        lines = [l for l in self.records
            if l.type == 'line' and l.product and l.product.template.part
            and l.sale.state == 'draft']
        employee = Transaction().context.get('employee')
        lost_sales = []
        for line in lines:
            sale = line.sale
            lost_sales.append(LostSale(
                    company=sale.company,
                    warehouse=sale.warehouse,
                    date=dt.datetime.now(),
                    product=line.product,
                    quantity=Uom.compute_qty(line.unit, line.quantity,
                        line.product.default_uom),
                    reason=self.start.reason,
                    customer=sale.party,
                    employee=Employee(employee) if employee else None,
                    comment=self.start.comment))
        LostSale.save(lost_sales)
        # the customer did not take them: they leave the quotation
        Line.delete(lines)
        return 'end'


class SaleLine(metaclass=PoolMeta):
    __name__ = 'sale.line'

    @fields.depends('product')
    def on_change_product(self):
        # The counter offers the newest part for a superseded one whose old
        # stock may no longer be sold
        if (self.product and self.product.template.part
                and self.product.replaced_by
                and not self.product.sell_old_stock
                and self.product.newest):
            self.product = self.product.newest
        super().on_change_product()

    part_bin = fields.Function(fields.Char("Bin",
            help="Where the part is kept in the sale's warehouse."),
        'get_part_bin')

    @classmethod
    def get_part_bin(cls, lines, name):
        pool = Pool()
        Bin = pool.get('dms.part.bin')
        pairs = {
            l.id: (l.product.template.id, l.warehouse.id) for l in lines
            if l.product and l.product.template.part and l.warehouse}
        codes = Bin.bin_codes(set(pairs.values())) if pairs else {}
        return {l.id: codes.get(pairs.get(l.id)) for l in lines}
