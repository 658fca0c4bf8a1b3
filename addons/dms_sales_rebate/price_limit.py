# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, MatchMixin, ModelSQL, ModelView, fields,
    sequence_ordered)
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import PriceLimitValidationError


class PriceLimit(
        DeactivableMixin, sequence_ordered(), MatchMixin, ModelSQL,
        ModelView):
    __name__ = 'dms.sale.price_limit'
    __string__ = "Deal Price Limit"

    company = fields.Many2One(
        'company.company', "Company", ondelete='CASCADE',
        help="The rooftop the limit is for; empty, a group policy.")
    make = fields.Many2One(
        'dms.vehicle.make', "Make", ondelete='CASCADE')
    model = fields.Many2One(
        'dms.vehicle.model', "Model", ondelete='CASCADE',
        domain=[
            If(Eval('make'), ('make', '=', Eval('make', -1)), ()),
            ])
    variant = fields.Many2One(
        'dms.vehicle.variant', "Variant", ondelete='CASCADE',
        domain=[
            If(Eval('model'), ('model', '=', Eval('model', -1)), ()),
            ])
    usage = fields.Selection('get_usages', "Usage",
        help="Limit the rule to new, used or demonstrator vehicles.")
    currency = fields.Many2One(
        'currency.currency', "Currency", required=True, ondelete='RESTRICT')
    floor_price = Monetary(
        "Floor Price", currency='currency', digits='currency',
        domain=['OR',
            ('floor_price', '=', None),
            ('floor_price', '>=', 0),
            ],
        help="The lowest untaxed price of a vehicle without approval.")
    max_discount = fields.Numeric(
        "Maximum Discount (%)", digits=(5, 2),
        domain=['OR',
            ('max_discount', '=', None),
            [('max_discount', '>=', 0), ('max_discount', '<=', 100)],
            ],
        help="The largest discount on the vehicle's asking price without "
        "approval.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('company', 'ASC NULLS LAST'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_currency(cls):
        pool = Pool()
        Company = pool.get('company.company')
        company = Transaction().context.get('company')
        if company is not None and company >= 0:
            return Company(company).currency.id

    @classmethod
    def get_usages(cls):
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        return [(None, "")] + Vehicle.fields_get(
            ['usage'])['usage']['selection']

    @fields.depends('variant', 'model', 'make')
    def on_change_variant(self):
        if self.variant:
            self.model = self.variant.model
            self.make = self.variant.model.make

    @fields.depends('model', 'make')
    def on_change_model(self):
        if self.model:
            self.make = self.model.make

    def get_rec_name(self, name):
        scope = (self.variant or self.model or self.make)
        names = [scope.rec_name if scope else gettext(
                'dms_sales_rebate.msg_price_limit_all_vehicles')]
        names.append(self.company.rec_name if self.company else gettext(
                'dms_sales_rebate.msg_price_limit_group'))
        return ' @ '.join(names)

    @classmethod
    def validate_fields(cls, limits, field_names):
        super().validate_fields(limits, field_names)
        if field_names & {'floor_price', 'max_discount'}:
            for limit in limits:
                if limit.floor_price is None and limit.max_discount is None:
                    raise PriceLimitValidationError(gettext(
                            'dms_sales_rebate.msg_price_limit_empty',
                            limit=limit.rec_name))

    @property
    def specificity(self):
        return (
            bool(self.variant), bool(self.model), bool(self.make),
            bool(self.usage), bool(self.company))

    @classmethod
    def floor(cls, sale, line):
        """Return the floor price of the deal's vehicle line in the sale's
        currency, from the most specific limit that applies, or None"""
        vehicle = line.vehicle
        if not vehicle or not sale.company:
            return None
        pattern = {
            'make': vehicle.make.id if vehicle.make else None,
            'model': vehicle.model.id if vehicle.model else None,
            'variant': vehicle.variant.id if vehicle.variant else None,
            'usage': vehicle.usage,
            'company': sale.company.id,
            }
        limits = [l for l in cls._limits() if l.match(pattern)]
        if not limits:
            return None
        limit = max(limits, key=lambda l: l.specificity)
        return limit.compute_floor(sale, vehicle)

    @classmethod
    def _limits(cls):
        # Every rooftop's and the group's: a salesperson's deal is checked
        # against them whatever the salesperson may read
        return cls.search([], order=[])

    def match(self, pattern, match_none=False):
        if self.company and self.company.id != pattern['company']:
            return False
        pattern = pattern.copy()
        pattern.pop('company')
        return super().match(pattern, match_none=match_none)

    def compute_floor(self, sale, vehicle):
        pool = Pool()
        Currency = pool.get('currency.currency')
        floors = []
        date = sale.sale_date or sale.quotation_date
        if self.floor_price is not None:
            with Transaction().set_context(date=date):
                floors.append(Currency.compute(
                        self.currency, self.floor_price, sale.currency))
        if self.max_discount is not None:
            asking, currency = vehicle.asking_price, vehicle.currency
            if asking is None and vehicle.variant:
                asking = vehicle.variant.list_price
                currency = vehicle.variant.currency
            if asking is not None and currency:
                with Transaction().set_context(date=date):
                    asking = Currency.compute(currency, asking, sale.currency)
                floors.append(sale.currency.round(
                        asking * (1 - self.max_discount / Decimal(100))))
        return max(floors) if floors else None
