# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction


class Bin(ModelSQL, ModelView):
    __name__ = 'dms.part.bin'
    __string__ = "Part Bin"

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='CASCADE')
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", required=True, ondelete='CASCADE',
        domain=[
            ('type', '=', 'warehouse'),
            ('company', 'in', [None, Eval('company', -1)]),
            ])
    template = fields.Many2One(
        'product.template', "Part", required=True, ondelete='CASCADE',
        domain=[
            ('part', '=', True),
            ],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    code = fields.Char(
        "Bin", required=True, strip=True,
        help="The shelf position, e.g. \"A-12-03\".")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('warehouse_template_unique',
                Unique(t, t.warehouse, t.template),
                'dms_parts.msg_bin_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.template, Index.Equality()),
                (t.warehouse, Index.Equality())))
        cls._order.insert(0, ('code', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_warehouse(cls):
        pool = Pool()
        Location = pool.get('stock.location')
        return Location.get_default_warehouse()

    def get_rec_name(self, name):
        return self.code

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('code',) + tuple(clause[1:])]

    @classmethod
    def bin_codes(cls, pairs):
        """Return the bin code of each (template id, warehouse id) pair
        (one query per slice of parts)"""
        codes = {}
        templates = {t for t, _ in pairs}
        warehouses = {w for _, w in pairs}
        for record in cls.search([
                    ('template', 'in', list(templates)),
                    ('warehouse', 'in', list(warehouses)),
                    ]):
            codes[record.template.id, record.warehouse.id] = record.code
        return codes
