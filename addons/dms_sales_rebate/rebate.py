# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from simpleeval import NameNotDefined, simple_eval
from sql.aggregate import Count, Sum
from sql.functions import CurrentTimestamp, Round

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.modules.currency.fields import Monetary
from trytond.modules.dms_base.model import (
    FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin)
from trytond.modules.dms_base.tools import search_any
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import decistmt
from trytond.transaction import Transaction, without_check_access

from .exceptions import RebateError, RebateValidationError

_in = fields.SQL_OPERATORS['in']

USAGES = [
    ('new', "New"),
    ('used', "Used"),
    ('demo', "Demonstrator"),
    ]
CUSTOMER_TYPES = [
    ('private', "Private"),
    ('business', "Business"),
    ('fleet', "Fleet"),
    ]
FORMULA_NAMES = ['price', 'list_price', 'quantity', 'achievement', 'units']
# Values a formula is tried with when it is saved
FORMULA_SAMPLE = {
    'price': Decimal('30000'),
    'list_price': Decimal('32000'),
    'quantity': Decimal(1),
    'achievement': Decimal(100),
    'units': Decimal(10),
    }


def period_bounds(date, kind):
    "Return the first and last day of the month, quarter or year of date"
    if kind == 'year':
        return dt.date(date.year, 1, 1), dt.date(date.year, 12, 31)
    if kind == 'quarter':
        first_month = 3 * ((date.month - 1) // 3) + 1
    else:
        first_month = date.month
    start = dt.date(date.year, first_month, 1)
    last_month = first_month + (2 if kind == 'quarter' else 0)
    if last_month == 12:
        end = dt.date(date.year, 12, 31)
    else:
        end = dt.date(date.year, last_month + 1, 1) - dt.timedelta(days=1)
    return start, end


def round_amount(amount):
    return amount.quantize(Decimal('0.01'))


class Policy(
        FieldSizeMixin, RelationRulesMixin, DeactivableMixin,
        ModelSQL, ModelView):
    __name__ = 'dms.rebate.policy'
    __string__ = "Rebate Policy"

    name = fields.Char("Name", size=100, required=True)
    manufacturer = fields.Many2One(
        'party.party', "Manufacturer", required=True, ondelete='RESTRICT',
        help="Who pays the rebate and whom the claims go to.")
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date(
        "End Date", help="Leave empty for a policy without end.")
    companies = fields.Many2Many(
        'dms.rebate.policy-company.company', 'policy', 'company',
        "Companies", help="Leave empty for every company of the group.")
    makes = fields.Many2Many(
        'dms.rebate.policy-dms.vehicle.make', 'policy', 'make', "Makes",
        help="Leave empty for every make.")
    models = fields.Many2Many(
        'dms.rebate.policy-dms.vehicle.model', 'policy', 'model', "Models",
        help="Leave empty for every model.")
    variants = fields.Many2Many(
        'dms.rebate.policy-dms.vehicle.variant', 'policy', 'variant',
        "Variants", help="Leave empty for every variant.")
    usages = fields.MultiSelection(
        USAGES, "Usages", help="Leave empty for every usage.")
    customer_types = fields.MultiSelection(
        CUSTOMER_TYPES, "Customer Types",
        help="Leave empty for every type of customer.")
    calculation = fields.Selection([
            ('amount', "Amount per Unit"),
            ('percentage', "Percentage"),
            ('tiers', "Volume Tiers"),
            ('formula', "Formula"),
            ], "Calculation", required=True)
    base = fields.Selection([
            ('list', "List Price"),
            ('invoice', "Invoice Price"),
            ], "Base",
        states={
            'invisible': ~Eval('calculation').in_(['percentage', 'tiers']),
            'required': Eval('calculation').in_(['percentage', 'tiers']),
            },
        help="The price a percentage is taken of: the variant's list "
        "price or the vehicle's price on the deal.")
    amount = Monetary(
        "Amount", currency='currency', digits='currency',
        states={
            'invisible': Eval('calculation') != 'amount',
            'required': Eval('calculation') == 'amount',
            },
        help="The rebate for each vehicle sold.")
    currency = fields.Many2One(
        'currency.currency', "Currency",
        states={
            'invisible': Eval('calculation') != 'amount',
            'required': Eval('calculation') == 'amount',
            })
    percentage = fields.Numeric(
        "Percentage", digits=(16, 4),
        domain=['OR',
            ('percentage', '=', None),
            ('percentage', '>=', 0),
            ],
        states={
            'invisible': Eval('calculation') != 'percentage',
            'required': Eval('calculation') == 'percentage',
            })
    target_quantity = fields.Integer(
        "Target", domain=['OR',
            ('target_quantity', '=', None),
            ('target_quantity', '>', 0),
            ],
        states={
            'invisible': ~Eval('calculation').in_(['tiers', 'formula']),
            'required': Eval('calculation') == 'tiers',
            },
        help="The vehicles each company is to sell in a period.")
    period = fields.Selection([
            (None, ""),
            ('month', "Month"),
            ('quarter', "Quarter"),
            ('year', "Year"),
            ], "Period",
        states={
            'invisible': ~Eval('calculation').in_(['tiers', 'formula']),
            'required': Eval('calculation') == 'tiers',
            })
    tiers = fields.One2Many(
        'dms.rebate.policy.tier', 'policy', "Tiers",
        states={
            'invisible': Eval('calculation') != 'tiers',
            })
    formula = fields.Char(
        "Formula",
        states={
            'invisible': Eval('calculation') != 'formula',
            'required': Eval('calculation') == 'formula',
            },
        help="A Python expression of price, list_price, quantity, "
        "achievement (% of the target) and units (vehicles sold in the "
        "period), for example: price * Decimal('0.01') + 100")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('start_date', 'DESC'))

    @classmethod
    def default_calculation(cls):
        return 'percentage'

    @classmethod
    def default_base(cls):
        return 'invoice'

    @classmethod
    def default_period(cls):
        return 'quarter'

    @classmethod
    def default_currency(cls):
        pool = Pool()
        Company = pool.get('company.company')
        company_id = Transaction().context.get('company')
        if company_id is not None and company_id >= 0:
            return Company(company_id).currency.id

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, ['name', 'manufacturer.rec_name'])

    @classmethod
    def validate_fields(cls, policies, field_names):
        super().validate_fields(policies, field_names)
        cls.check_dates(policies, field_names)
        cls.check_formula(policies, field_names)

    @classmethod
    def check_dates(cls, policies, field_names=None):
        pool = Pool()
        Lang = pool.get('ir.lang')
        if field_names and not (field_names & {'start_date', 'end_date'}):
            return
        lang = Lang.get()
        for policy in policies:
            if policy.end_date and policy.end_date < policy.start_date:
                raise RebateValidationError(gettext(
                        'dms_sales_rebate.msg_policy_dates',
                        policy=policy.rec_name,
                        start=lang.strftime(policy.start_date),
                        end=lang.strftime(policy.end_date)))

    @classmethod
    def check_formula(cls, policies, field_names=None):
        if field_names and not (field_names & {'formula', 'calculation'}):
            return
        for policy in policies:
            if policy.calculation != 'formula' or not policy.formula:
                continue
            try:
                result = policy.evaluate_formula(**FORMULA_SAMPLE)
            except NameNotDefined as exception:
                raise RebateValidationError(gettext(
                        'dms_sales_rebate.msg_policy_formula_name',
                        policy=policy.rec_name,
                        formula=policy.formula,
                        name=exception.name,
                        names=', '.join(FORMULA_NAMES)))
            except Exception as exception:
                raise RebateValidationError(gettext(
                        'dms_sales_rebate.msg_policy_formula_invalid',
                        policy=policy.rec_name,
                        formula=policy.formula,
                        error=str(exception) or type(exception).__name__))
            if not isinstance(result, (Decimal, int)):
                raise RebateValidationError(gettext(
                        'dms_sales_rebate.msg_policy_formula_invalid',
                        policy=policy.rec_name,
                        formula=policy.formula,
                        error=gettext(
                            'dms_sales_rebate.msg_policy_formula_number')))

    def evaluate_formula(self, **names):
        # Safe evaluation as commission.plan.line.get_amount does
        return simple_eval(
            decistmt(self.formula),
            names={k: names[k] for k in FORMULA_NAMES},
            functions={'Decimal': Decimal})

    def match(self, deal):
        "Tell if the policy applies to the deal (see deal_values)"
        if not (self.start_date <= deal['date']
                and (not self.end_date or deal['date'] <= self.end_date)):
            return False
        for name, key in [
                ('companies', 'company'),
                ('makes', 'make'),
                ('models', 'model'),
                ('variants', 'variant'),
                ]:
            ids = {r.id for r in getattr(self, name)}
            if ids and deal[key] not in ids:
                return False
        if self.usages and deal['usage'] not in self.usages:
            return False
        if (self.customer_types
                and deal['customer_type'] not in self.customer_types):
            return False
        return True

    @classmethod
    def deal_values(cls, sale, sale_line):
        "Return what policies look at of the vehicle line of a deal"
        pool = Pool()
        Currency = pool.get('currency.currency')
        Date = pool.get('ir.date')
        company = sale.company
        with Transaction().set_context(company=company.id):
            date = sale.sale_date or Date.today()
        vehicle = sale_line.vehicle
        variant = vehicle.variant
        price = Decimal(sale_line.amount or 0)
        with Transaction().set_context(date=date):
            if sale.currency != company.currency:
                price = Currency.compute(
                    sale.currency, price, company.currency)
            if variant and variant.list_price is not None:
                list_price = Currency.compute(
                    variant.currency, variant.list_price, company.currency)
            elif vehicle.asking_price is not None:
                list_price = Currency.compute(
                    vehicle.currency, vehicle.asking_price, company.currency)
            else:
                list_price = price
        return {
            'company': company.id,
            'currency': company.currency,
            'sale': sale.id,
            'sale_line': sale_line,
            'vehicle': vehicle.id,
            'make': vehicle.make.id if vehicle.make else None,
            'model': vehicle.model.id if vehicle.model else None,
            'variant': variant.id if variant else None,
            'usage': vehicle.usage,
            'customer_type': sale.party.dms_customer_type,
            'date': date,
            'price': price,
            'list_price': list_price,
            'quantity': Decimal(str(sale_line.quantity or 0)),
            }

    @classmethod
    def deals_of(cls, sales):
        for sale in sales:
            for line in sale.lines:
                if getattr(line, 'vehicle', None):
                    yield sale, line

    @classmethod
    def applicable(cls, deal):
        "Return the active policies that apply to the deal"
        policies = cls.search([
                ('start_date', '<=', deal['date']),
                ['OR',
                    ('end_date', '=', None),
                    ('end_date', '>=', deal['date']),
                    ],
                ])
        return [p for p in policies if p.match(deal)]

    def tier_rate(self, achievement):
        "Return the rate of the highest tier reached by achievement (in %)"
        rate = Decimal(0)
        for tier in sorted(self.tiers, key=lambda t: t.threshold):
            if tier.threshold <= achievement:
                rate = tier.rate
        return rate

    def achievement(self, units):
        if not self.target_quantity:
            return Decimal(0)
        return Decimal(units) * 100 / self.target_quantity

    def estimate(self, deal, units):
        """Return the base, the rate (%) and the estimated amount of the
        rebate for the deal when units vehicles are sold in its period"""
        pool = Pool()
        Currency = pool.get('currency.currency')
        base = (deal['list_price'] if self.base == 'list'
            else deal['price'])
        rate = None
        if self.calculation == 'amount':
            with Transaction().set_context(date=deal['date']):
                amount = Currency.compute(
                    self.currency, self.amount * deal['quantity'],
                    deal['currency'], round=False)
        elif self.calculation == 'percentage':
            rate = self.percentage
            amount = base * rate / 100
        elif self.calculation == 'tiers':
            rate = self.tier_rate(self.achievement(units))
            amount = base * rate / 100
        else:
            base = deal['price']
            amount = Decimal(self.evaluate_formula(
                    price=deal['price'],
                    list_price=deal['list_price'],
                    quantity=deal['quantity'],
                    achievement=self.achievement(units),
                    units=Decimal(units)))
        return base, rate, round_amount(amount)

    def count_units(self, company, date, exclude_sales=None):
        "Return the vehicles sold under the policy in the period of date"
        pool = Pool()
        Line = pool.get('dms.rebate.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        if not self.period:
            return 0
        start, end = period_bounds(date, self.period)
        where = ((line.policy == self.id)
            & (line.company == int(company))
            & (line.date >= start) & (line.date <= end)
            & (line.state != 'cancelled'))
        if exclude_sales:
            where &= ~_in(line.sale, list(exclude_sales))
        cursor.execute(*line.select(Count(line.id), where=where))
        count, = cursor.fetchone()
        return count or 0

    @classmethod
    def compute_rebates(cls, sales):
        """Return the estimated rebates of each deal by sale id, in the
        company's currency, as if it were confirmed now (nothing saved)"""
        result = {s.id: Decimal(0) for s in sales}
        # Deals of one period count together for the tiers
        added = defaultdict(int)
        for sale, sale_line in cls.deals_of(sales):
            deal = cls.deal_values(sale, sale_line)
            for policy in cls.applicable(deal):
                units = 0
                if policy.period:
                    key = (policy.id, deal['company'],
                        period_bounds(deal['date'], policy.period))
                    added[key] += 1
                    units = policy.count_units(
                        deal['company'], deal['date'],
                        exclude_sales=[s.id for s in sales]) + added[key]
                _, _, amount = policy.estimate(deal, units)
                result[sale.id] += amount
        return result


class PolicyCompany(ModelSQL):
    __name__ = 'dms.rebate.policy-company.company'
    __string__ = "Rebate Policy - Company"

    policy = fields.Many2One(
        'dms.rebate.policy', "Policy", required=True, ondelete='CASCADE')
    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('policy')


class PolicyMake(ModelSQL):
    __name__ = 'dms.rebate.policy-dms.vehicle.make'
    __string__ = "Rebate Policy - Make"

    policy = fields.Many2One(
        'dms.rebate.policy', "Policy", required=True, ondelete='CASCADE')
    make = fields.Many2One(
        'dms.vehicle.make', "Make", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('policy')


class PolicyModel(ModelSQL):
    __name__ = 'dms.rebate.policy-dms.vehicle.model'
    __string__ = "Rebate Policy - Model"

    policy = fields.Many2One(
        'dms.rebate.policy', "Policy", required=True, ondelete='CASCADE')
    model = fields.Many2One(
        'dms.vehicle.model', "Model", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('policy')


class PolicyVariant(ModelSQL):
    __name__ = 'dms.rebate.policy-dms.vehicle.variant'
    __string__ = "Rebate Policy - Variant"

    policy = fields.Many2One(
        'dms.rebate.policy', "Policy", required=True, ondelete='CASCADE')
    variant = fields.Many2One(
        'dms.vehicle.variant', "Variant", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('policy')


class PolicyTier(ModelSQL, ModelView):
    __name__ = 'dms.rebate.policy.tier'
    __string__ = "Rebate Policy Tier"

    policy = fields.Many2One(
        'dms.rebate.policy', "Policy", required=True, ondelete='CASCADE')
    threshold = fields.Numeric(
        "Threshold (%)", digits=(16, 2), required=True,
        domain=[('threshold', '>=', 0)],
        help="The share of the target from which the tier applies.")
    rate = fields.Numeric(
        "Rate (%)", digits=(16, 4), required=True,
        domain=[('rate', '>=', 0)],
        help="The rebate in percent of the base for every vehicle of the "
        "period once the tier is reached.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('policy')
        cls._order.insert(0, ('threshold', 'ASC'))

    @classmethod
    def validate_fields(cls, tiers, field_names):
        super().validate_fields(tiers, field_names)
        cls.check_overlap(tiers, field_names)

    @classmethod
    def check_overlap(cls, tiers, field_names=None):
        pool = Pool()
        Lang = pool.get('ir.lang')
        if field_names and not (field_names & {'threshold', 'policy'}):
            return
        lang = Lang.get()
        for policy in {t.policy for t in tiers}:
            seen = set()
            for tier in policy.tiers:
                if tier.threshold in seen:
                    raise RebateValidationError(gettext(
                            'dms_sales_rebate.msg_policy_tier_overlap',
                            policy=policy.rec_name,
                            threshold=lang.format(
                                '%.2f', tier.threshold)))
                seen.add(tier.threshold)

    def get_rec_name(self, name):
        return f'{self.policy.rec_name} {self.threshold}%'


class Line(
        ReadonlyFieldsMixin, RelationRulesMixin, Workflow, ModelSQL,
        ModelView):
    __name__ = 'dms.rebate.line'
    __string__ = "Rebate Line"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True,
        ondelete='RESTRICT')
    sale = fields.Many2One(
        'sale.sale', "Deal", required=True, readonly=True,
        ondelete='RESTRICT')
    vehicle = fields.Many2One(
        'dms.vehicle', "Vehicle", required=True, readonly=True,
        ondelete='RESTRICT')
    policy = fields.Many2One(
        'dms.rebate.policy', "Policy", required=True, readonly=True,
        ondelete='RESTRICT')
    manufacturer = fields.Many2One(
        'party.party', "Manufacturer", required=True, readonly=True,
        ondelete='RESTRICT',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    date = fields.Date("Date", required=True, readonly=True,
        help="The date of the deal.")
    base_amount = Monetary(
        "Base", currency='currency', digits='currency', readonly=True)
    rate = fields.Numeric("Rate (%)", digits=(16, 4), readonly=True)
    estimated_amount = Monetary(
        "Estimated", currency='currency', digits='currency',
        required=True, readonly=True)
    actual_amount = Monetary(
        "Actual", currency='currency', digits='currency', readonly=True,
        help="The share of the manufacturer's payment; empty until paid.")
    amount = fields.Function(Monetary(
            "Amount", currency='currency', digits='currency',
            help="The actual amount once paid, else the estimate."),
        'get_amount')
    currency = fields.Many2One(
        'currency.currency', "Currency", required=True, readonly=True)
    accrual_move = fields.Many2One(
        'account.move', "Accrual Move", readonly=True, ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    claim = fields.Many2One(
        'dms.rebate.claim', "Claim", readonly=True, ondelete='SET NULL',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('manufacturer', '=', Eval('manufacturer', -1)),
            ])
    state = fields.Selection([
            ('estimated', "Estimated"),
            ('accrued', "Accrued"),
            ('claimed', "Claimed"),
            ('paid', "Paid"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.sale, Index.Range())),
                Index(t,
                    (t.policy, Index.Range()),
                    (t.company, Index.Range()),
                    (t.date, Index.Range())),
                Index(t,
                    (t.manufacturer, Index.Range()),
                    (t.company, Index.Range()),
                    (t.date, Index.Range()),
                    where=t.state == 'accrued'),
                Index(t, (t.claim, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('estimated', 'accrued'),
            ('accrued', 'claimed'),
            ('claimed', 'accrued'),
            ('claimed', 'paid'),
            ('estimated', 'cancelled'),
            ('accrued', 'cancelled'),
            }

    @classmethod
    def default_state(cls):
        return 'estimated'

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    def get_amount(self, name):
        if self.actual_amount is not None:
            return self.actual_amount
        return self.estimated_amount

    def get_rec_name(self, name):
        return f'{self.policy.rec_name} @ {self.sale.rec_name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
                'policy.rec_name', 'sale.rec_name', 'vehicle.rec_name'])

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode == 'delete':
            for line in lines:
                if line.state not in {'estimated', 'cancelled'}:
                    raise RebateError(gettext(
                            'dms_sales_rebate.msg_line_delete',
                            line=line.rec_name))

    @classmethod
    @Workflow.transition('accrued')
    def accrue(cls, lines):
        pass

    @classmethod
    @Workflow.transition('claimed')
    def mark_claimed(cls, lines):
        pass

    @classmethod
    @Workflow.transition('accrued')
    def unclaim(cls, lines):
        cls.write(lines, {'claim': None})

    @classmethod
    @Workflow.transition('paid')
    def pay(cls, lines):
        pass

    @classmethod
    @Workflow.transition('cancelled')
    def cancel(cls, lines):
        pass

    @classmethod
    def create_for_sales(cls, sales):
        """Create the estimated rebate lines of the confirmed deals and
        re-estimate the tier periods they count in"""
        pool = Pool()
        Policy = pool.get('dms.rebate.policy')
        # Rebate lines are the policies' to write, not the salesperson's
        with without_check_access():
            existing = {l.sale.id for l in cls.search([
                        ('sale', 'in', [s.id for s in sales]),
                        ('state', '!=', 'cancelled'),
                        ])}
            to_create, periods = [], set()
            added = defaultdict(int)
            for sale, sale_line in Policy.deals_of(sales):
                if sale.id in existing:
                    continue
                deal = Policy.deal_values(sale, sale_line)
                for policy in Policy.applicable(deal):
                    units = 0
                    if policy.period:
                        bounds = period_bounds(deal['date'], policy.period)
                        key = (policy.id, deal['company'], bounds)
                        added[key] += 1
                        units = policy.count_units(
                            deal['company'], deal['date']) + added[key]
                        if policy.calculation == 'tiers':
                            periods.add(key)
                    base, rate, amount = policy.estimate(deal, units)
                    to_create.append({
                            'company': deal['company'],
                            'sale': sale.id,
                            'vehicle': deal['vehicle'],
                            'policy': policy.id,
                            'manufacturer': policy.manufacturer.id,
                            'date': deal['date'],
                            'base_amount': round_amount(base),
                            'rate': rate,
                            'estimated_amount': amount,
                            'currency': deal['currency'].id,
                            })
            lines = cls.create(to_create)
            cls.reestimate_periods(periods)
        return lines

    @classmethod
    def cancel_for_sales(cls, sales):
        """Cancel the rebates of the deals not claimed yet, reverse their
        accruals and re-estimate the tier periods they counted in"""
        pool = Pool()
        Accounting = pool.get('dms.rebate.accounting')
        with without_check_access():
            lines = cls.search([
                    ('sale', 'in', [s.id for s in sales]),
                    ('state', 'in', ['estimated', 'accrued']),
                    ])
            periods = {
                (l.policy.id, l.company.id,
                    period_bounds(l.date, l.policy.period))
                for l in lines if l.policy.calculation == 'tiers'}
            Accounting.reverse([l for l in lines if l.state == 'accrued'])
            cls.cancel(lines)
            cls.reestimate_periods(periods)

    @classmethod
    def reestimate_periods(cls, periods):
        "Re-estimate the lines of each (policy id, company id, bounds)"
        pool = Pool()
        Policy = pool.get('dms.rebate.policy')
        for policy_id, company_id, (start, end) in sorted(periods):
            cls.reestimate(Policy(policy_id), company_id, start, end)

    @classmethod
    def reestimate(cls, policy, company, start, end):
        """Set the rate of the tier the period reached on all its lines not
        claimed yet, and adjust the accrual of those already accrued"""
        pool = Pool()
        Accounting = pool.get('dms.rebate.accounting')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        line = cls.__table__()
        company = int(company)
        in_period = ((line.policy == policy.id)
            & (line.company == company)
            & (line.date >= start) & (line.date <= end))

        cursor.execute(*line.select(
                Count(line.id),
                where=in_period & (line.state != 'cancelled')))
        units, = cursor.fetchone()
        rate = policy.tier_rate(policy.achievement(units or 0))

        accrued = in_period & (line.state == 'accrued')
        cursor.execute(*line.select(
                line.manufacturer, Sum(line.estimated_amount),
                where=accrued, group_by=[line.manufacturer]))
        before = dict(cursor)

        cursor.execute(*line.update(
                [line.rate, line.estimated_amount,
                    line.write_uid, line.write_date],
                [rate, Round(line.base_amount * rate / 100, 2),
                    transaction.user, CurrentTimestamp()],
                where=in_period & line.state.in_(['estimated', 'accrued'])
                & ((line.rate != rate) | (line.rate == None))))  # noqa: E711
        cls._clear_cache()

        if before:
            cursor.execute(*line.select(
                    line.manufacturer, Sum(line.estimated_amount),
                    where=accrued, group_by=[line.manufacturer]))
            differences = {}
            for manufacturer, amount in cursor:
                difference = (Decimal(str(amount or 0))
                    - Decimal(str(before.get(manufacturer) or 0)))
                if difference:
                    differences[manufacturer] = round_amount(difference)
            if differences:
                Accounting.adjust(policy, company, differences)

    @classmethod
    def _clear_cache(cls):
        transaction = Transaction()
        transaction.counter += 1
        for cache in transaction.cache.values():
            cache.pop(cls.__name__, None)
