# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import (
    Transaction, inactive_records, without_check_access)

from .exceptions import DepartmentValidationError
from .model import (
    FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin)
from .tools import search_any

DEPARTMENT_TYPES = [
    ('new_vehicles', "New Vehicles"),
    ('used_vehicles', "Used Vehicles"),
    ('service', "Service"),
    ('parts', "Parts"),
    ('finance_insurance', "F&I"),
    ('administration', "Administration"),
    ]


class Department(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin,
        DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'dms.department'
    __string__ = "Department"

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='CASCADE',
        states={
            'readonly': Eval('id', -1) >= 0,
            },
        help="The rooftop the department belongs to.")
    name = fields.Char("Name", size=100, required=True, translate=True)
    code = fields.Char(
        "Code", size=20, required=True, strip=True,
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

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('code'):
            # Before the SQL constraint, which cannot name the department
            company = values.get('company', cls.default_company())
            if company is not None:
                cls.check_code_unused({(company, values['code'].strip())})
        return values

    @classmethod
    def check_modification(
            cls, mode, departments, values=None, external=False):
        super().check_modification(
            mode, departments, values=values, external=external)
        if mode == 'write' and values.keys() & {'code', 'company'}:
            keys = set()
            for department in departments:
                company = values.get('company', department.company.id)
                code = values.get('code', department.code)
                if company is not None and code:
                    keys.add((company, code.strip()))
            cls.check_code_unused(keys, exclude=departments)

    @classmethod
    def check_code_unused(cls, keys, exclude=None):
        exclude_ids = [d.id for d in exclude or []]
        # The department in the way may be of a company the user is not in
        with without_check_access(), inactive_records():
            for sub_keys in grouped_slice(
                    sorted(keys), backend.MAX_QUERY_PARAMS // 2):
                domain = [['OR'] + [[
                                ('company', '=', company),
                                ('code', '=', code),
                                ] for company, code in sub_keys]]
                if exclude_ids:
                    domain.append(('id', 'not in', exclude_ids))
                others = cls.search(domain, limit=1)
                if others:
                    other, = others
                    raise DepartmentValidationError(gettext(
                            'dms_base.msg_department_code_used',
                            code=other.code,
                            department=other.rec_name,
                            company=other.company.rec_name))
