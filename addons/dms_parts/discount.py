# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pyson import Eval
from trytond.transaction import Transaction


class DiscountGroup(ModelSQL, ModelView):
    __name__ = 'dms.part.discount_group'
    __string__ = "Part Discount Group"

    manufacturer = fields.Many2One(
        'party.party', "Manufacturer", required=True, ondelete='CASCADE')
    code = fields.Char("Code", required=True, strip=True)
    name = fields.Char("Name")
    purchase_discount = fields.Numeric(
        "Purchase Discount", digits=(16, 4),
        domain=['OR',
            ('purchase_discount', '=', None),
            [('purchase_discount', '>=', 0), ('purchase_discount', '<', 1)],
            ],
        help="The discount on the list price the manufacturer gives the "
        "dealer for parts of this group.")
    sale_discount = fields.Numeric(
        "Trade Discount", digits=(16, 4),
        domain=['OR',
            ('sale_discount', '=', None),
            [('sale_discount', '>=', 0), ('sale_discount', '<', 1)],
            ],
        help="The discount on the list price trade customers (garages, "
        "body shops) get for parts of this group, unless a rule of the "
        "customer says otherwise.")
    parts = fields.One2Many(
        'product.template', 'part_discount_group', "Parts", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('manufacturer_code_unique',
                Unique(t, t.manufacturer, t.code),
                'dms_parts.msg_discount_group_unique'),
            ]
        cls._order.insert(0, ('code', 'ASC'))

    def get_rec_name(self, name):
        if self.name:
            return f'{self.code} - {self.name}'
        return self.code

    @classmethod
    def search_rec_name(cls, name, clause):
        if clause[1].startswith('!') or clause[1].startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('code',) + tuple(clause[1:]),
            ('name',) + tuple(clause[1:]),
            ]


class DiscountRule(ModelSQL, ModelView):
    "A customer's discount on parts"
    __name__ = 'dms.part.discount_rule'
    __string__ = "Part Discount Rule"

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='CASCADE')
    customer = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='CASCADE',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    discount_group = fields.Many2One(
        'dms.part.discount_group', "Discount Group", ondelete='CASCADE',
        help="Leave empty for every part the customer buys.")
    discount = fields.Numeric(
        "Discount", digits=(16, 4), required=True,
        domain=[
            ('discount', '>=', 0),
            ('discount', '<', 1),
            ])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('customer_group_unique',
                Unique(t, t.company, t.customer, t.discount_group),
                'dms_parts.msg_discount_rule_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.customer, Index.Equality()),
                (t.company, Index.Equality())))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    def get_rec_name(self, name):
        return f'{self.customer.rec_name} - {self.discount * 100:g} %'

    @classmethod
    def customer_discount(cls, company, customer, discount_group):
        """Return the discount rate of the customer on a part of the
        discount group: the customer's rule for the group, else the
        customer's rule for every part, else the group's trade discount
        for a trade customer"""
        if not customer:
            return Decimal(0)
        rules = {r.discount_group: r.discount for r in cls.search([
                    ('company', '=', company),
                    ('customer', '=', customer.id),
                    ('discount_group', 'in', [None, discount_group]),
                    ])}
        if discount_group in rules:
            return rules[discount_group]
        if None in rules:
            return rules[None]
        if (discount_group and customer.part_customer_type == 'trade'
                and discount_group.sale_discount):
            return discount_group.sale_discount
        return Decimal(0)
