# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql.conditionals import Case

from trytond.pool import Pool, PoolMeta


class Replace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('dms.document', 'holder'),
            ('dms.message', 'party'),
            ]


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        pool = Pool()
        Document = pool.get('dms.document')
        Message = pool.get('dms.message')
        return super().to_erase(party_id) + [
            (Document, [('holder', '=', party_id)], True,
                ['number', 'issuer', 'comment'],
                [None, None, None]),
            (Message, [('party', '=', party_id)], True,
                ['address', 'subject', 'body', 'error', 'state'],
                ['****', None, '****', None, _cancel_unsent]),
            ]


def _cancel_unsent(state):
    "An erased customer is sent nothing more"
    return Case(
        (state.in_(['queued', 'failed']), 'cancelled'),
        else_=state)
