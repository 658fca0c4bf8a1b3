# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool as Pool_
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

LEAD_TYPES = [
    (None, ""),
    ('new_vehicle', "New Vehicle"),
    ('used_vehicle', "Used Vehicle"),
    ('acquisition', "Used-Car Acquisition"),
    ('lease_renewal', "Lease Renewal"),
    ('accident_repair', "Accident Repair"),
    ('service', "Service"),
    ]
CHANNELS = [
    (None, ""),
    ('website', "Website"),
    ('marketplace', "Marketplace"),
    ('email', "E-mail"),
    ('phone', "Phone"),
    ('walk_in', "Walk-in"),
    ('referral', "Referral"),
    ('campaign', "Campaign"),
    ]


class Source(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'dms.lead.source'
    __string__ = "Lead Source"

    name = fields.Char("Name", required=True, translate=True)
    channel = fields.Selection(
        CHANNELS, "Channel", required=True,
        help="How the leads of this source reach the dealer.")
    company = fields.Many2One(
        'company.company', "Company", ondelete='CASCADE',
        help="Leave empty for a source of the whole group.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))


class LostReason(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'dms.lead.lost_reason'
    __string__ = "Lead Lost Reason"

    name = fields.Char("Name", required=True, translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))


class Pool(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'dms.lead.pool'
    __string__ = "Lead Pool"

    name = fields.Char("Name", required=True, translate=True)
    company = fields.Many2One(
        'company.company', "Company", ondelete='RESTRICT',
        states={
            'readonly': Eval('id', -1) >= 0,
            },
        help="The rooftop of the pool.\n"
        "Leave empty for the pool of the whole group.")
    manager = fields.Many2One(
        'company.employee', "Manager", ondelete='SET NULL',
        domain=[
            If(Eval('company'),
                ('company', '=', Eval('company', -1)),
                ()),
            ],
        help="Told when a lead of the pool is reclaimed.")
    round_robin = fields.Boolean(
        "Round-Robin",
        help="Spread the leads of the pool over the salespeople on duty "
        "as they come in.")
    accept_transfers = fields.Boolean(
        "Accept Transfers",
        help="The other rooftops of the group see the pool and may "
        "transfer leads to it.")
    members = fields.One2Many(
        'dms.lead.pool.member', 'pool', "Salespeople",
        help="Who round-robin gives leads to.")
    rules = fields.One2Many(
        'dms.lead.reclaim.rule', 'pool', "Reclaim Rules")
    leads = fields.One2Many(
        'sale.opportunity', 'pool', "Leads", readonly=True)
    waiting = fields.Function(
        fields.Integer("Waiting", help="Leads in the pool without owner."),
        'get_waiting')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))
        cls._buttons.update({
                'distribute': {
                    'invisible': ~Eval('round_robin'),
                    'icon': 'tryton-forward',
                    'depends': ['round_robin'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_round_robin(cls):
        return False

    @classmethod
    def default_accept_transfers(cls):
        return True

    def get_rec_name(self, name):
        return self.name

    @classmethod
    def get_waiting(cls, pools, name):
        Opportunity = Pool_().get('sale.opportunity')
        result = dict.fromkeys(map(int, pools), 0)
        for lead in Opportunity.search([
                    ('pool', 'in', list(map(int, pools))),
                    ('employee', '=', None),
                    ('state', '=', 'lead'),
                    ]):
            result[lead.pool.id] += 1
        return result

    def reclaim_rule(self, lead_type):
        "Return the reclaim rule of the pool for the lead type"
        generic = None
        for rule in self.rules:
            if rule.lead_type == lead_type:
                return rule
            if not rule.lead_type and not generic:
                generic = rule
        return generic

    @classmethod
    @ModelView.button
    def distribute(cls, pools):
        "Give the waiting leads of the pools to the salespeople on duty"
        Opportunity = Pool_().get('sale.opportunity')
        leads = Opportunity.search([
                ('pool', 'in', list(map(int, pools))),
                ('pool.round_robin', '=', True),
                ('employee', '=', None),
                ('state', '=', 'lead'),
                ], order=[('received_at', 'ASC'), ('id', 'ASC')])
        Opportunity.round_robin(leads)

    @classmethod
    def distribute_all(cls):
        "Cron: round-robin the waiting leads of every round-robin pool"
        cls.distribute(cls.search([('round_robin', '=', True)]))


class PoolMember(ModelSQL, ModelView):
    __name__ = 'dms.lead.pool.member'
    __string__ = "Lead Pool Member"

    pool = fields.Many2One(
        'dms.lead.pool', "Pool", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Salesperson", required=True,
        ondelete='CASCADE')
    on_duty = fields.Boolean(
        "On Duty", help="Round-robin gives leads only to who is on duty.")
    last_assigned = fields.DateTime(
        "Last Assigned", readonly=True,
        help="When round-robin last gave this salesperson a lead.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('pool')
        t = cls.__table__()
        cls._sql_constraints += [
            ('pool_employee_unique', Unique(t, t.pool, t.employee),
                'dms_crm_leads.msg_pool_member_unique'),
            ]

    @classmethod
    def default_on_duty(cls):
        return True


class ReclaimRule(ModelSQL, ModelView):
    __name__ = 'dms.lead.reclaim.rule'
    __string__ = "Lead Reclaim Rule"

    pool = fields.Many2One(
        'dms.lead.pool', "Pool", required=True, ondelete='CASCADE')
    lead_type = fields.Selection(
        LEAD_TYPES, "Lead Type",
        help="Leave empty for the leads of any other type.")
    first_limit = fields.TimeDelta(
        "First Follow-up Within", required=True,
        domain=[('first_limit', '>', dt.timedelta(0))],
        help="How long the owner has for the first follow-up after "
        "taking the lead.")
    follow_up_limit = fields.TimeDelta(
        "Next Follow-up Within", required=True,
        domain=[('follow_up_limit', '>', dt.timedelta(0))],
        help="How long the owner has for each follow-up after the last.")
    warn_ratio = fields.Float(
        "Warn At", required=True,
        domain=[('warn_ratio', '>', 0), ('warn_ratio', '<', 1)],
        help="The share of the limit after which the owner is warned.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('pool')
        t = cls.__table__()
        cls._sql_constraints += [
            ('pool_type_unique', Unique(t, t.pool, t.lead_type),
                'dms_crm_leads.msg_reclaim_rule_unique'),
            ]

    @classmethod
    def default_warn_ratio(cls):
        return 0.8

    def deadlines(self, since, followed_up):
        "Return the warning time and the reclaim time from since"
        limit = self.follow_up_limit if followed_up else self.first_limit
        return since + limit * self.warn_ratio, since + limit
