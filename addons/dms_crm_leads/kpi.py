# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from dateutil.relativedelta import relativedelta
from sql import Literal, Null, Window
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case
from sql.functions import DateTrunc, Extract

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .pool import CHANNELS

# The states of the leads that became a deal
CONVERTED = ('converted', 'won')
FAST_REPLY = 30 * 60


def month_of(Model, date):
    return Model.month.sql_cast(DateTrunc('month', date))


def seconds_between(start, end):
    "Return the seconds from start to end, two timestamps"
    return Extract('EPOCH', end) - Extract('EPOCH', start)


def ratio(Model, field, dividend, divisor):
    "Return dividend over divisor cast as the field, NULL when it is 0"
    divisor = getattr(Model, field).sql_cast(divisor)
    return Case((divisor != 0, getattr(Model, field).sql_cast(dividend)
            / divisor), else_=Null)


def _opportunity_states():
    Opportunity = Pool().get('sale.opportunity')
    return list(Opportunity._fields['state'].selection)


class Context(ModelView):
    __name__ = 'dms.lead.kpi.context'
    __string__ = "Lead KPI Context"

    company = fields.Many2One(
        'company.company', "Company",
        help="Leave empty for all the rooftops you work for.")
    from_date = fields.Date(
        "From Date",
        domain=[
            If(Eval('to_date') & Eval('from_date'),
                ('from_date', '<=', Eval('to_date')),
                ()),
            ])
    to_date = fields.Date(
        "To Date",
        domain=[
            If(Eval('from_date') & Eval('to_date'),
                ('to_date', '>=', Eval('from_date')),
                ()),
            ])

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_from_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        context = Transaction().context
        if 'from_date' in context:
            return context['from_date']
        # The current month and the eleven before
        return Date.today().replace(day=1) - relativedelta(months=11)

    @classmethod
    def default_to_date(cls):
        return Transaction().context.get('to_date')


class KPIMixin:
    __slots__ = ()

    company = fields.Many2One('company.company', "Company")
    month = fields.Date("Month")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('id', 'DESC')]

    @classmethod
    def _where(cls, company, date):
        "Return the condition of the context on the company and date columns"
        context = Transaction().context
        where = Literal(True)
        if context.get('company'):
            where &= company == context['company']
        if from_date := context.get('from_date'):
            where &= date >= dt.datetime.combine(from_date, dt.time())
        if to_date := context.get('to_date'):
            where &= date < dt.datetime.combine(
                to_date + dt.timedelta(days=1), dt.time())
        return where

    @classmethod
    def _leads(cls, *columns, where=None):
        """Return the query of the leads received in the context's period
        with their id, company, month of reception and columns"""
        Opportunity = Pool().get('sale.opportunity')
        lead = Opportunity.__table__()
        condition = cls._where(lead.company, lead.received_at)
        if where is not None:
            condition &= where(lead)
        return lead.select(
            lead.id.as_('id'),
            lead.company.as_('company'),
            month_of(cls, lead.received_at).as_('month'),
            *(c(lead) for c in columns),
            where=condition)


class LeadResponse(KPIMixin, ModelSQL, ModelView):
    "How fast the leads got their first answer"
    __name__ = 'dms.lead.kpi.response'
    __string__ = "Lead Response Time"

    source = fields.Many2One('dms.lead.source', "Source")
    channel = fields.Selection(CHANNELS, "Channel")
    channel_string = channel.translated('channel')
    employee = fields.Many2One(
        'company.employee', "Salesperson",
        help="The owner of the leads; empty for the leads in a pool.")
    leads = fields.Integer(
        "Leads", help="The leads received in the month.")
    answered = fields.Integer(
        "Answered", help="The leads with a first reply to the customer.")
    response_time = fields.Float(
        "Response Time (h)", digits=(16, 2),
        help="The average hours from the reception of the answered leads "
        "to their first reply.")
    fast = fields.Integer(
        "Answered within 30 min",
        help="The leads answered within 30 minutes of their reception.")
    unanswered = fields.Integer(
        "Unanswered", help="The leads without reply yet.")
    fast_rate = fields.Float(
        "Share within 30 min", digits=(1, 4),
        help="The leads answered within 30 minutes over all the leads.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(1, ('employee', 'ASC'))

    @classmethod
    def table_query(cls):
        leads = cls._leads(
            lambda l: l.source.as_('source'),
            lambda l: l.channel.as_('channel'),
            lambda l: l.employee.as_('employee'),
            lambda l: seconds_between(l.received_at, l.first_reply_at).as_(
                'seconds'))
        # The month is a column of the subquery: PostgreSQL would not match
        # the parameters of the expression in the select and the group by
        keys = [leads.company, leads.month, leads.source, leads.channel,
            leads.employee]
        monthly = leads.select(
            Min(leads.id).as_('id'), *keys,
            Count(leads.id).as_('leads'),
            Count(leads.seconds).as_('answered'),
            Sum(leads.seconds).as_('seconds'),
            Sum(Case((leads.seconds <= FAST_REPLY, 1), else_=0)).as_('fast'),
            group_by=keys)
        return monthly.select(
            monthly.id, monthly.company, monthly.month, monthly.source,
            monthly.channel, monthly.employee,
            cls.leads.sql_cast(monthly.leads).as_('leads'),
            cls.answered.sql_cast(monthly.answered).as_('answered'),
            ratio(cls, 'response_time', monthly.seconds,
                monthly.answered * 3600).as_('response_time'),
            cls.fast.sql_cast(monthly.fast).as_('fast'),
            cls.unanswered.sql_cast(monthly.leads - monthly.answered).as_(
                'unanswered'),
            ratio(cls, 'fast_rate', monthly.fast, monthly.leads).as_(
                'fast_rate'))


class LeadFunnel(KPIMixin, ModelSQL, ModelView):
    "Where the leads received in a month stand"
    __name__ = 'dms.lead.kpi.funnel'
    __string__ = "Lead Funnel"

    source = fields.Many2One('dms.lead.source', "Source")
    employee = fields.Many2One('company.employee', "Salesperson")
    state = fields.Selection('get_states', "Stage")
    state_string = state.translated('state')
    count = fields.Integer(
        "Leads", help="The leads received in the month at this stage.")
    share = fields.Float(
        "Share", digits=(1, 4),
        help="The leads at this stage over the leads of the month, source "
        "and salesperson.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(1, ('employee', 'ASC'))

    @classmethod
    def get_states(cls):
        return _opportunity_states()

    @classmethod
    def table_query(cls):
        leads = cls._leads(
            lambda l: l.source.as_('source'),
            lambda l: l.employee.as_('employee'),
            lambda l: l.state.as_('state'))
        keys = [leads.company, leads.month, leads.source, leads.employee]
        stages = leads.select(
            Min(leads.id).as_('id'), *keys, leads.state,
            Count(leads.id).as_('count'),
            group_by=keys + [leads.state])
        total = Sum(stages.count, window=Window([
                    stages.company, stages.month, stages.source,
                    stages.employee]))
        return stages.select(
            stages.id, stages.company, stages.month, stages.source,
            stages.employee, stages.state,
            cls.count.sql_cast(stages.count).as_('count'),
            ratio(cls, 'share', stages.count, total).as_('share'))


class LeadConversion(KPIMixin, ModelSQL, ModelView):
    "How many leads became deals and how many were lost"
    __name__ = 'dms.lead.kpi.conversion'
    __string__ = "Lead Conversion"

    source = fields.Many2One('dms.lead.source', "Source")
    employee = fields.Many2One('company.employee', "Salesperson")
    leads = fields.Integer(
        "Leads", help="The leads received in the month.")
    converted = fields.Integer(
        "Converted", help="The leads converted into a deal, won or not yet.")
    won = fields.Integer("Won", help="The leads whose deal was won.")
    lost = fields.Integer("Lost")
    conversion_rate = fields.Float(
        "Conversion Rate", digits=(1, 4),
        help="The converted leads over the leads.")
    lost_rate = fields.Float(
        "Lost Rate", digits=(1, 4), help="The lost leads over the leads.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(1, ('employee', 'ASC'))

    @classmethod
    def table_query(cls):
        leads = cls._leads(
            lambda l: l.source.as_('source'),
            lambda l: l.employee.as_('employee'),
            lambda l: l.state.as_('state'))
        keys = [leads.company, leads.month, leads.source, leads.employee]

        def count(*states):
            return Sum(Case((leads.state.in_(states), 1), else_=0))
        monthly = leads.select(
            Min(leads.id).as_('id'), *keys,
            Count(leads.id).as_('leads'),
            count(*CONVERTED).as_('converted'),
            count('won').as_('won'),
            count('lost').as_('lost'),
            group_by=keys)
        return monthly.select(
            monthly.id, monthly.company, monthly.month, monthly.source,
            monthly.employee,
            cls.leads.sql_cast(monthly.leads).as_('leads'),
            cls.converted.sql_cast(monthly.converted).as_('converted'),
            cls.won.sql_cast(monthly.won).as_('won'),
            cls.lost.sql_cast(monthly.lost).as_('lost'),
            ratio(cls, 'conversion_rate', monthly.converted,
                monthly.leads).as_('conversion_rate'),
            ratio(cls, 'lost_rate', monthly.lost, monthly.leads).as_(
                'lost_rate'))


class LeadLost(KPIMixin, ModelSQL, ModelView):
    "Why the leads were lost"
    __name__ = 'dms.lead.kpi.lost'
    __string__ = "Lost Leads by Reason"

    lost_reason_code = fields.Many2One(
        'dms.lead.lost_reason', "Lost Reason",
        help="Empty for the leads lost without reason.")
    count = fields.Integer(
        "Leads", help="The lost leads received in the month.")
    share = fields.Float(
        "Share", digits=(1, 4),
        help="The leads lost for this reason over the leads lost of the "
        "month.")

    @classmethod
    def table_query(cls):
        leads = cls._leads(
            lambda l: l.lost_reason_code.as_('reason'),
            where=lambda l: l.state == 'lost')
        keys = [leads.company, leads.month, leads.reason]
        reasons = leads.select(
            Min(leads.id).as_('id'), *keys,
            Count(leads.id).as_('count'),
            group_by=keys)
        total = Sum(reasons.count, window=Window(
                [reasons.company, reasons.month]))
        return reasons.select(
            reasons.id, reasons.company, reasons.month,
            reasons.reason.as_('lost_reason_code'),
            cls.count.sql_cast(reasons.count).as_('count'),
            ratio(cls, 'share', reasons.count, total).as_('share'))


class LeadReclaim(KPIMixin, ModelSQL, ModelView):
    "The leads taken back from their owner for want of follow-up"
    __name__ = 'dms.lead.kpi.reclaim'
    __string__ = "Reclaimed Leads"

    employee = fields.Many2One(
        'company.employee', "Salesperson",
        help="The owner the leads were taken back from.")
    reclaimed = fields.Integer(
        "Reclaimed", help="The leads reclaimed in the month.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(1, ('employee', 'ASC'))

    @classmethod
    def table_query(cls):
        History = Pool().get('dms.lead.history')
        history = History.__table__()
        reclaims = history.select(
            history.id, history.company,
            month_of(cls, history.date).as_('month'),
            history.previous_employee.as_('employee'),
            where=(history.action == 'reclaim')
            & cls._where(history.company, history.date))
        keys = [reclaims.company, reclaims.month, reclaims.employee]
        monthly = reclaims.select(
            Min(reclaims.id).as_('id'), *keys,
            Count(reclaims.id).as_('reclaimed'),
            group_by=keys)
        return monthly.select(
            monthly.id, monthly.company, monthly.month, monthly.employee,
            cls.reclaimed.sql_cast(monthly.reclaimed).as_('reclaimed'))


class CampaignRate(KPIMixin, ModelSQL, ModelView):
    "How many customers opened a campaign's message and used its buttons"
    __name__ = 'dms.lead.kpi.campaign'
    __string__ = "Campaign Open and Click Rates"

    campaign = fields.Many2One('dms.lead.campaign', "Campaign")
    sent = fields.Integer(
        "Sent", help="The messages handed to the outbox in the month.")
    delivered = fields.Integer(
        "Delivered", help="Those the server accepted.")
    opened = fields.Integer(
        "Opened", help="Those the customer opened or used a button of.")
    clicked = fields.Integer(
        "Clicked", help="Those the customer used a button of.")
    open_rate = fields.Float(
        "Open Rate", digits=(1, 4), help="The opened over the sent.")
    click_rate = fields.Float(
        "Click Rate", digits=(1, 4), help="The clicked over the sent.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(1, ('campaign', 'ASC'))

    @classmethod
    def table_query(cls):
        Recipient = Pool().get('dms.lead.campaign.recipient')
        recipient = Recipient.__table__()
        clicked = ((recipient.call_at != Null) | (recipient.site_at != Null)
            | (recipient.booking_at != Null))
        sent = recipient.select(
            recipient.id, recipient.company, recipient.campaign,
            month_of(cls, recipient.sent_at).as_('month'),
            recipient.delivered_at, recipient.opened_at,
            Case((clicked, 1), else_=Null).as_('clicked'),
            where=(recipient.sent_at != Null)
            & cls._where(recipient.company, recipient.sent_at))
        keys = [sent.company, sent.month, sent.campaign]
        monthly = sent.select(
            Min(sent.id).as_('id'), *keys,
            Count(sent.id).as_('sent'),
            Count(sent.delivered_at).as_('delivered'),
            Count(sent.opened_at).as_('opened'),
            Count(sent.clicked).as_('clicked'),
            group_by=keys)
        return monthly.select(
            monthly.id, monthly.company, monthly.month, monthly.campaign,
            cls.sent.sql_cast(monthly.sent).as_('sent'),
            cls.delivered.sql_cast(monthly.delivered).as_('delivered'),
            cls.opened.sql_cast(monthly.opened).as_('opened'),
            cls.clicked.sql_cast(monthly.clicked).as_('clicked'),
            ratio(cls, 'open_rate', monthly.opened, monthly.sent).as_(
                'open_rate'),
            ratio(cls, 'click_rate', monthly.clicked, monthly.sent).as_(
                'click_rate'))
