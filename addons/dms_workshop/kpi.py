# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from sql import Cast, Literal, Null, Union
from sql.aggregate import Count, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import DatePart, DateTrunc, Extract

from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.currency.fields import Monetary
from trytond.modules.dms_base.model import (
    FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin)
from trytond.pool import Pool
from trytond.transaction import Transaction

from .workshop import PAYERS

# The states of the orders whose work is sold
INVOICED = ('invoiced', 'done')
COMEBACK_DAYS = 30


def month_of(Model, date):
    return Model.month.sql_cast(DateTrunc('month', date))


def row_id(Model, month, key, factor=1_000_000):
    """Return the id of the row of the month and key: a function of the
    grouping columns, so that reading rows by id is pushed down like a
    search on the month"""
    # DATE_PART gives a float, quicker to compute than EXTRACT's numeric
    part = DatePart if backend.name == 'postgresql' else Extract
    months = (part('YEAR', month) - 1970) * 12 + part('MONTH', month) - 1
    return Cast(months * factor + key, Model.id.sql_type().base)


def hours_between(start, end):
    "Return the hours from start to end, two timestamps"
    return (Extract('EPOCH', end) - Extract('EPOCH', start)) / 3600


def ratio(Model, field, dividend, divisor):
    "Return dividend over divisor cast as the field, NULL when it is 0"
    divisor = getattr(Model, field).sql_cast(divisor)
    return Case((divisor != 0, getattr(Model, field).sql_cast(dividend)
            / divisor), else_=Null)


def sold_lines(types=('labour',), internal=True):
    """Return the approved lines of the types on invoiced orders joined to
    their order: the join, the line and the order tables and the
    condition; without the internal ones unless internal"""
    pool = Pool()
    Order = pool.get('dms.workshop.order')
    Line = pool.get('dms.workshop.order.line')
    order = Order.__table__()
    line = Line.__table__()
    tables = line.join(order, condition=line.order == order.id)
    where = (line.type.in_(types)
        & (line.approval == 'approved')
        & order.state.in_(INVOICED)
        & (order.invoice_date != Null))
    if not internal:
        where &= line.payer != 'internal'
    return tables, line, order, where


class KPIMonth(ModelSQL, ModelView):
    "Orders, hours sold, turnaround and comebacks per workshop and month"
    __name__ = 'dms.workshop.kpi.month'
    __string__ = "Service KPIs by Month"

    company = fields.Many2One('company.company', "Company")
    currency = fields.Many2One('currency.currency', "Currency")
    workshop = fields.Many2One('dms.workshop', "Workshop")
    month = fields.Date("Month",
        help="The month the orders were invoiced.")
    orders = fields.Integer("Orders",
        help="The repair orders invoiced in the month.")
    hours = fields.Float("Hours Sold", digits=(16, 2),
        help="The hours of the approved labour lines of the orders.")
    hours_per_order = fields.Float("Hours per Order", digits=(16, 2),
        help="The hours sold over the orders.")
    labour_amount = Monetary(
        "Labour Amount", currency='currency', digits='currency',
        help="The amounts of the approved labour lines of the orders.")
    turnaround = fields.Float("Turnaround (h)", digits=(16, 1),
        help="The average hours from the vehicle's check-in to the passed "
        "quality check of the orders.")
    comebacks = fields.Integer("Comebacks",
        help="The orders whose vehicle came back for an operation of an "
        "invoiced order that was ready in the 30 days before the check-in.")
    comeback_rate = fields.Float("Comeback Rate", digits=(1, 4),
        help="The comebacks over the orders.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('month', 'DESC'), ('workshop', 'ASC'), ('id', 'DESC')]

    @classmethod
    def _comebacks(cls):
        """The invoiced orders with an approved labour operation that was on
        another invoiced order of their vehicle ready in the days before
        their check-in, with their company, workshop and month"""
        pool = Pool()
        Order = pool.get('dms.workshop.order')
        Line = pool.get('dms.workshop.order.line')
        this, before = Order.__table__(), Order.__table__()
        this_line, before_line = Line.__table__(), Line.__table__()
        if backend.name == 'postgresql':
            # Comparable as they are, so that the index on the vehicle and
            # ready date finds the orders before
            received, ready = this.received, before.ready_date
            window = dt.timedelta(days=COMEBACK_DAYS)
        else:
            received = Extract('EPOCH', this.received)
            ready = Extract('EPOCH', before.ready_date)
            window = COMEBACK_DAYS * 24 * 60 * 60
        month = month_of(cls, this.invoice_date)
        # The orders first: few vehicles come back within days, so few
        # orders' lines are compared
        return (this
            .join(before, condition=(before.vehicle == this.vehicle)
                & (before.id != this.id))
            .join(this_line, condition=this_line.order == this.id)
            .join(before_line, condition=(before_line.order == before.id)
                & (before_line.operation == this_line.operation))
            .select(
                this.id.as_('order'),
                this.company.as_('company'),
                this.workshop.as_('workshop'),
                month.as_('month'),
                where=this.state.in_(INVOICED)
                & (this.invoice_date != Null)
                & before.state.in_(INVOICED)
                & (ready < received)
                & (ready >= received - window)
                & (this_line.type == 'labour')
                & (this_line.approval == 'approved')
                & (before_line.type == 'labour')
                & (before_line.approval == 'approved'),
                # The month as a key, so that a search on it is pushed down
                group_by=[this.id, this.company, this.workshop, month]))

    @classmethod
    def table_query(cls):
        pool = Pool()
        Company = pool.get('company.company')
        Order = pool.get('dms.workshop.order')
        company = Company.__table__()
        order = Order.__table__()
        invoiced = order.state.in_(INVOICED) & (order.invoice_date != Null)
        # Each source is grouped on its own, with its month as a column of a
        # subquery: PostgreSQL would not match the expression of the select
        # with the one of the group by
        orders = order.select(
            order.id, order.company, order.workshop,
            month_of(cls, order.invoice_date).as_('month'),
            hours_between(order.received, order.ready_date).as_(
                'turnaround'),
            Coalesce(order.hours_sold, 0).as_('hours'),
            Coalesce(order.labour_amount, 0).as_('amount'),
            where=invoiced)
        orders = orders.select(
            orders.company, orders.workshop, orders.month,
            Count(orders.id).as_('orders'),
            Sum(orders.turnaround).as_('turnaround'),
            Count(orders.turnaround).as_('turnarounds'),
            Sum(orders.hours).as_('hours'),
            Sum(orders.amount).as_('amount'),
            Literal(0).as_('comebacks'),
            group_by=[orders.company, orders.workshop, orders.month])
        comebacks = cls._comebacks()
        comebacks = comebacks.select(
            comebacks.company, comebacks.workshop, comebacks.month,
            Literal(0).as_('orders'),
            Literal(0).as_('turnaround'),
            Literal(0).as_('turnarounds'),
            Literal(0).as_('hours'),
            Literal(0).as_('amount'),
            Count(comebacks.workshop).as_('comebacks'),
            group_by=[comebacks.company, comebacks.workshop, comebacks.month])
        union = Union(orders, comebacks, all_=True)
        monthly = union.select(
            union.company, union.workshop, union.month,
            Sum(union.orders).as_('orders'),
            Sum(union.turnaround).as_('turnaround'),
            Sum(union.turnarounds).as_('turnarounds'),
            Sum(union.hours).as_('hours'),
            Sum(union.amount).as_('amount'),
            Sum(union.comebacks).as_('comebacks'),
            group_by=[union.company, union.workshop, union.month])
        return (monthly
            .join(company, condition=monthly.company == company.id)
            .select(
                row_id(cls, monthly.month, monthly.workshop).as_('id'),
                monthly.company.as_('company'),
                company.currency.as_('currency'),
                monthly.workshop.as_('workshop'),
                monthly.month.as_('month'),
                cls.orders.sql_cast(monthly.orders).as_('orders'),
                cls.hours.sql_cast(monthly.hours).as_('hours'),
                ratio(cls, 'hours_per_order', monthly.hours,
                    monthly.orders).as_('hours_per_order'),
                cls.labour_amount.sql_cast(monthly.amount).as_(
                    'labour_amount'),
                ratio(cls, 'turnaround', monthly.turnaround,
                    monthly.turnarounds).as_('turnaround'),
                cls.comebacks.sql_cast(monthly.comebacks).as_('comebacks'),
                ratio(cls, 'comeback_rate', monthly.comebacks,
                    monthly.orders).as_('comeback_rate'),
                where=monthly.orders > 0))


class KPIPayer(ModelSQL, ModelView):
    "Hours sold, labour amount and effective labour rate per payer"
    __name__ = 'dms.workshop.kpi.payer'
    __string__ = "Service KPIs by Payer"

    company = fields.Many2One('company.company', "Company")
    currency = fields.Many2One('currency.currency', "Currency")
    workshop = fields.Many2One('dms.workshop', "Workshop")
    month = fields.Date("Month",
        help="The month the orders were invoiced.")
    payer = fields.Selection(PAYERS, "Payer")
    payer_string = payer.translated('payer')
    hours = fields.Float("Hours Sold", digits=(16, 2),
        help="The hours of the payer's approved labour lines of the orders "
        "invoiced in the month.")
    labour_amount = Monetary(
        "Labour Amount", currency='currency', digits='currency',
        help="The amounts of those lines.")
    effective_rate = Monetary(
        "Effective Labour Rate", currency='currency', digits='currency',
        help="The labour amount over the hours sold: what an hour sold "
        "brings in after discounts and the payer's rates.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('month', 'DESC'), ('workshop', 'ASC'), ('payer', 'ASC'),
            ('id', 'DESC')]

    @classmethod
    def table_query(cls):
        Company = Pool().get('company.company')
        company = Company.__table__()
        tables, line, order, where = sold_lines()
        lines = tables.select(
            order.company, order.workshop,
            month_of(cls, order.invoice_date).as_('month'),
            line.payer, line.quantity, line.amount,
            where=where)
        lines = lines.select(
            lines.company, lines.workshop, lines.month, lines.payer,
            Sum(lines.quantity).as_('hours'),
            Sum(lines.amount).as_('amount'),
            group_by=[
                lines.company, lines.workshop, lines.month, lines.payer])
        payer = Case(*((lines.payer == p, i) for i, (p, _) in enumerate(
                    PAYERS)), else_=len(PAYERS))
        return (lines
            .join(company, condition=lines.company == company.id)
            .select(
                row_id(cls, lines.month, lines.workshop * 10 + payer).as_(
                    'id'),
                lines.company.as_('company'),
                company.currency.as_('currency'),
                lines.workshop.as_('workshop'),
                lines.month.as_('month'),
                lines.payer.as_('payer'),
                cls.hours.sql_cast(lines.hours).as_('hours'),
                cls.labour_amount.sql_cast(lines.amount).as_(
                    'labour_amount'),
                ratio(cls, 'effective_rate', lines.amount, lines.hours).as_(
                    'effective_rate')))


class KPITechnician(ModelSQL, ModelView):
    "Hours sold, clocked and attended, efficiency and productivity"
    __name__ = 'dms.workshop.kpi.technician'
    __string__ = "Technician KPIs by Month"

    company = fields.Many2One('company.company', "Company")
    workshop = fields.Many2One('dms.workshop', "Workshop",
        help="The workshop the technician works in.")
    technician = fields.Many2One('company.employee', "Technician")
    month = fields.Date("Month")
    hours_sold = fields.Float("Hours Sold", digits=(16, 2),
        help="The hours of the technician's approved labour lines of the "
        "orders invoiced in the month.")
    hours_clocked = fields.Float("Hours Clocked", digits=(16, 2),
        help="The hours of the technician's clocks started in the month, "
        "on any order.")
    attendance = fields.Float("Attendance Hours", digits=(16, 2),
        help="The company's hours per work month times the technician's "
        "attendance.")
    efficiency = fields.Float("Efficiency", digits=(1, 4),
        help="The hours sold over the hours clocked.")
    productivity = fields.Float("Productivity", digits=(1, 4),
        help="The hours clocked over the attendance hours.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('month', 'DESC'), ('technician', 'ASC'), ('id', 'DESC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Clock = pool.get('dms.workshop.clock')
        Company = pool.get('company.company')
        Employee = pool.get('company.employee')
        clock = Clock.__table__()
        company = Company.__table__()
        employee = Employee.__table__()
        tables, line, order, where = sold_lines()
        sold = tables.select(
            line.technician,
            month_of(cls, order.invoice_date).as_('month'),
            line.quantity,
            where=where & (line.technician != Null))
        sold = sold.select(
            sold.technician, sold.month,
            Sum(sold.quantity).as_('sold'),
            Literal(0).as_('clocked'),
            group_by=[sold.technician, sold.month])
        clocked = clock.select(
            clock.technician,
            month_of(cls, clock.start).as_('month'),
            clock.hours,
            where=clock.end != Null)
        clocked = clocked.select(
            clocked.technician, clocked.month,
            Literal(0).as_('sold'),
            Sum(clocked.hours).as_('clocked'),
            group_by=[clocked.technician, clocked.month])
        union = Union(sold, clocked, all_=True)
        monthly = union.select(
            union.technician, union.month,
            Sum(union.sold).as_('sold'),
            Sum(union.clocked).as_('clocked'),
            group_by=[union.technician, union.month])
        sold_hours = cls.hours_sold.sql_cast(monthly.sold)
        clocked_hours = cls.hours_clocked.sql_cast(monthly.clocked)
        attendance = (
            cls.attendance.sql_cast(company.hours_per_work_month)
            * cls.attendance.sql_cast(employee.attendance_ratio))
        return (monthly
            .join(employee, condition=monthly.technician == employee.id)
            .join(company, condition=employee.company == company.id)
            .select(
                row_id(cls, monthly.month, monthly.technician).as_('id'),
                employee.company.as_('company'),
                employee.workshop.as_('workshop'),
                monthly.technician.as_('technician'),
                monthly.month.as_('month'),
                sold_hours.as_('hours_sold'),
                clocked_hours.as_('hours_clocked'),
                attendance.as_('attendance'),
                ratio(cls, 'efficiency', sold_hours, clocked_hours).as_(
                    'efficiency'),
                ratio(cls, 'productivity', clocked_hours,
                    Coalesce(attendance, 0)).as_('productivity')))


class Overhead(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin, ModelSQL,
        ModelView):
    "The overhead of a company's after-sales in a month"
    __name__ = 'dms.workshop.overhead'
    __string__ = "Workshop Overhead"

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT')
    month = fields.Date(
        "Month", required=True,
        help="The first day of the month the overhead was spent in.")
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True,
        domain=[('amount', '>=', 0)],
        help="The fixed costs of service and parts in the month: salaries "
        "not sold as labour, rent, equipment, administration.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    description = fields.Char("Description", size=200)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_month_unique', Unique(t, t.company, t.month),
                'dms_workshop.msg_overhead_month_unique'),
            ]
        cls._order = [('month', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_rec_name(self, name):
        pool = Pool()
        Lang = pool.get('ir.lang')
        return Lang.get().strftime(self.month, '%B %Y')

    @classmethod
    def validate_fields(cls, overheads, field_names):
        super().validate_fields(overheads, field_names)
        cls.check_month(overheads, field_names)

    @classmethod
    def check_month(cls, overheads, field_names=None):
        "Refuse a month that is not given by its first day"
        pool = Pool()
        Lang = pool.get('ir.lang')
        if field_names and 'month' not in field_names:
            return
        lang = Lang.get()
        for overhead in overheads:
            if overhead.month.day != 1:
                raise ValidationError(gettext(
                        'dms_workshop.msg_overhead_month_first_day',
                        date=lang.strftime(overhead.month),
                        first=lang.strftime(overhead.month.replace(day=1))))


class KPIAbsorption(ModelSQL, ModelView):
    "Service and parts gross profit against the overhead per month"
    __name__ = 'dms.workshop.kpi.absorption'
    __string__ = "Service Absorption by Month"

    company = fields.Many2One('company.company', "Company")
    currency = fields.Many2One('currency.currency', "Currency")
    month = fields.Date("Month")
    service_profit = Monetary(
        "Service Gross Profit", currency='currency', digits='currency',
        help="The labour, sublet and fee amounts of the approved lines not "
        "paid internally of the orders invoiced in the month.")
    parts_profit = Monetary(
        "Parts Gross Profit", currency='currency', digits='currency',
        help="The amounts of the approved parts lines not paid internally "
        "of the orders invoiced in the month, less the cost of their done "
        "stock moves.")
    overhead = Monetary(
        "Overhead", currency='currency', digits='currency',
        help="The overhead entered for the month.")
    absorption = fields.Float("Service Absorption", digits=(16, 4),
        help="The service and parts gross profit over the overhead: from "
        "1 on, after-sales pays all the fixed costs.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('id', 'DESC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Company = pool.get('company.company')
        Order = pool.get('dms.workshop.order')
        Overhead = pool.get('dms.workshop.overhead')
        company = Company.__table__()
        order = Order.__table__()
        overhead = Overhead.__table__()
        sold = order.select(
            order.company,
            month_of(cls, order.invoice_date).as_('month'),
            Coalesce(order.service_amount, 0).as_('service'),
            (Coalesce(order.parts_amount, 0)
                - Coalesce(order.parts_cost, 0)).as_('parts'),
            where=order.state.in_(INVOICED) & (order.invoice_date != Null))
        sold = sold.select(
            sold.company, sold.month,
            Sum(sold.service).as_('service'),
            Sum(sold.parts).as_('parts'),
            Literal(0).as_('overhead'),
            group_by=[sold.company, sold.month])
        spent = overhead.select(
            overhead.company, overhead.month,
            Literal(0).as_('service'),
            Literal(0).as_('parts'),
            overhead.amount.as_('overhead'))
        union = Union(sold, spent, all_=True)
        monthly = union.select(
            union.company, union.month,
            Sum(union.service).as_('service'),
            Sum(union.parts).as_('parts'),
            Sum(union.overhead).as_('overhead'),
            group_by=[union.company, union.month])
        service = cls.service_profit.sql_cast(monthly.service)
        parts = cls.parts_profit.sql_cast(monthly.parts)
        overhead_amount = cls.overhead.sql_cast(monthly.overhead)
        return (monthly
            .join(company, condition=monthly.company == company.id)
            .select(
                row_id(cls, monthly.month, monthly.company).as_('id'),
                monthly.company.as_('company'),
                company.currency.as_('currency'),
                monthly.month.as_('month'),
                service.as_('service_profit'),
                parts.as_('parts_profit'),
                overhead_amount.as_('overhead'),
                ratio(cls, 'absorption', service + parts,
                    overhead_amount).as_('absorption')))
