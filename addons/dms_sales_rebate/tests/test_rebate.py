# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import unittest
from decimal import Decimal

from trytond.model.exceptions import ValidationError
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.dms_sales_rebate.rebate import period_bounds
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction


class RebateTestCase(unittest.TestCase):
    "Test the rebate calculations"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('dms_sales_rebate')

    def test_period_bounds(self):
        "Test the month, quarter and year of a date"
        for date, kind, start, end in [
                (dt.date(2026, 2, 14), 'month',
                    dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
                (dt.date(2026, 12, 31), 'month',
                    dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
                (dt.date(2026, 5, 1), 'quarter',
                    dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
                (dt.date(2026, 11, 30), 'quarter',
                    dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
                (dt.date(2024, 2, 29), 'year',
                    dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
                ]:
            with self.subTest(date=date, kind=kind):
                self.assertEqual(period_bounds(date, kind), (start, end))

    def _policy(self, **values):
        pool = Pool()
        Party = pool.get('party.party')
        Policy = pool.get('dms.rebate.policy')
        manufacturer = Party(name="Manufacturer")
        manufacturer.save()
        values.setdefault('name', "Policy")
        values.setdefault('start_date', dt.date(2026, 1, 1))
        return Policy(manufacturer=manufacturer, **values)

    @with_transaction()
    def test_tier_rate(self):
        "Test the rate of the highest tier reached"
        pool = Pool()
        Tier = pool.get('dms.rebate.policy.tier')
        company = create_company()
        with set_company(company):
            policy = self._policy(
                calculation='tiers', base='invoice', target_quantity=5,
                period='quarter', tiers=[
                    Tier(threshold=Decimal(100), rate=Decimal('1.5')),
                    Tier(threshold=Decimal(80), rate=Decimal('0.5')),
                    ])
            policy.save()
            for units, rate in [(0, 0), (3, 0), (4, '0.5'), (5, '1.5'),
                    (7, '1.5')]:
                with self.subTest(units=units):
                    self.assertEqual(
                        policy.tier_rate(policy.achievement(units)),
                        Decimal(rate))

    @with_transaction()
    def test_estimate(self):
        "Test the estimate of each calculation"
        pool = Pool()
        Tier = pool.get('dms.rebate.policy.tier')
        company = create_company()
        deal = {
            'date': dt.date(2026, 5, 4),
            'currency': company.currency,
            'price': Decimal('30000'),
            'list_price': Decimal('32000'),
            'quantity': Decimal(1),
            }
        with set_company(company):
            tiers = [Tier(threshold=Decimal(80), rate=Decimal('0.5'))]
            formula = "price * 0.01 if achievement >= 50 else 100 * quantity"
            cases = [(
                    dict(calculation='amount', base='invoice',
                        amount=Decimal(500), currency=company.currency),
                    0, (Decimal('30000'), None, Decimal('500.00'))), (
                    dict(calculation='percentage', base='list',
                        percentage=Decimal('1.25')),
                    0, (Decimal('32000'), Decimal('1.25'), Decimal('400.00'))
                    ), (
                    dict(calculation='tiers', base='invoice',
                        target_quantity=5, period='quarter', tiers=tiers),
                    4, (Decimal('30000'), Decimal('0.5'), Decimal('150.00'))
                    ), (
                    dict(calculation='formula', base='invoice',
                        target_quantity=10, period='month', formula=formula),
                    4, (Decimal('30000'), None, Decimal('100.00'))),
                ]
            for values, units, result in cases:
                with self.subTest(calculation=values['calculation']):
                    policy = self._policy(**values)
                    self.assertEqual(policy.estimate(deal, units), result)

    @with_transaction()
    def test_formula_refused(self):
        "Test a formula that does not parse or uses unknown names"
        company = create_company()
        with set_company(company):
            for formula, text in [
                    ("price *", "is not valid"),
                    ("price * discount", 'unknown name "discount"'),
                    ("__import__('os')", "is not valid"),
                    ("'text'", "does not give a number"),
                    ]:
                with self.subTest(formula=formula):
                    policy = self._policy(
                        name="Bonus", calculation='formula', formula=formula)
                    with self.assertRaisesRegex(
                            ValidationError, 'policy "Bonus"') as cm:
                        policy.save()
                    self.assertIn(text, cm.exception.message)

    @with_transaction()
    def test_policy_ending_before_start(self):
        "Test a policy ending before it starts"
        company = create_company()
        with set_company(company):
            policy = self._policy(
                name="Spring", calculation='percentage', base='invoice',
                percentage=Decimal(1), start_date=dt.date(2026, 4, 1),
                end_date=dt.date(2026, 3, 31))
            with self.assertRaisesRegex(ValidationError,
                    'policy "Spring" cannot end on .* before it starts'):
                policy.save()

    @with_transaction()
    def test_tiers_overlap(self):
        "Test two tiers with the same threshold"
        pool = Pool()
        Tier = pool.get('dms.rebate.policy.tier')
        company = create_company()
        with set_company(company):
            policy = self._policy(
                name="Volume", calculation='tiers', base='invoice',
                target_quantity=5, period='quarter', tiers=[
                    Tier(threshold=Decimal(80), rate=Decimal('0.5')),
                    Tier(threshold=Decimal(80), rate=Decimal('1')),
                    ])
            with self.assertRaisesRegex(
                    ValidationError, 'policy "Volume".*80.00'):
                policy.save()
