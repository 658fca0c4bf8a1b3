# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval


class InvoiceLine(metaclass=PoolMeta):
    __name__ = 'account.invoice.line'

    dms_department = fields.Many2One(
        'dms.department', "Department", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': Eval('invoice_state') != 'draft',
            },
        help="The department of the dealership the line is revenue of.")

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['dms.workshop.order.line']


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['dms.workshop.order']
