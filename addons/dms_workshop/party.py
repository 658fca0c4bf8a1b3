# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta


class Replace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('dms.workshop.appointment', 'customer'),
            ('dms.workshop.order', 'customer'),
            ('dms.workshop.order', 'insurer'),
            ]


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        pool = Pool()
        Appointment = pool.get('dms.workshop.appointment')
        Order = pool.get('dms.workshop.order')
        return super().to_erase(party_id) + [
            (Appointment, [('customer', '=', party_id)], True,
                ['complaint'], [None]),
            (Order, [('customer', '=', party_id)], True,
                ['complaint'], [None]),
            ]
