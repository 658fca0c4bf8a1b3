# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from sql.aggregate import Sum

from trytond.backend import MAX_QUERY_PARAMS
from trytond.model import fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction


class Vehicle(metaclass=PoolMeta):
    __name__ = 'dms.vehicle'

    reconditioning_amount = fields.Function(
        Monetary(
            "Reconditioning", currency='reconditioning_currency',
            digits='reconditioning_currency',
            help="The internal work the rooftop's workshop charged to the "
            "vehicle on invoiced repair orders."),
        'get_reconditioning_amount')
    reconditioning_currency = fields.Function(
        fields.Many2One('currency.currency', "Reconditioning Currency"),
        'get_reconditioning_currency')

    @classmethod
    def get_reconditioning_currency(cls, vehicles, name):
        pool = Pool()
        Company = pool.get('company.company')
        company_id = Transaction().context.get('company')
        currency = None
        if company_id is not None and company_id >= 0:
            currency = Company(company_id).currency.id
        return {v.id: currency for v in vehicles}

    @classmethod
    def get_reconditioning_amount(cls, vehicles, name):
        "Sum the internal lines of the company's invoiced orders in SQL"
        pool = Pool()
        Order = pool.get('dms.workshop.order')
        Line = pool.get('dms.workshop.order.line')
        order = Order.__table__()
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        company_id = Transaction().context.get('company')
        result = {v.id: Decimal(0) for v in vehicles}
        if company_id is None:
            return result
        _in = fields.SQL_OPERATORS['in']
        for sub_ids in grouped_slice(
                [v.id for v in vehicles], MAX_QUERY_PARAMS):
            cursor.execute(*line.join(
                    order, condition=line.order == order.id).select(
                    order.vehicle, Sum(line.amount),
                    where=_in(order.vehicle, sub_ids)
                    & (order.company == company_id)
                    & order.state.in_(['invoiced', 'done'])
                    & (line.payer == 'internal')
                    & (line.approval == 'approved'),
                    group_by=[order.vehicle]))
            for vehicle_id, amount in cursor:
                result[vehicle_id] = Decimal(str(amount or 0))
        return result
