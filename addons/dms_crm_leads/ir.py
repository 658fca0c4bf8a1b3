# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('sale.opportunity|reclaim',
                    "Take Back the Leads Not Followed Up"),
                ('dms.lead.pool|distribute_all',
                    "Round-Robin the Waiting Leads"),
                ])
