# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta
from trytond.transaction import inactive_records, without_check_access


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('dms.document|send_expiry_reminders',
                    "Remind Customers of Expiring Documents"),
                ('dms.message|send_due', "Send Customer Messages"),
                ])

    @classmethod
    def _dms_company_methods(cls):
        return {
            'dms.document|send_expiry_reminders',
            'dms.message|send_due',
            }

    @classmethod
    def add_company(cls, companies):
        "Add companies to the dealer crons, but not those run for all of them"
        # The user creating a rooftop may not administer the scheduler
        with without_check_access(), inactive_records():
            crons = [c for c in cls.search([
                        ('method', 'in', sorted(cls._dms_company_methods())),
                        ])
                if c.companies]
            if crons:
                cls.write(crons, {
                        'companies': [('add', [c.id for c in companies])],
                        })
