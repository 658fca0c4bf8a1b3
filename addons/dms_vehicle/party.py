# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta


class Replace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('dms.vehicle', 'owner'),
            ('dms.vehicle', 'dismantler'),
            ('dms.vehicle.owner', 'owner'),
            ('dms.vehicle.booking', 'borrower'),
            ]


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        pool = Pool()
        Booking = pool.get('dms.vehicle.booking')
        return super().to_erase(party_id) + [
            (Booking, [('borrower', '=', party_id)], True,
                ['comment'], [None]),
            ]
