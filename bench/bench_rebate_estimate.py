#!/usr/bin/env python3
# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of dms_sales_rebate: re-estimating a period's deals after a
tier change.

The issue asks for the re-estimate of 10,000 deals of a period after a tier
change in at most 5 seconds on PostgreSQL.  The database has
dms_sales_rebate (and its dependencies) activated, one company with its
chart of accounts, fiscal year and rebate accounting, a manufacturer, a
make, model and variant, a customer and a quarterly volume tier policy
(0.5 % from 80 % of a target of DEALS cars, 1.5 % from 100 %), all created
through the ORM.  Then, set-based (INSERT … SELECT over generate_series),
DEALS vehicles, DEALS confirmed deals of the current quarter and their
DEALS rebate lines of the policy, estimated at the 0.5 % tier; half of
them are accrued.  Then ANALYZE.

Timed: `dms.rebate.line.reestimate_periods` of the policy's quarter, which
counts the deals, finds that the target is reached, sets the 1.5 % tier's
rate and estimate on every line in one UPDATE and posts the accrued lines'
difference in one adjusting move; the median of RUNS runs after one
warm-up run, each in its own transaction, rolled back so each run makes
the same change.

The benchmark runs in the process of bench/run.py and on PostgreSQL only
(TRYTOND_DATABASE_URI a postgresql:// URI: `make bench` starts a throwaway
cluster through scripts/pg-test-cluster.sh); the database is restored from
or stored as a template database (DB_CACHE "postgresql://") and dropped at
the end, with its template.  SQLite is reported as skipped: the target is
PostgreSQL's.
"""
import datetime as dt
import statistics
import sys
import time
from decimal import Decimal

from bench_parts_kpi import analyze, run_on_postgresql
from bench_vehicle import _driver as driver

DEALS = 10_000
RUNS = 5
TARGET_S = 5

DATABASE = 'bench_rebate_estimate'
MODULE = 'dms_sales_rebate'


def run():
    return run_on_postgresql(DATABASE, MODULE, _bench)


def _bench():
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, activate_module

    setup_start = time.perf_counter()
    activate_module(MODULE)
    # A test pool validates Function fields on every create and write,
    # which a server never does
    Pool.test = False
    context, ids, counts = _transaction(_setup, commit=True)
    analyze()
    setup_seconds = time.perf_counter() - setup_start

    pool = Pool(DB_NAME)
    Line = pool.get('dms.rebate.line')
    Move = pool.get('account.move')

    def reestimate():
        start = time.perf_counter()
        Line.reestimate_periods([ids['period']])
        seconds = time.perf_counter() - start
        lines = Line.search([
                ('policy', '=', ids['policy']),
                ('rate', '=', Decimal('1.5')),
                ], count=True)
        moves = Move.search([
                ('origin', '=', f"dms.rebate.policy,{ids['policy']}"),
                ], count=True)
        return seconds, lines, moves

    timings = []
    for run in range(RUNS + 1):
        # Rolled back: each run makes the same change
        seconds, lines, moves = _transaction(reestimate, context=context)
        assert lines == DEALS, lines
        assert moves == 1, moves
        if run:
            timings.append(seconds)
    median = statistics.median(timings)
    return [{
            'name': f"rebates: re-estimate of {DEALS:,} deals of a quarter "
            "after a tier change (one UPDATE and one adjusting move)",
            'value': round(median, 3), 'unit': 's',
            'target': f'<= {TARGET_S}',
            'met': median <= TARGET_S,
            'statistic': 'median',
            'runs': RUNS,
            'min': round(min(timings), 3),
            'max': round(max(timings), 3),
            'backend': 'postgresql',
            'database': "database created from a template database "
            "(DB_CACHE postgresql://), dropped afterwards",
            'driver': driver(),
            'setup_seconds': round(setup_seconds, 1),
            **counts,
            }]


def _transaction(func, context=None, commit=False):
    """Return func() run in a transaction of its own, started again with
    the table locks it asks for, as the RPC dispatcher does"""
    from trytond.tests.test_tryton import DB_NAME, USER
    from trytond.transaction import Transaction, TransactionError
    extras = {}
    while True:
        with Transaction().start(
                DB_NAME, USER, context=context, **extras) as transaction:
            try:
                result = func()
            except TransactionError as exception:
                transaction.rollback()
                exception.fix(extras)
                continue
            if commit:
                transaction.commit()
            else:
                transaction.rollback()
            return result


def _setup():
    """Create the company, its accounting, the catalog and the policy
    through the ORM, then the vehicles, deals and rebate lines in SQL;
    return the user's context, the ids and the counts"""
    from trytond.modules.account.tests import create_chart, get_fiscalyear
    from trytond.modules.company.tests import create_company, set_company
    from trytond.modules.currency.tests import (
        add_currency_rate, create_currency)
    from trytond.modules.dms_sales_rebate.rebate import period_bounds
    from trytond.pool import Pool

    pool = Pool()
    Account = pool.get('account.account')
    Accounting = pool.get('dms.rebate.accounting')
    FiscalYear = pool.get('account.fiscalyear')
    Journal = pool.get('account.journal')
    Make = pool.get('dms.vehicle.make')
    Party = pool.get('party.party')
    Policy = pool.get('dms.rebate.policy')
    User = pool.get('res.user')
    today = dt.date.today()
    currency = create_currency('EUR')
    add_currency_rate(currency, 1)
    company = create_company("Autohaus Bench GmbH", currency)
    with set_company(company):
        create_chart(company)
        fiscalyear = get_fiscalyear(company, today=today)
        fiscalyear.save()
        FiscalYear.create_period([fiscalyear])
        receivable, = Account.search([
                ('type.receivable', '=', True),
                ('company', '=', company.id),
                ('closed', '!=', True),
                ], limit=1)
        revenue, = Account.search([
                ('type.revenue', '=', True),
                ('company', '=', company.id),
                ('closed', '!=', True),
                ], limit=1)
        expense, = Account.search([
                ('type.expense', '=', True),
                ('company', '=', company.id),
                ('closed', '!=', True),
                ], limit=1)
        journal, = Journal.search([('code', '=', 'REV')])
        Accounting.create([{
                    'company': company.id,
                    'journal': journal.id,
                    'receivable_account': receivable.id,
                    'income_account': revenue.id,
                    'variance_account': expense.id,
                    }])
        manufacturer, customer = Party.create([
                {'name': "Skoda Import"}, {'name': "Customer"}])
        make, = Make.create([{
                    'name': "Skoda", 'supplier': manufacturer.id,
                    'models': [('create', [{
                                    'name': "Octavia",
                                    'variants': [('create', [{
                                                    'name': "Style",
                                                    'fuel_type': 'diesel',
                                                    'list_price': 32000,
                                                    'currency': currency.id,
                                                    }])],
                                    }])],
                    }])
        variant = make.models[0].variants[0]
        start, end = period_bounds(today, 'quarter')
        policy, = Policy.create([{
                    'name': "Skoda Volume Bonus",
                    'manufacturer': manufacturer.id,
                    'start_date': start, 'end_date': end,
                    'calculation': 'tiers', 'base': 'invoice',
                    'target_quantity': DEALS, 'period': 'quarter',
                    'tiers': [('create', [
                                {'threshold': 80, 'rate': Decimal('0.5')},
                                {'threshold': 100, 'rate': Decimal('1.5')},
                                ])],
                    }])
        context = User.get_preferences(context_only=True)
    counts = _insert(
        company, manufacturer, customer, make, variant, policy, start, end)
    ids = {
        'policy': policy.id,
        'period': (policy.id, company.id, (start, end)),
        }
    return context, ids, counts


def _insert(company, manufacturer, customer, make, variant, policy,
        start, end):
    "Insert the vehicles, the confirmed deals and their rebate lines"
    from trytond.transaction import Transaction
    cursor = Transaction().connection.cursor()
    params = {
        'company': company.id, 'currency': company.currency.id,
        'manufacturer': manufacturer.id, 'customer': customer.id,
        'make': make.id, 'model': variant.model.id, 'variant': variant.id,
        'policy': policy.id, 'deals': DEALS,
        'start': start, 'days': (end - start).days + 1,
        }
    cursor.execute('''
        INSERT INTO "dms_vehicle" (
            "vin", "make", "model", "variant", "usage", "state",
            "stock_state", "create_date", "create_uid")
        SELECT 'BENCH' || LPAD(g::TEXT, 12, '0'), %(make)s, %(model)s,
            %(variant)s, 'new', 'sold', 'delivered', CURRENT_TIMESTAMP, 0
        FROM generate_series(1, %(deals)s) AS g''', params)
    cursor.execute('SELECT MIN("id") FROM "dms_vehicle"')
    params['vehicle'], = cursor.fetchone()
    cursor.execute('''
        INSERT INTO "sale_sale" (
            "company", "currency", "party", "reference", "sale_date",
            "state", "invoice_method", "invoice_state", "shipment_method",
            "shipment_state", "create_date", "create_uid")
        SELECT %(company)s, %(currency)s, %(customer)s, 'BENCH' || g,
            %(start)s::DATE + (g %% %(days)s), 'processing', 'order',
            'pending', 'order', 'waiting', CURRENT_TIMESTAMP, 0
        FROM generate_series(1, %(deals)s) AS g''', params)
    cursor.execute('SELECT MIN("id") FROM "sale_sale"')
    params['sale'], = cursor.fetchone()
    # Estimated at the 0.5 %% tier; every other one accrued
    cursor.execute('''
        INSERT INTO "dms_rebate_line" (
            "company", "sale", "vehicle", "policy", "manufacturer", "date",
            "base_amount", "rate", "estimated_amount", "currency", "state",
            "create_date", "create_uid")
        SELECT %(company)s, s.id, %(vehicle)s + s.id - %(sale)s,
            %(policy)s, %(manufacturer)s, s.sale_date, l.base, 0.5,
            ROUND(l.base * 0.5 / 100, 2), %(currency)s,
            CASE WHEN s.id %% 2 = 0 THEN 'accrued' ELSE 'estimated' END,
            CURRENT_TIMESTAMP, 0
        FROM "sale_sale" AS s,
            LATERAL (SELECT (28000 + s.id %% 9000)::NUMERIC AS base) AS l
        WHERE s.reference LIKE 'BENCH%%'
        ''', params)
    counts = {}
    for name, table in [
            ('vehicles', 'dms_vehicle'),
            ('deals', 'sale_sale'),
            ('rebate_lines', 'dms_rebate_line'),
            ]:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[name], = cursor.fetchone()
    return counts


if __name__ == '__main__':
    sys.exit("run the benchmarks with bench/run.py (BENCH=rebate_estimate "
        "make bench)")
