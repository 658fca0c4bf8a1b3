# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from collections import defaultdict

from sql import Literal, Null
from sql.aggregate import Count

from trytond.backend import MAX_QUERY_PARAMS
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import (
    Transaction, check_access, without_check_access)
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import LeadError
from .pool import CHANNELS, LEAD_TYPES

OPEN_STATES = ['lead', 'opportunity']
PREFERRED_CONTACTS = [
    (None, ""),
    ('email', "E-mail"),
    ('phone', "Phone"),
    ('sms', "SMS"),
    ('whatsapp', "WhatsApp"),
    ]
HISTORY_ACTIONS = [
    ('intake', "Taken in"),
    ('claim', "Claimed"),
    ('assign', "Assigned"),
    ('round_robin', "Round-robin"),
    ('transfer', "Transferred"),
    ('reclaim', "Reclaimed"),
    ('release', "Released"),
    ]
# Fields only the code writes: the pool's clock and the first reply
SYSTEM_FIELDS = {
    'received_at', 'first_reply_at', 'last_follow_up_at', 'owner_since',
    'reclaim_at', 'warn_at', 'warned_at',
    }


def _now():
    return dt.datetime.now()


class Opportunity(metaclass=PoolMeta):
    __name__ = 'sale.opportunity'

    lead_type = fields.Selection(
        LEAD_TYPES, "Lead Type",
        states={
            'readonly': ~Eval('state').in_(OPEN_STATES),
            })
    lead_type_string = lead_type.translated('lead_type')
    channel = fields.Selection(
        CHANNELS, "Channel",
        states={
            'readonly': Eval('state') != 'lead',
            })
    channel_string = channel.translated('channel')
    source = fields.Many2One(
        'dms.lead.source', "Source", ondelete='RESTRICT',
        domain=[
            ['OR',
                ('company', '=', None),
                ('company', '=', Eval('company', -1)),
                ],
            ],
        states={
            'readonly': Eval('state') != 'lead',
            },
        help="Where the lead comes from; a call to the number of the "
        "website comes by phone from the website.")
    pool = fields.Many2One(
        'dms.lead.pool', "Pool", ondelete='RESTRICT',
        domain=[
            ['OR',
                ('company', '=', None),
                ('company', '=', Eval('company', -1)),
                ],
            ],
        states={
            'readonly': Eval('id', -1) >= 0,
            },
        help="The pool the lead waits in, and goes back to when its owner "
        "does not follow it up.")
    vehicle = fields.Many2One(
        'dms.vehicle', "Vehicle", ondelete='SET NULL',
        help="The vehicle the customer asked about.")
    interest_make = fields.Many2One(
        'dms.vehicle.make', "Make", ondelete='SET NULL')
    interest_model = fields.Many2One(
        'dms.vehicle.model', "Model", ondelete='SET NULL',
        domain=[
            If(Eval('interest_make'),
                ('make', '=', Eval('interest_make', -1)),
                ()),
            ])
    price_min = Monetary(
        "Price From", currency='currency', digits='currency',
        domain=['OR', ('price_min', '=', None), ('price_min', '>=', 0)])
    price_max = Monetary(
        "Price To", currency='currency', digits='currency',
        domain=['OR',
            ('price_max', '=', None),
            If(Bool(Eval('price_min')),
                ('price_max', '>=', Eval('price_min', 0)),
                ('price_max', '>=', 0)),
            ])
    trade_in_vehicle = fields.Char(
        "Trade-in", size=200,
        help="The vehicle the customer wants to trade in or sell: make, "
        "model and version.")
    trade_in_vin = fields.Char("Trade-in VIN", size=17, strip=True)
    trade_in_year = fields.Integer(
        "Trade-in Year",
        domain=['OR',
            ('trade_in_year', '=', None),
            ('trade_in_year', '>=', 1900),
            ])
    trade_in_mileage = fields.Integer(
        "Trade-in Mileage",
        domain=['OR',
            ('trade_in_mileage', '=', None),
            ('trade_in_mileage', '>=', 0),
            ])
    preferred_contact = fields.Selection(
        PREFERRED_CONTACTS, "Preferred Contact")
    lost_reason_code = fields.Many2One(
        'dms.lead.lost_reason', "Lost Reason", ondelete='RESTRICT',
        states={
            'invisible': Eval('state') != 'lost',
            })
    received_at = fields.DateTime(
        "Received", required=True, readonly=True,
        help="When the lead reached the dealer.")
    first_reply_at = fields.DateTime(
        "First Reply", readonly=True,
        help="When the customer got the first answer of a person.")
    last_follow_up_at = fields.DateTime("Last Follow-up", readonly=True)
    owner_since = fields.DateTime("Owned Since", readonly=True)
    reclaim_at = fields.DateTime(
        "Reclaimed At", readonly=True,
        help="When the lead goes back to its pool unless followed up.")
    warn_at = fields.DateTime("Warn At", readonly=True)
    warned_at = fields.DateTime("Warned", readonly=True)
    time_left = fields.Function(
        fields.TimeDelta(
            "Time Left",
            help="How long the owner has to follow the lead up before it "
            "goes back to its pool."),
        'get_time_left')
    activities = fields.One2Many(
        'dms.lead.activity', 'lead', "Follow-ups")
    history = fields.One2Many(
        'dms.lead.history', 'lead', "History", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.reclaim_at, Index.Range()),
                    where=(t.reclaim_at != Null)
                    & t.state.in_(OPEN_STATES)),
                Index(t, (t.warn_at, Index.Range()),
                    where=(t.warn_at != Null) & (t.warned_at == Null)
                    & t.state.in_(OPEN_STATES)),
                Index(t, (t.pool, Index.Range()),
                    where=(t.employee == Null) & (t.state == 'lead')),
                })
        cls.employee.states = cls.employee.states.copy()
        cls.employee.states['readonly'] = (
            cls.employee.states.get('readonly', False)
            | Bool(Eval('pool')))
        cls._buttons.update({
                # Visible on owned leads too: who clicks it a moment after
                # another gets told who took the lead
                'claim': {
                    'invisible': (
                        ~Eval('pool') | ~Eval('state').in_(OPEN_STATES)),
                    'icon': 'tryton-ok',
                    'depends': ['pool', 'state'],
                    },
                'release': {
                    'invisible': (
                        ~Eval('employee') | ~Eval('pool')
                        | ~Eval('state').in_(OPEN_STATES)),
                    'icon': 'tryton-back',
                    'depends': ['employee', 'pool', 'state'],
                    },
                'assign': {
                    'invisible': (
                        ~Eval('pool') | ~Eval('state').in_(OPEN_STATES)),
                    'icon': 'tryton-forward',
                    'depends': ['pool', 'state'],
                    },
                'transfer': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_received_at(cls):
        return _now()

    @classmethod
    def default_employee(cls):
        # A lead taken in waits in its pool
        if Transaction().context.get('dms_lead_pool'):
            return None
        return super().default_employee()

    @classmethod
    def default_pool(cls):
        return Transaction().context.get('dms_lead_pool')

    @fields.depends('source', 'channel')
    def on_change_source(self):
        if self.source and not self.channel:
            self.channel = self.source.channel

    @fields.depends('vehicle', 'interest_make', 'interest_model')
    def on_change_vehicle(self):
        if self.vehicle:
            self.interest_make = self.vehicle.make
            self.interest_model = self.vehicle.model

    def get_time_left(self, name):
        if self.reclaim_at and self.state in OPEN_STATES:
            # To the second: the owner counts minutes, not microseconds
            left = self.reclaim_at - _now()
            return dt.timedelta(seconds=int(left.total_seconds()))

    @staticmethod
    def order_time_left(tables):
        table, _ = tables[None]
        return [table.reclaim_at]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            values.setdefault('received_at', _now())
        return values

    @classmethod
    def check_modification(
            cls, mode, opportunities, values=None, external=False):
        super().check_modification(
            mode, opportunities, values=values, external=external)
        if not external:
            return
        if mode == 'write':
            written = sorted(values.keys() & (SYSTEM_FIELDS | {'pool'}))
        elif mode == 'create':
            written = sorted(n for n in SYSTEM_FIELDS - {'received_at'}
                for o in opportunities if getattr(o, n, None))
        else:
            written = []
        if written and opportunities:
            raise AccessError(gettext(
                    'dms_base.msg_field_readonly',
                    field=cls.__names__(written[0])['field'],
                    record=opportunities[0].rec_name,
                    model=cls.__names__()['model']))

    @classmethod
    def on_modification(cls, mode, opportunities, field_names=None):
        super().on_modification(
            mode, opportunities, field_names=field_names)
        if mode == 'create':
            History = Pool().get('dms.lead.history')
            History.log(
                [o for o in opportunities if o.pool], 'intake',
                employee=lambda o: o.employee)
            cls._set_clock([o for o in opportunities if o.employee])
        elif mode == 'write' and field_names and (
                field_names & {'employee', 'state', 'lead_type'}):
            cls._set_clock(opportunities)

    @classmethod
    def copy(cls, opportunities, default=None):
        default = default.copy() if default is not None else {}
        for name in SYSTEM_FIELDS | {'activities', 'history'}:
            default.setdefault(name, None)
        default.setdefault('received_at', _now())
        return super().copy(opportunities, default=default)

    @classmethod
    def _set_clock(cls, opportunities, since=None):
        """Start the reclaim clock of the owned leads (or stop it) from
        since, their owner's claim or their last follow-up"""
        now = _now()
        to_write = []
        for lead in opportunities:
            values = {}
            rule = (lead.pool.reclaim_rule(lead.lead_type)
                if lead.pool and lead.employee
                and lead.state in OPEN_STATES else None)
            owner_since = lead.owner_since
            if not lead.employee:
                owner_since = None
            elif not owner_since:
                owner_since = since or now
            if rule:
                followed_up = bool(
                    lead.last_follow_up_at and owner_since
                    and lead.last_follow_up_at >= owner_since)
                start = lead.last_follow_up_at if followed_up else owner_since
                warn_at, reclaim_at = rule.deadlines(start, followed_up)
            else:
                warn_at = reclaim_at = None
            if owner_since != lead.owner_since:
                values['owner_since'] = owner_since
            if reclaim_at != lead.reclaim_at:
                values['reclaim_at'] = reclaim_at
            if warn_at != lead.warn_at:
                values['warn_at'] = warn_at
                values['warned_at'] = None
            if values:
                to_write.extend(([lead], values))
        if to_write:
            # The clock is not the user's to write
            with without_check_access():
                super().write(*to_write)

    @classmethod
    def _lock_rows(cls, opportunities):
        """Lock the leads' rows: a second transaction taking the same lead
        waits, fails to serialise and is retried, then sees the owner"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(
                list(map(int, opportunities)), MAX_QUERY_PARAMS):
            cursor.execute(*table.update(
                    [table.write_date], [table.write_date],
                    where=reduce_ids(table.id, sub_ids)))

    @classmethod
    def _user_employee(cls):
        pool = Pool()
        Employee = pool.get('company.employee')
        User = pool.get('res.user')
        context = Transaction().context
        if employee_id := context.get('employee'):
            return Employee(employee_id)
        user = User(Transaction().user)
        if user.employee:
            return user.employee
        raise LeadError(gettext('dms_crm_leads.msg_lead_claim_no_employee',
                user=user.rec_name))

    @classmethod
    def _check_open(cls, leads):
        "Refuse to take, give or move leads that are no longer open"
        for lead in leads:
            if lead.state not in OPEN_STATES:
                raise LeadError(gettext(
                        'dms_crm_leads.msg_lead_not_open',
                        lead=lead.rec_name, state=lead.state_string))

    @classmethod
    def _check_takeable(cls, leads):
        cls._check_open(leads)
        for lead in leads:
            if lead.employee:
                raise LeadError(gettext(
                        'dms_crm_leads.msg_lead_owned',
                        lead=lead.rec_name,
                        employee=lead.employee.rec_name))

    @classmethod
    def _claims_today(cls, user):
        pool = Pool()
        History = pool.get('dms.lead.history')
        Booking = pool.get('dms.vehicle.booking')
        Company = pool.get('company.company')
        company_id = Transaction().context.get('company')
        tz = Booking.company_tzinfo(Company(company_id)) if company_id else (
            dt.timezone.utc)
        local_now = _now().replace(tzinfo=dt.timezone.utc).astimezone(tz)
        start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
        start = start.astimezone(dt.timezone.utc).replace(tzinfo=None)
        with without_check_access():
            return History.search([
                    ('user', '=', user.id),
                    ('action', '=', 'claim'),
                    ('date', '>=', start),
                    ], count=True)

    @classmethod
    @ModelView.button
    def claim(cls, opportunities):
        "The salesperson takes the leads from the pool"
        pool = Pool()
        ClaimCap = pool.get('dms.lead.claim_cap')
        User = pool.get('res.user')
        employee = cls._user_employee()
        cls._lock_rows(opportunities)
        leads = cls.browse(opportunities)
        cls._check_takeable(leads)
        for lead in leads:
            if not lead.pool:
                raise LeadError(gettext(
                        'dms_crm_leads.msg_lead_no_pool', lead=lead.rec_name))
        user = User(Transaction().user)
        cap = ClaimCap.cap(user)
        if cap is not None:
            taken = cls._claims_today(user)
            if taken + len(leads) > cap:
                raise LeadError(gettext(
                        'dms_crm_leads.msg_lead_claim_cap',
                        user=user.rec_name, cap=cap, taken=taken,
                        lead=leads[0].rec_name))
        cls._give(leads, employee, 'claim')

    @classmethod
    def _give(cls, leads, employee, action, reason=None):
        "Make employee the owner of the leads and log it"
        History = Pool().get('dms.lead.history')
        previous = {l.id: l.employee for l in leads}
        to_write = defaultdict(list)
        now = _now()
        for lead in leads:
            # The clock restarts for the new owner (on_modification)
            values = {'employee': employee.id, 'owner_since': now}
            if lead.company != employee.company and not (
                    lead.pool and lead.pool.company):
                # A lead of the group's pool goes to the taker's rooftop
                values['company'] = employee.company.id
            to_write[tuple(sorted(values.items()))].append(lead)
        args = []
        for values, records in to_write.items():
            args.extend((records, dict(values)))
        with without_check_access(), Transaction().set_context(
                company=employee.company.id):
            super().write(*args)
        leads = cls.browse(leads)
        History.follow(leads)
        History.log(leads, action, employee=lambda l: l.employee,
            previous_employee=lambda l: previous[l.id], reason=reason)

    @classmethod
    @ModelView.button
    def release(cls, opportunities):
        "The owner puts the leads back into their pool"
        History = Pool().get('dms.lead.history')
        cls._lock_rows(opportunities)
        leads = cls.browse(opportunities)
        previous = {l.id: l.employee for l in leads}
        cls._back_to_pool(leads)
        History.log(leads, 'release',
            previous_employee=lambda l: previous[l.id])

    @classmethod
    def _back_to_pool(cls, leads):
        with without_check_access():
            super().write(list(leads), {
                    'employee': None,
                    'state': 'lead',
                    'owner_since': None,
                    'reclaim_at': None,
                    'warn_at': None,
                    'warned_at': None,
                    })

    @classmethod
    @ModelView.button_action('dms_crm_leads.wizard_lead_assign')
    def assign(cls, opportunities):
        pass

    @classmethod
    @ModelView.button_action('dms_crm_leads.wizard_lead_transfer')
    def transfer(cls, opportunities):
        pass

    @classmethod
    def round_robin(cls, opportunities):
        """Give each lead to the salesperson on duty of its pool who got
        a lead the longest time ago"""
        pool = Pool()
        Member = pool.get('dms.lead.pool.member')
        cls._lock_rows(opportunities)
        leads = [l for l in cls.browse(opportunities)
            if not l.employee and l.state == 'lead' and l.pool]
        by_pool = defaultdict(list)
        for lead in leads:
            by_pool[lead.pool].append(lead)
        for lead_pool, pool_leads in by_pool.items():
            members = [m for m in lead_pool.members if m.on_duty
                and m.employee.active]
            if not members:
                continue
            epoch = dt.datetime.min
            members.sort(key=lambda m: (m.last_assigned or epoch, m.id))
            given = defaultdict(list)
            for i, lead in enumerate(pool_leads):
                given[members[i % len(members)]].append(lead)
            now = _now()
            for member, member_leads in given.items():
                cls._give(member_leads, member.employee, 'round_robin')
            Member.write(list(given), {'last_assigned': now})

    @classmethod
    def transfer_to(cls, opportunities, target, reason=None):
        "Move the leads into the target pool, without owner"
        History = Pool().get('dms.lead.history')
        cls._lock_rows(opportunities)
        leads = cls.browse(opportunities)
        cls._check_open(leads)
        previous = {l.id: (l.employee, l.pool) for l in leads}
        cls._back_to_pool(leads)
        values = {'pool': target.id}
        company_id = Transaction().context.get('company')
        if target.company:
            values['company'] = company_id = target.company.id
        # The lead belongs to the rooftop of its new pool
        with without_check_access(), Transaction().set_context(
                company=company_id):
            super().write(list(leads), values)
        History.follow(cls.browse(leads))
        History.log(cls.browse(leads), 'transfer',
            previous_employee=lambda l: previous[l.id][0],
            previous_pool=lambda l: previous[l.id][1], reason=reason)

    @classmethod
    def followed_up(cls, activities):
        "Restart the clock of the leads the activities follow up"
        by_lead = defaultdict(list)
        for activity in activities:
            by_lead[activity.lead].append(activity)
        to_write = []
        for lead, lead_activities in by_lead.items():
            values = {}
            outbound = [a.date for a in lead_activities
                if a.direction == 'out']
            if not outbound:
                continue
            last = max(outbound)
            if not lead.last_follow_up_at or last > lead.last_follow_up_at:
                values['last_follow_up_at'] = last
            first = min(outbound)
            if not lead.first_reply_at or first < lead.first_reply_at:
                values['first_reply_at'] = first
            if values:
                to_write.extend(([lead], values))
        if to_write:
            with without_check_access():
                super().write(*to_write)
            cls._set_clock(cls.browse(
                    [l for leads in to_write[::2] for l in leads]))

    @classmethod
    def reclaim(cls):
        """Cron: warn the owners whose leads near their limit and put the
        leads not followed up in time back into their pools

        Set-based: a few statements whatever the number of leads."""
        pool = Pool()
        History = pool.get('dms.lead.history')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        history = History.__table__()
        now = _now()
        user = transaction.user

        open_ = table.state.in_(OPEN_STATES) & (table.employee != Null)
        due = open_ & (table.reclaim_at != Null) & (table.reclaim_at <= now)
        warn = (open_ & (table.warn_at != Null) & (table.warn_at <= now)
            & (table.warned_at == Null) & (table.reclaim_at > now))

        # The owners to warn, one notice per owner
        cursor.execute(*table.select(
                table.employee, Count(table.id),
                where=warn, group_by=[table.employee]))
        warnings = list(cursor)
        cursor.execute(*table.update(
                [table.warned_at], [now], where=warn))

        # Reclaimed: the history first, while the owner is still known
        cursor.execute(*table.select(
                table.pool, table.employee, Count(table.id),
                where=due, group_by=[table.pool, table.employee]))
        reclaimed = list(cursor)
        if reclaimed:
            cursor.execute(*table.select(table.id, where=due))
            ids = [i for i, in cursor]
            reason = gettext('dms_crm_leads.msg_reclaim_reason')
            cursor.execute(*history.insert(
                    [history.create_uid, history.create_date, history.lead,
                        history.company, history.date, history.action,
                        history.previous_employee, history.pool,
                        history.deadline, history.user, history.reason],
                    table.select(
                        Literal(user), Literal(now), table.id, table.company,
                        Literal(now), Literal('reclaim'), table.employee,
                        table.pool, table.reclaim_at, Literal(user),
                        Literal(reason),
                        where=due)))
            cursor.execute(*table.update(
                    [table.employee, table.state, table.owner_since,
                        table.reclaim_at, table.warn_at, table.warned_at,
                        table.write_date, table.write_uid],
                    [Null, 'lead', Null, Null, Null, Null, now, user],
                    where=due))
            # The platform keeps the revisions of opportunities
            for sub_ids in grouped_slice(ids, MAX_QUERY_PARAMS):
                cls._insert_history(list(sub_ids))
        cls._notify_reclaim(warnings, reclaimed)
        return len(warnings), sum(n for _, _, n in reclaimed)

    @classmethod
    def _notify_reclaim(cls, warnings, reclaimed):
        """Tell the owners of their leads close to the limit and the pools'
        managers of the leads reclaimed, through the users' notifications"""
        pool = Pool()
        Employee = pool.get('company.employee')
        LeadPool = pool.get('dms.lead.pool')
        Notification = pool.get('res.notification')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        employee_ids = {e for e, _ in warnings}
        pools = {p: LeadPool(p) for p, _, _ in reclaimed if p}
        employee_ids |= {p.manager.id for p in pools.values() if p.manager}
        employee_ids |= {e for _, e, _ in reclaimed if e}
        if not employee_ids:
            return
        users = defaultdict(list)
        with without_check_access():
            for user in User.search([
                        ('employees', 'in', list(employee_ids)),
                        ]):
                for employee in user.employees:
                    users[employee.id].append(user)
        action = ModelData.get_id('dms_crm_leads', 'act_lead_mine')
        notifications = []
        for employee_id, count in warnings:
            for user in users[employee_id]:
                notifications.append(Notification(
                        user=user, icon='tryton-warning',
                        label=gettext('dms_crm_leads.msg_warn_label',
                            count=count),
                        description=gettext(
                            'dms_crm_leads.msg_warn_description',
                            count=count),
                        action=action))
        by_pool = defaultdict(list)
        for pool_id, employee_id, count in reclaimed:
            by_pool[pool_id].append((employee_id, count))
        for pool_id, counts in by_pool.items():
            lead_pool = pools.get(pool_id)
            if not lead_pool or not lead_pool.manager:
                continue
            owners = ', '.join(
                f'{Employee(e).rec_name} ({n})' for e, n in counts if e)
            for user in users[lead_pool.manager.id]:
                notifications.append(Notification(
                        user=user, icon='tryton-warning',
                        label=gettext('dms_crm_leads.msg_reclaimed_label',
                            count=sum(n for _, n in counts),
                            pool=lead_pool.rec_name),
                        description=gettext(
                            'dms_crm_leads.msg_reclaimed_description',
                            owners=owners),
                        action=ModelData.get_id(
                            'dms_crm_leads', 'act_lead_pool_waiting')))
        for employee_id, count in [(e, n) for _, e, n in reclaimed if e]:
            for user in users[employee_id]:
                notifications.append(Notification(
                        user=user, icon='tryton-warning',
                        label=gettext(
                            'dms_crm_leads.msg_reclaimed_owner_label',
                            count=count)))
        with without_check_access():
            Notification.save(notifications)


class Activity(ModelSQL, ModelView):
    __name__ = 'dms.lead.activity'
    __string__ = "Lead Follow-up"

    lead = fields.Many2One(
        'sale.opportunity', "Lead", required=True, ondelete='CASCADE')
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company', searcher='search_company')
    date = fields.DateTime("Date", required=True)
    direction = fields.Selection([
            ('in', "From the customer"),
            ('out', "To the customer"),
            ], "Direction", required=True)
    kind = fields.Selection([
            ('email', "E-mail"),
            ('call', "Call"),
            ('sms', "SMS"),
            ('visit', "Visit"),
            ('test_drive', "Test Drive"),
            ('note', "Note"),
            ], "Kind", required=True)
    subject = fields.Char("Subject", size=200)
    text = fields.Text("Text")
    employee = fields.Many2One(
        'company.employee', "Employee", ondelete='SET NULL',
        help="Who followed the lead up.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('lead')
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return _now()

    @classmethod
    def default_direction(cls):
        return 'out'

    @classmethod
    def default_kind(cls):
        return 'call'

    @classmethod
    def default_employee(cls):
        return Transaction().context.get('employee')

    @fields.depends('lead', '_parent_lead.company')
    def on_change_with_company(self, name=None):
        return self.lead.company if self.lead else None

    @classmethod
    def search_company(cls, name, clause):
        return [('lead.' + clause[0],) + tuple(clause[1:])]

    @classmethod
    def validate_fields(cls, activities, field_names):
        super().validate_fields(activities, field_names)
        if not field_names or 'date' in field_names:
            now = _now() + dt.timedelta(minutes=5)
            for activity in activities:
                if activity.date > now:
                    raise LeadError(gettext(
                            'dms_crm_leads.msg_activity_future',
                            lead=activity.lead.rec_name))

    @classmethod
    def on_modification(cls, mode, activities, field_names=None):
        super().on_modification(mode, activities, field_names=field_names)
        if mode in {'create', 'write'}:
            Pool().get('sale.opportunity').followed_up(activities)


class History(ModelSQL, ModelView):
    __name__ = 'dms.lead.history'
    __string__ = "Lead History"

    lead = fields.Many2One(
        'sale.opportunity', "Lead", required=True, readonly=True,
        ondelete='CASCADE')
    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True,
        ondelete='CASCADE')
    date = fields.DateTime("Date", required=True, readonly=True)
    action = fields.Selection(
        HISTORY_ACTIONS, "Action", required=True, readonly=True)
    employee = fields.Many2One(
        'company.employee', "Owner", readonly=True, ondelete='SET NULL')
    previous_employee = fields.Many2One(
        'company.employee', "Previous Owner", readonly=True,
        ondelete='SET NULL')
    pool = fields.Many2One(
        'dms.lead.pool', "Pool", readonly=True, ondelete='SET NULL')
    previous_pool = fields.Many2One(
        'dms.lead.pool', "Previous Pool", readonly=True, ondelete='SET NULL')
    deadline = fields.DateTime(
        "Deadline", readonly=True,
        help="For a reclaim, when the follow-up was due.")
    user = fields.Many2One(
        'res.user', "User", readonly=True, ondelete='SET NULL')
    reason = fields.Text("Reason", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.lead, Index.Range())),
                Index(t,
                    (t.user, Index.Range()),
                    (t.action, Index.Equality(cardinality='low')),
                    (t.date, Index.Range())),
                Index(t,
                    (t.action, Index.Equality(cardinality='low')),
                    (t.previous_employee, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if external and mode in {'create', 'write', 'delete'}:
            raise AccessError(gettext(
                    'dms_crm_leads.msg_history_readonly'))

    @classmethod
    def follow(cls, leads):
        "Move the history of the leads to the rooftop they now belong to"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        by_company = defaultdict(list)
        for lead in leads:
            by_company[lead.company.id].append(lead.id)
        for company, ids in by_company.items():
            for sub_ids in grouped_slice(ids, MAX_QUERY_PARAMS):
                cursor.execute(*table.update(
                        [table.company], [company],
                        where=reduce_ids(table.lead, sub_ids)
                        & (table.company != company)))

    @classmethod
    def log(cls, leads, action, employee=None, previous_employee=None,
            previous_pool=None, reason=None):
        now = _now()
        user = Transaction().user

        def value(getter, lead):
            record = getter(lead) if getter else None
            return record.id if record else None
        records = [cls(
                lead=lead, company=lead.company, date=now, action=action,
                employee=value(employee, lead),
                previous_employee=value(previous_employee, lead),
                pool=lead.pool, previous_pool=value(previous_pool, lead),
                user=user, reason=reason) for lead in leads]
        with without_check_access():
            cls.save(records)
        return records


class AssignStart(ModelView):
    __name__ = 'dms.lead.assign.start'
    __string__ = "Assign Leads"

    company = fields.Many2One('company.company', "Company", readonly=True)
    employee = fields.Many2One(
        'company.employee', "Salesperson", required=True,
        domain=[
            If(Eval('company'),
                ('company', '=', Eval('company', -1)),
                ()),
            ])
    reason = fields.Text("Reason")


class Assign(Wizard):
    __name__ = 'dms.lead.assign'
    start = StateView('dms.lead.assign.start',
        'dms_crm_leads.lead_assign_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Assign", 'assign', 'tryton-ok', default=True),
            ])
    assign = StateTransition()

    def default_start(self, fields):
        companies = {r.company.id for r in self.records}
        return {
            'company': companies.pop() if len(companies) == 1 else None,
            }

    def transition_assign(self):
        Opportunity = Pool().get('sale.opportunity')
        Opportunity._lock_rows(self.records)
        leads = Opportunity.browse(self.records)
        Opportunity._check_open(leads)
        Opportunity._give(
            leads, self.start.employee, 'assign', reason=self.start.reason)
        return 'end'


class TransferStart(ModelView):
    __name__ = 'dms.lead.transfer.start'
    __string__ = "Transfer Leads"

    pool = fields.Many2One(
        'dms.lead.pool', "Pool", required=True,
        help="The pool of the rooftop that takes the leads over.")
    reason = fields.Text("Reason", required=True)


class Transfer(Wizard):
    __name__ = 'dms.lead.transfer'
    start = StateView('dms.lead.transfer.start',
        'dms_crm_leads.lead_transfer_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Transfer", 'transfer', 'tryton-ok', default=True),
            ])
    transfer = StateTransition()

    def transition_transfer(self):
        pool = Pool()
        LeadPool = pool.get('dms.lead.pool')
        Opportunity = pool.get('sale.opportunity')
        # The user must see the target pool: the record rules decide
        target = self.start.pool
        with check_access():
            visible = LeadPool.search([('id', '=', target.id)])
        if not visible:
            with without_check_access():
                name = LeadPool(target.id).rec_name
            raise LeadError(gettext(
                    'dms_crm_leads.msg_lead_transfer_pool_hidden',
                    pool=name))
        Opportunity.transfer_to(
            self.records, target, reason=self.start.reason)
        return 'end'
