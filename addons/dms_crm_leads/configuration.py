# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import ModelSQL, ModelView, Unique, fields


class ClaimCap(ModelSQL, ModelView):
    __name__ = 'dms.lead.claim_cap'
    __string__ = "Lead Claim Cap"

    group = fields.Many2One(
        'res.group', "Role", required=True, ondelete='CASCADE',
        help="The users of this group may claim that many leads a day.")
    daily_cap = fields.Integer(
        "Daily Cap", required=True,
        domain=[('daily_cap', '>=', 0)],
        help="How many leads a user of the role may claim from the pools "
        "in a day.\nA user of several roles has the highest cap.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('group_unique', Unique(t, t.group),
                'dms_crm_leads.msg_claim_cap_group_unique'),
            ]

    @classmethod
    def cap(cls, user):
        "Return the daily claim cap of the user, None when unlimited"
        caps = cls.search([
                ('group', 'in', [g.id for g in user.groups]),
                ])
        if caps:
            return max(c.daily_cap for c in caps)
