# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.dms_vehicle.stock import check_warehouse_company
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

REASONS = [
    ('not_on_hand', "Not on Hand"),
    ('not_enough', "Not Enough on Hand"),
    ('delivery_time', "Delivery Time Too Long"),
    ('price', "Price"),
    ('superseded', "Superseded, Replacement Refused"),
    ('other', "Other"),
    ]


class LostSale(ModelSQL, ModelView):
    __name__ = 'dms.part.lost_sale'
    __string__ = "Lost Parts Sale"

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT')
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", required=True, ondelete='RESTRICT',
        domain=[
            ('type', '=', 'warehouse'),
            ('company', 'in', [None, Eval('company', -1)]),
            ])
    date = fields.DateTime("Date", required=True,
        help="When the customer asked for the part.")
    product = fields.Many2One(
        'product.product', "Part", required=True, ondelete='RESTRICT',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        domain=[
            ('part', '=', True),
            ])
    quantity = fields.Float(
        "Quantity", digits='unit', required=True,
        domain=[
            ('quantity', '>', 0),
            ])
    unit = fields.Function(fields.Many2One('product.uom', "Unit"),
        'on_change_with_unit')
    reason = fields.Selection(REASONS, "Reason", required=True)
    customer = fields.Many2One(
        'party.party', "Customer", ondelete='RESTRICT',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Who asked for the part, when known.")
    employee = fields.Many2One(
        'company.employee', "Recorded By", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    comment = fields.Text("Comment")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t,
                    (t.company, Index.Equality()),
                    (t.date, Index.Range())),
                Index(t, (t.product, Index.Equality())),
                })
        cls._order.insert(0, ('date', 'DESC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_warehouse(cls):
        pool = Pool()
        Location = pool.get('stock.location')
        return Location.get_default_warehouse()

    @classmethod
    def default_date(cls):
        return dt.datetime.now()

    @classmethod
    def default_reason(cls):
        return 'not_on_hand'

    @classmethod
    def default_employee(cls):
        return Transaction().context.get('employee')

    @fields.depends('product')
    def on_change_with_unit(self, name=None):
        return self.product.default_uom if self.product else None

    def get_rec_name(self, name):
        return f'{self.quantity:g} × {self.product.rec_name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('product.rec_name',) + tuple(clause[1:])]

    @classmethod
    def validate_fields(cls, lost_sales, field_names):
        super().validate_fields(lost_sales, field_names)
        if field_names & {'company', 'warehouse'}:
            for lost_sale in lost_sales:
                check_warehouse_company(
                    lost_sale, lost_sale.company, [lost_sale.warehouse])
