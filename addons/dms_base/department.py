# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .tools import search_any

DEPARTMENT_TYPES = [
    ('new_vehicles', "New Vehicles"),
    ('used_vehicles', "Used Vehicles"),
    ('service', "Service"),
    ('parts', "Parts"),
    ('finance_insurance', "F&I"),
    ('administration', "Administration"),
    ]


class Department(DeactivableMixin, ModelSQL, ModelView):
    "Dealership department of a company, the unit of postings and KPIs"
    __name__ = 'dms.department'
    __string__ = "Department"

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='CASCADE',
        states={
            'readonly': Eval('id', -1) >= 0,
            },
        help="The rooftop the department belongs to.")
    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char(
        "Code", required=True, strip=True,
        help="Short code of the department, unique within its company.\n"
        "Used in postings and reports.")
    type = fields.Selection(
        DEPARTMENT_TYPES, "Type", required=True, sort=False,
        help="The line of business, which later postings and KPIs use.")
    type_string = type.translated('type')
    manager = fields.Many2One(
        'company.employee', "Manager",
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    employees = fields.One2Many(
        'company.employee', 'department', "Employees",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        readonly=True)

    @classmethod
    def __setup__(cls):
        cls.code.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_code_unique', Unique(t, t.company, t.code),
                'dms_base.msg_department_code_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.company, Index.Range()), (t.type, Index.Equality())))
        cls._order = [
            ('company', 'ASC'),
            ('code', 'ASC'),
            ('id', 'ASC'),
            ]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    def get_rec_name(self, name):
        return f'[{self.code}] {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
            'code',
            'name',
            ])
