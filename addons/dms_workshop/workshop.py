# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from sql import Null

from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.modules.dms_base.model import (
    FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin)
from trytond.modules.dms_base.tools import search_any
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, Id
from trytond.transaction import Transaction

PAYERS = [
    ('customer', "Customer"),
    ('warranty', "Warranty"),
    ('insurance', "Insurance"),
    ('internal', "Internal"),
    ]


class Workshop(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin,
        DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'dms.workshop'
    __string__ = "Workshop"

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        states={
            'readonly': Eval('id', -1) >= 0,
            })
    name = fields.Char("Name", size=100, required=True)
    code = fields.Char(
        "Code", size=20, required=True, strip=True,
        help="Short code of the workshop, unique within its company.")
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", required=True, ondelete='RESTRICT',
        domain=[
            ('type', '=', 'warehouse'),
            ('company', 'in', [None, Eval('company', -1)]),
            ],
        help="The warehouse the parts of repair orders are issued from.")
    service_department = fields.Many2One(
        'dms.department', "Service Department", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '=', 'service'),
            ],
        help="The department of labour, sublet and fee lines.")
    parts_department = fields.Many2One(
        'dms.department', "Parts Department", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '=', 'parts'),
            ],
        help="The department of the parts lines.")
    labour_product = fields.Many2One(
        'product.product', "Labour Product", required=True,
        ondelete='RESTRICT',
        domain=[
            ('type', '=', 'service'),
            ],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The service invoiced for labour, unless the operation has "
        "its own; its account category gives the revenue account.")
    internal_account = fields.Many2One(
        'account.account', "Internal Work Account", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('closed', '!=', True),
            ('type', '!=', None),
            ],
        help="The account charged with internal work, e.g. the used "
        "vehicles' reconditioning; the revenue of each line is credited.")
    internal_journal = fields.Many2One(
        'account.journal', "Internal Work Journal", ondelete='RESTRICT',
        domain=[('type', '=', 'general')],
        help="The journal of the internal work's postings.")
    order_sequence = fields.Many2One(
        'ir.sequence', "Repair Order Sequence", required=True,
        ondelete='RESTRICT',
        domain=[
            ('sequence_type', '=',
                Id('dms_workshop', 'sequence_type_order')),
            ('company', 'in', [None, Eval('company', -1)]),
            ])
    bays = fields.One2Many('dms.workshop.bay', 'workshop', "Bays")
    technicians = fields.One2Many(
        'company.employee', 'workshop', "Technicians",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        add_remove=[
            ('company', '=', Eval('company', -1)),
            ])
    labour_rates = fields.One2Many(
        'dms.workshop.labour_rate', 'workshop', "Labour Rates")

    @classmethod
    def __setup__(cls):
        cls.code.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_code_unique', Unique(t, t.company, t.code),
                'dms_workshop.msg_workshop_code_unique'),
            ]
        cls._order = [('company', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_warehouse(cls):
        return Pool().get('stock.location').get_default_warehouse()

    @classmethod
    def default_internal_journal(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('account', 'journal_miscellaneous')
        except KeyError:
            return None

    def get_rec_name(self, name):
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
                'name',
                'code',
                ])

    def labour_rate(self, payer):
        "Return the hourly rate of the payer type, None when there is none"
        for rate in self.labour_rates:
            if rate.payer == payer:
                return rate.rate


class Bay(
        ReadonlyFieldsMixin, FieldSizeMixin, DeactivableMixin, ModelSQL,
        ModelView):
    __name__ = 'dms.workshop.bay'
    __string__ = "Workshop Bay"

    workshop = fields.Many2One(
        'dms.workshop', "Workshop", required=True, ondelete='CASCADE')
    name = fields.Char("Name", size=100, required=True)
    type = fields.Selection([
            ('lift', "Lift"),
            ('diagnosis', "Diagnosis"),
            ('alignment', "Wheel Alignment"),
            ('bodywork', "Bodywork"),
            ('paint', "Paint"),
            ('wash', "Wash and Valet"),
            ('express', "Express Service"),
            ], "Type", required=True)
    type_string = type.translated('type')
    sequence = fields.Integer("Sequence")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('workshop')
        t = cls.__table__()
        cls._sql_constraints += [
            ('workshop_name_unique', Unique(t, t.workshop, t.name),
                'dms_workshop.msg_bay_name_unique'),
            ]
        cls._order = [
            ('sequence', 'ASC NULLS FIRST'), ('name', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_type(cls):
        return 'lift'

    def get_rec_name(self, name):
        return f'{self.name} ({self.workshop.rec_name})'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
                'name',
                'workshop.rec_name',
                ])


class Skill(FieldSizeMixin, DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'dms.workshop.skill'
    __string__ = "Technician Skill"

    name = fields.Char("Name", size=100, required=True, translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))


class EmployeeSkill(ModelSQL):
    __name__ = 'company.employee-dms.workshop.skill'
    __string__ = "Employee Skill"

    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')
    skill = fields.Many2One(
        'dms.workshop.skill', "Skill", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('employee_skill_unique', Unique(t, t.employee, t.skill),
                'dms_workshop.msg_employee_skill_unique'),
            ]


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'

    workshop = fields.Many2One(
        'dms.workshop', "Workshop", ondelete='SET NULL',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="The workshop the technician works in.")
    skills = fields.Many2Many(
        'company.employee-dms.workshop.skill', 'employee', 'skill',
        "Skills",
        states={
            'invisible': ~Eval('workshop'),
            })
    attendance_ratio = fields.Numeric(
        "Attendance", digits=(3, 2),
        domain=[
            ('attendance_ratio', '>=', 0),
            ('attendance_ratio', '<=', 1),
            ],
        states={
            'invisible': ~Eval('workshop'),
            'required': Bool(Eval('workshop')),
            },
        help="The share of the company's working hours (Hours per Work "
        "Month) the technician attends: 1 for full time.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.workshop, Index.Equality()),
                where=t.workshop != Null))

    @classmethod
    def default_attendance_ratio(cls):
        return Decimal(1)

    def attendance_hours(self, months=1):
        "Return the hours the technician attends in a number of months"
        hours = self.company.hours_per_work_month or 0
        return hours * float(self.attendance_ratio or 0) * months


class Operation(
        ReadonlyFieldsMixin, FieldSizeMixin, DeactivableMixin, ModelSQL,
        ModelView):
    __name__ = 'dms.workshop.operation'
    __string__ = "Labour Operation"

    code = fields.Char(
        "Code", size=30, required=True, strip=True,
        help="The operation code, as the manufacturer's labour time guide "
        "and the warranty claims know it.")
    name = fields.Char("Name", size=200, required=True, translate=True)
    make = fields.Many2One(
        'dms.vehicle.make', "Make", ondelete='RESTRICT',
        help="The make whose labour guide defines the code.\n"
        "Leave empty for the workshop's own operations.")
    standard_hours = fields.Float(
        "Standard Hours", digits=(6, 2), required=True,
        domain=[('standard_hours', '>=', 0)],
        help="The hours sold unless a time for the vehicle's model is "
        "given.")
    times = fields.One2Many(
        'dms.workshop.operation.time', 'operation', "Times per Model")
    skill = fields.Many2One(
        'dms.workshop.skill', "Skill", ondelete='RESTRICT',
        help="The skill a technician needs for the job.")
    product = fields.Many2One(
        'product.product', "Product", ondelete='RESTRICT',
        domain=[('type', '=', 'service')],
        help="The service invoiced for the operation.\n"
        "Leave empty for the workshop's labour product.")

    @classmethod
    def __setup__(cls):
        cls.code.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('make_code_unique', Unique(t, t.make, t.code),
                'dms_workshop.msg_operation_code_unique'),
            ]
        cls._order = [('code', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_standard_hours(cls):
        return 1.0

    def get_rec_name(self, name):
        return f'{self.code} {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
                'code',
                'name',
                ])

    def hours_for(self, vehicle=None):
        "Return the standard hours of the operation on the vehicle"
        model = vehicle.model if vehicle else None
        if model:
            for time in self.times:
                if time.model == model:
                    return time.hours
        return self.standard_hours


class OperationTime(ModelSQL, ModelView):
    __name__ = 'dms.workshop.operation.time'
    __string__ = "Labour Operation Time"

    operation = fields.Many2One(
        'dms.workshop.operation', "Operation", required=True,
        ondelete='CASCADE')
    model = fields.Many2One(
        'dms.vehicle.model', "Model", required=True, ondelete='CASCADE')
    hours = fields.Float(
        "Hours", digits=(6, 2), required=True, domain=[('hours', '>=', 0)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('operation')
        t = cls.__table__()
        cls._sql_constraints += [
            ('operation_model_unique', Unique(t, t.operation, t.model),
                'dms_workshop.msg_operation_time_unique'),
            ]


class LabourRate(ModelSQL, ModelView):
    __name__ = 'dms.workshop.labour_rate'
    __string__ = "Labour Rate"

    workshop = fields.Many2One(
        'dms.workshop', "Workshop", required=True, ondelete='CASCADE')
    payer = fields.Selection(PAYERS, "Payer", required=True)
    payer_string = payer.translated('payer')
    rate = fields.Numeric(
        "Rate per Hour", digits=(16, 2), required=True,
        domain=[('rate', '>=', 0)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('workshop')
        t = cls.__table__()
        cls._sql_constraints += [
            ('workshop_payer_unique', Unique(t, t.workshop, t.payer),
                'dms_workshop.msg_labour_rate_unique'),
            ]
