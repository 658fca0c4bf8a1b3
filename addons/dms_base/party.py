# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql.conditionals import Case

from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta

from .exceptions import PartyValidationError

NAME_SIZE = 200


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    @classmethod
    def validate_fields(cls, parties, field_names):
        super().validate_fields(parties, field_names)
        cls.check_name_size(parties, field_names)

    @classmethod
    def check_name_size(cls, parties, field_names=None):
        # Not the field's size: the platform's column has none to migrate
        if field_names and 'name' not in field_names:
            return
        for party in parties:
            if party.name and len(party.name) > NAME_SIZE:
                raise PartyValidationError(gettext(
                        'dms_base.msg_party_name_size',
                        name=party.name[:40],
                        length=len(party.name),
                        size=NAME_SIZE))


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
    return Case(
        (state.in_(['queued', 'failed']), 'cancelled'),
        else_=state)
