# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Coalesce
from sql.functions import DateTrunc

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool

from .sale import RESERVED_STATES


def _money(string, help=''):
    return Monetary(string, currency='currency', digits='currency', help=help)


class DealProfitMixin:
    __slots__ = ()

    company = fields.Many2One('company.company', "Company")
    currency = fields.Many2One('currency.currency', "Currency")
    month = fields.Date("Month", help="The month the deal was confirmed.")
    make = fields.Many2One('dms.vehicle.make', "Make")
    model = fields.Many2One('dms.vehicle.model', "Model")
    salesperson = fields.Many2One('company.employee', "Salesperson")
    units = fields.Integer("Vehicles", help="The vehicles retailed.")
    revenue = _money("Vehicle Revenue")
    cost = _money("Vehicle Cost")
    gp1 = _money("GP1", "Vehicle revenue less vehicle cost.")
    rebates = _money(
        "Rebates", "The manufacturer's rebates: paid, or estimated until "
        "paid.")
    gp2 = _money("GP2", "GP1 plus the rebates.")
    addon_income = _money("Add-on Income")
    selling_cost = _money("Direct Selling Cost")
    gp3 = _money(
        "GP3", "GP2 plus add-on income less the direct selling costs.")

    @classmethod
    def _deals(cls):
        """Return the query of the confirmed deals with their figures, first
        vehicle and number of vehicles"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        Line = pool.get('sale.line')
        Vehicle = pool.get('dms.vehicle')
        Company = pool.get('company.company')
        RebateLine = pool.get('dms.rebate.line')
        sale = Sale.__table__()
        line = Line.__table__()
        vehicle = Vehicle.__table__()
        company = Company.__table__()
        rebate = RebateLine.__table__()

        vehicles = line.select(
            line.sale, Min(line.vehicle).as_('vehicle'),
            Count(line.id).as_('units'),
            where=line.vehicle != Null,
            group_by=[line.sale])
        rebates = rebate.select(
            rebate.sale,
            Sum(Coalesce(rebate.actual_amount, rebate.estimated_amount)
                ).as_('amount'),
            where=rebate.state != 'cancelled',
            group_by=[rebate.sale])
        zero = 0
        revenue = Coalesce(sale.vehicle_revenue_cache, zero)
        cost = Coalesce(sale.vehicle_cost_cache, zero)
        rebates_amount = Coalesce(rebates.amount, zero)
        selling = (Coalesce(sale.commission_amount_cache, zero)
            + Coalesce(sale.preparation_cost, zero)
            + Coalesce(sale.delivery_cost, zero)
            + Coalesce(sale.over_allowance_cache, zero))
        addon = Coalesce(sale.addon_income_cache, zero)
        return (sale
            .join(vehicles, condition=vehicles.sale == sale.id)
            .join(vehicle, condition=vehicle.id == vehicles.vehicle)
            .join(company, condition=company.id == sale.company)
            .join(rebates, 'LEFT', condition=rebates.sale == sale.id)
            .select(
                sale.id.as_('id'),
                sale.id.as_('sale'),
                sale.company.as_('company'),
                company.currency.as_('currency'),
                cls.month.sql_cast(
                    DateTrunc('month', sale.sale_date)).as_('month'),
                vehicle.id.as_('vehicle'),
                vehicle.make.as_('make'),
                vehicle.model.as_('model'),
                vehicle.variant.as_('variant'),
                vehicle.usage.as_('usage'),
                sale.salesperson.as_('salesperson'),
                vehicles.units.as_('units'),
                revenue.as_('revenue'),
                cost.as_('cost'),
                (revenue - cost).as_('gp1'),
                rebates_amount.as_('rebates'),
                (revenue - cost + rebates_amount).as_('gp2'),
                addon.as_('addon_income'),
                selling.as_('selling_cost'),
                (revenue - cost + rebates_amount + addon - selling
                    ).as_('gp3'),
                where=sale.state.in_(list(RESERVED_STATES))
                & (sale.vehicle_revenue_cache != Null)))


class DealProfit(DealProfitMixin, ModelSQL, ModelView):
    "The profit tiers of each confirmed deal and its vehicle"
    __name__ = 'dms.sale.deal.profit'
    __string__ = "Deal Profit"

    sale = fields.Many2One('sale.sale', "Deal")
    vehicle = fields.Many2One('dms.vehicle', "Vehicle")
    variant = fields.Many2One('dms.vehicle.variant', "Variant")
    usage = fields.Selection('get_usages', "Usage")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('id', 'DESC')]

    @classmethod
    def get_usages(cls):
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        return Vehicle.fields_get(['usage'])['usage']['selection']

    @classmethod
    def table_query(cls):
        deals = cls._deals()
        return deals.select(*[
                getattr(deals, n).as_(n) for n in [
                    'id', 'sale', 'company', 'currency', 'month', 'vehicle',
                    'make', 'model', 'variant', 'usage', 'salesperson',
                    'units', 'revenue', 'cost', 'gp1', 'rebates', 'gp2',
                    'addon_income', 'selling_cost', 'gp3']])


class DealProfitMonth(DealProfitMixin, ModelSQL, ModelView):
    "Vehicles retailed and their profit per company, make, model, salesperson"
    __name__ = 'dms.sale.deal.profit.month'
    __string__ = "Deal Profit by Month"

    gp1_per_unit = fields.Function(_money(
            "GP1 per Vehicle", "GP1 over the vehicles retailed."),
        'get_per_unit')
    gp2_per_unit = fields.Function(_money(
            "GP2 per Vehicle", "GP2 over the vehicles retailed."),
        'get_per_unit')
    gp3_per_unit = fields.Function(_money(
            "GP3 per Vehicle", "GP3 over the vehicles retailed."),
        'get_per_unit')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('month', 'DESC'), ('company', 'ASC'), ('make', 'ASC'),
            ('model', 'ASC'), ('id', 'DESC')]

    def get_per_unit(self, name):
        total = getattr(self, name[:-len('_per_unit')])
        if self.units and total is not None:
            return self.currency.round(total / self.units)

    @classmethod
    def table_query(cls):
        deals = cls._deals()
        # PostgreSQL sums integers as numeric
        units = cls.units.sql_cast(Sum(deals.units))

        keys = [deals.company, deals.currency, deals.month, deals.make,
            deals.model, deals.salesperson]
        # Each deal is in one group: its smallest id names the group
        return deals.select(
            Min(deals.id).as_('id'),
            deals.company.as_('company'),
            deals.currency.as_('currency'),
            deals.month.as_('month'),
            deals.make.as_('make'),
            deals.model.as_('model'),
            deals.salesperson.as_('salesperson'),
            units.as_('units'),
            *[Sum(getattr(deals, n)).as_(n) for n in [
                    'revenue', 'cost', 'gp1', 'rebates', 'gp2',
                    'addon_income', 'selling_cost', 'gp3']],
            group_by=keys)
