# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class Message(metaclass=PoolMeta):
    __name__ = 'dms.message'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + [
            'dms.workshop.appointment',
            'dms.workshop.order',
            'dms.workshop.order.revision',
            ]
