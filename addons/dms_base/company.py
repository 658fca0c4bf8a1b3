# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval


class Company(metaclass=PoolMeta):
    __name__ = 'company.company'

    short_name = fields.Char(
        "Short Name", size=30, strip=True,
        help="How lists name the rooftop, for example its town.")

    def get_short_name(self):
        return self.short_name or self.rec_name

    @classmethod
    def on_modification(cls, mode, companies, field_names=None):
        pool = Pool()
        User = pool.get('res.user')
        Cron = pool.get('ir.cron')
        super().on_modification(mode, companies, field_names=field_names)
        if mode == 'create':
            User.grant_group_companies()
            Cron.add_company(companies)


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'

    department = fields.Many2One(
        'dms.department', "Department", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="The department of the dealership the employee works in.")
