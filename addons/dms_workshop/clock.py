# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from sql import Null
from sql.operators import Equal

from trytond.i18n import gettext
from trytond.model import Exclude, Index, ModelSQL, ModelView, fields
from trytond.modules.dms_base.model import (
    FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin)
from trytond.modules.dms_base.tools import search_any
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import ClockError, ClockValidationError


class Clock(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin, ModelSQL,
        ModelView):
    __name__ = 'dms.workshop.clock'
    __string__ = "Technician Clock"
    _system_create_fields = frozenset(
        {'company', 'order', 'workshop', 'hours'})

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        readonly=True)
    technician = fields.Many2One(
        'company.employee', "Technician", required=True, ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': Eval('id', -1) >= 0,
            })
    line = fields.Many2One(
        'dms.workshop.order.line', "Job", required=True, ondelete='RESTRICT',
        domain=[
            ('type', '=', 'labour'),
            ('order.company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': Eval('id', -1) >= 0,
            })
    order = fields.Many2One(
        'dms.workshop.order', "Order", required=True, ondelete='RESTRICT',
        readonly=True)
    workshop = fields.Many2One(
        'dms.workshop', "Workshop", required=True, ondelete='RESTRICT',
        readonly=True)
    start = fields.DateTime("Start", required=True)
    end = fields.DateTime(
        "End",
        domain=[
            ['OR',
                ('end', '=', None),
                ('end', '>', Eval('start')),
                ],
            ])
    hours = fields.Float(
        "Hours", digits=(16, 2), readonly=True,
        help="The time clocked, once the clock is off.")
    comment = fields.Char("Comment", size=200)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('technician_open_exclude',
                Exclude(t, (t.technician, Equal), where=t.end == Null),
                'dms_workshop.msg_clock_open_concurrent'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.line, Index.Range())),
                Index(t, (t.order, Index.Range())),
                Index(t, (t.technician, Index.Range()),
                    (t.start, Index.Range())),
                })
        cls._order = [('start', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_technician(cls):
        return Transaction().context.get('employee')

    @classmethod
    def default_start(cls):
        return dt.datetime.now()

    def get_rec_name(self, name):
        return f'{self.technician.rec_name}: {self.line.rec_name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
                'technician.rec_name',
                'line.rec_name',
                ])

    @staticmethod
    def compute_hours(start, end):
        if start and end:
            return round((end - start).total_seconds() / 3600, 2)

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Line = pool.get('dms.workshop.order.line')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('line') is not None:
            line = Line(values['line'])
            values['order'] = line.order.id
            values['workshop'] = line.order.workshop.id
            values.setdefault('company', line.order.company.id)
            cls.check_job(line)
            if values.get('end') is None:
                cls.check_open(values.get('technician'))
        if mode == 'create' or {'start', 'end'} & values.keys():
            if mode == 'create':
                values['hours'] = cls.compute_hours(
                    values.get('start'), values.get('end'))
        return values

    @classmethod
    def on_modification(cls, mode, clocks, field_names=None):
        super().on_modification(mode, clocks, field_names=field_names)
        if mode == 'write' and field_names & {'start', 'end'}:
            to_save = []
            for clock in clocks:
                hours = cls.compute_hours(clock.start, clock.end)
                if clock.hours != hours:
                    clock.hours = hours
                    to_save.append(clock)
            if to_save:
                cls.save(to_save)

    @classmethod
    def check_modification(cls, mode, clocks, values=None, external=False):
        super().check_modification(
            mode, clocks, values=values, external=external)
        if mode == 'write' and 'end' in values and values['end'] is None:
            for clock in clocks:
                if clock.end is not None:
                    cls.check_open(clock.technician.id)

    @classmethod
    def check_job(cls, line):
        "Refuse clocking on a job whose work has not started or is agreed"
        if line.order.state != 'in_progress':
            raise ClockError(gettext(
                    'dms_workshop.msg_clock_not_started',
                    job=line.rec_name,
                    state=line.order.state_string))
        if line.approval != 'approved':
            raise ClockError(gettext(
                    'dms_workshop.msg_clock_not_approved',
                    job=line.rec_name,
                    approval=line.approval_string))

    @classmethod
    def check_open(cls, technician_id):
        "Refuse a second open clock of the technician, naming the first"
        pool = Pool()
        Employee = pool.get('company.employee')
        if technician_id is None:
            return
        # The open clock may be on another rooftop's order
        with without_check_access():
            clocks = cls.search([
                    ('technician', '=', technician_id),
                    ('end', '=', None),
                    ], limit=1)
        if clocks:
            clock, = clocks
            raise ClockError(gettext(
                    'dms_workshop.msg_clock_open',
                    technician=Employee(technician_id).rec_name,
                    job=clock.line.rec_name))

    @classmethod
    def validate_fields(cls, clocks, field_names):
        super().validate_fields(clocks, field_names)
        cls.check_times(clocks, field_names)

    @classmethod
    def check_times(cls, clocks, field_names=None):
        "Refuse a clock that ends before it starts or starts in the future"
        pool = Pool()
        Lang = pool.get('ir.lang')
        if field_names and not (field_names & {'start', 'end'}):
            return
        lang = Lang.get()
        now = dt.datetime.now() + dt.timedelta(minutes=5)
        for clock in clocks:
            if clock.start > now or (clock.end and clock.end > now):
                raise ClockValidationError(gettext(
                        'dms_workshop.msg_clock_future',
                        clock=clock.rec_name,
                        start=lang.strftime(clock.start)))

    @classmethod
    def clock_on(cls, lines):
        "Clock the user's employee on the jobs"
        pool = Pool()
        Employee = pool.get('company.employee')
        Line = pool.get('dms.workshop.order.line')
        employee_id = Transaction().context.get('employee')
        if employee_id is None:
            raise ClockError(gettext('dms_workshop.msg_clock_no_employee'))
        employee = Employee(employee_id)
        to_assign = []
        for line in lines:
            cls.create([{
                        'technician': employee.id,
                        'line': line.id,
                        'start': dt.datetime.now(),
                        }])
            if not line.technician:
                line.technician = employee
                to_assign.append(line)
        Line.save(to_assign)

    @classmethod
    def clock_off(cls, lines):
        "Clock the user's employee off the jobs"
        pool = Pool()
        Employee = pool.get('company.employee')
        employee_id = Transaction().context.get('employee')
        if employee_id is None:
            raise ClockError(gettext('dms_workshop.msg_clock_no_employee'))
        clocks = cls.search([
                ('technician', '=', employee_id),
                ('line', 'in', [l.id for l in lines]),
                ('end', '=', None),
                ])
        if not clocks:
            raise ClockError(gettext(
                    'dms_workshop.msg_clock_none_open',
                    technician=Employee(employee_id).rec_name,
                    job=lines[0].rec_name if lines else ''))
        now = dt.datetime.now()
        for clock in clocks:
            clock.end = max(now, clock.start + dt.timedelta(seconds=1))
        cls.save(clocks)
