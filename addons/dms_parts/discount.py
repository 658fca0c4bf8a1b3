# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import ModelSQL, ModelView, Unique, fields


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
        "Customer Discount", digits=(16, 4),
        domain=['OR',
            ('sale_discount', '=', None),
            [('sale_discount', '>=', 0), ('sale_discount', '<', 1)],
            ],
        help="The discount on the list price trade customers get for parts "
        "of this group.")
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
