#!/usr/bin/env python3
# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of dms_crm_leads: the reclaim cron over 100,000 open leads.

The issue asks for the reclaim run over 100,000 open leads of which 10 %
are overdue in at most 2 seconds on PostgreSQL, set-based (not a query per
lead).  The database has dms_crm_leads (and its dependencies) activated,
one company, a lead pool with a reclaim rule (first follow-up within a day,
next ones within three days, warned at 80 %) and its manager, SALESPEOPLE
salespeople, each employee with a user, and PARTIES customers, all created
through the ORM.  Then, set-based (one INSERT … SELECT over
generate_series), LEADS owned leads of the pool, a third in the state
'opportunity' (with a customer) and the others 'lead', with their clock:
one in ten overdue (reclaim time in the past), one in twenty past its
warning time but not overdue, the others well within their time.  Then
ANALYZE.

Timed: `sale.opportunity.reclaim` (the cron's method) as the admin user in
the company's context: it warns the owners of the leads past their warning
time, writes the history of the overdue leads and puts them back into the
pool, a few statements whatever the number of leads, then notifies the
owners and the pool's manager; the median of RUNS runs after one warm-up
run, each in its own transaction, rolled back so each run reclaims the same
leads.  Checked in each run, untimed: LEADS / 10 leads reclaimed, as many
'reclaim' rows in the lead history, no overdue lead left owned.

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

from bench_parts_kpi import analyze, run_on_postgresql
from bench_rebate_estimate import _transaction
from bench_vehicle import _driver as driver

LEADS = 100_000
# One lead in OVERDUE_EVERY is overdue, one in WARN_EVERY (not overdue) is
# past its warning time
OVERDUE_EVERY = 10
WARN_EVERY = 20
SALESPEOPLE = 20
PARTIES = 500
RUNS = 5
TARGET_S = 2

DATABASE = 'bench_leads_reclaim'
MODULE = 'dms_crm_leads'


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
    context, counts = _transaction(_setup, commit=True)
    analyze()
    setup_seconds = time.perf_counter() - setup_start

    pool = Pool(DB_NAME)
    Opportunity = pool.get('sale.opportunity')
    History = pool.get('dms.lead.history')
    Notification = pool.get('res.notification')

    def reclaim():
        from trytond.transaction import Transaction
        cursor = Transaction().connection.cursor()
        start = time.perf_counter()
        warned, reclaimed = Opportunity.reclaim()
        seconds = time.perf_counter() - start
        history = History.search([('action', '=', 'reclaim')], count=True)
        cursor.execute('SELECT COUNT(*) FROM "sale_opportunity" '
            'WHERE "reclaim_at" <= %s AND "employee" IS NOT NULL',
            (dt.datetime.now(),))
        left, = cursor.fetchone()
        cursor.execute('SELECT COUNT(*) FROM "sale_opportunity" '
            'WHERE "employee" IS NULL AND "pool" IS NOT NULL '
            'AND "state" = \'lead\'')
        waiting, = cursor.fetchone()
        notifications = Notification.search([], count=True)
        return (seconds, warned, reclaimed, history, left, waiting,
            notifications)

    overdue = LEADS // OVERDUE_EVERY
    timings = []
    for run in range(RUNS + 1):
        # Rolled back: each run reclaims the same leads
        (seconds, warned, reclaimed, history, left, waiting,
            notifications) = _transaction(reclaim, context=context)
        assert reclaimed == overdue, reclaimed
        assert history == overdue, history
        assert waiting == overdue, waiting
        assert left == 0, left
        if run:
            timings.append(seconds)
    median = statistics.median(timings)
    return [{
            'name': f"leads: reclaim cron over {LEADS:,} open leads, "
            f"{overdue:,} overdue (set-based)",
            'value': round(median, 3), 'unit': 's',
            'target': f'<= {TARGET_S}',
            'met': median <= TARGET_S,
            'statistic': 'median',
            'runs': RUNS,
            'min': round(min(timings), 3),
            'max': round(max(timings), 3),
            'reclaimed': reclaimed,
            'history_rows': history,
            # The owners warned (one notice each) and the notifications
            'owners_warned': warned,
            'notifications': notifications,
            'backend': 'postgresql',
            'database': "database created from a template database "
            "(DB_CACHE postgresql://), dropped afterwards",
            'driver': driver(),
            'setup_seconds': round(setup_seconds, 1),
            **counts,
            }]


def _setup():
    """Create the company, the pool with its rule and manager, the
    salespeople with their users and the customers through the ORM, then
    the leads in SQL; return the admin's context and the counts"""
    from trytond.modules.company.tests import create_company, set_company
    from trytond.modules.currency.tests import (
        add_currency_rate, create_currency)
    from trytond.pool import Pool

    pool = Pool()
    Employee = pool.get('company.employee')
    LeadPool = pool.get('dms.lead.pool')
    Party = pool.get('party.party')
    User = pool.get('res.user')
    currency = create_currency('EUR')
    add_currency_rate(currency, 1)
    company = create_company("Autohaus Bench GmbH", currency)
    with set_company(company):
        people = Party.create([{'name': "Manuela Manager"}] + [
                {'name': f"Salesperson {i}"} for i in range(SALESPEOPLE)])
        employees = Employee.create([{
                    'party': p.id, 'company': company.id} for p in people])
        User.create([{
                    'name': e.party.name,
                    'login': f'bench{i}',
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'employees': [('add', [e.id])],
                    'employee': e.id,
                    } for i, e in enumerate(employees)])
        manager, salespeople = employees[0], employees[1:]
        lead_pool, = LeadPool.create([{
                    'name': "Main Leads",
                    'company': company.id,
                    'manager': manager.id,
                    'rules': [('create', [{
                                    'first_limit': dt.timedelta(days=1),
                                    'follow_up_limit': dt.timedelta(days=3),
                                    'warn_ratio': 0.8,
                                    }])],
                    }])
        customers = Party.create([
                {'name': f"Customer {i}"} for i in range(PARTIES)])
        context = User.get_preferences(context_only=True)
    counts = _insert(company, lead_pool, salespeople, customers)
    return context, counts


def _insert(company, lead_pool, salespeople, customers):
    """Insert the owned open leads of the pool with their clock, in one
    statement"""
    from trytond.transaction import Transaction
    cursor = Transaction().connection.cursor()
    # Naive UTC, as the module's clock (dt.datetime.now() of the server,
    # which runs in UTC)
    now = dt.datetime.now()
    cursor.execute('''
        INSERT INTO "sale_opportunity" (
            "number", "company", "currency", "party", "employee", "pool",
            "state", "lead_type", "channel", "start_date",
            "conversion_probability", "description", "received_at",
            "owner_since", "reclaim_at", "warn_at", "create_date",
            "create_uid")
        SELECT 'BENCH' || LPAD(l.g::TEXT, 7, '0'), %(company)s,
            %(currency)s,
            CASE WHEN l.opportunity OR l.g %% 2 = 0
                THEN (%(customers)s::INTEGER[])[1 + l.g %% %(parties)s]
                END,
            -- the overdue and the warned leads spread over everyone
            (%(employees)s::INTEGER[])[
                1 + (l.g + l.g / %(warn_every)s) %% %(salespeople)s],
            %(pool)s,
            CASE WHEN l.opportunity THEN 'opportunity' ELSE 'lead' END,
            (ARRAY['new_vehicle', 'used_vehicle', 'service'])[
                1 + l.g %% 3],
            'website', l.owner_since::DATE, 0.5, 'Enquiry ' || l.g,
            l.owner_since - INTERVAL '10 minutes', l.owner_since,
            l.owner_since + INTERVAL '1 day',
            l.owner_since + INTERVAL '1 day' * 0.8,
            CURRENT_TIMESTAMP, 0
        FROM (
            SELECT g, g %% 3 = 0 AS opportunity,
                CASE
                    -- overdue: claimed 1 to 3 days ago
                    WHEN g %% %(overdue_every)s = 0
                        THEN %(now)s::TIMESTAMP - INTERVAL '1 day'
                            - INTERVAL '1 minute' * (1 + g %% 2880)
                    -- past the warning time (80 %% of the day): claimed
                    -- 20 to 23 hours ago
                    WHEN g %% %(warn_every)s = 1
                        THEN %(now)s::TIMESTAMP - INTERVAL '20 hours'
                            - INTERVAL '1 minute' * (g %% 180)
                    -- within the time: claimed 0 to 15 hours ago
                    ELSE %(now)s::TIMESTAMP
                        - INTERVAL '1 minute' * (g %% 900)
                    END AS owner_since
            FROM generate_series(1, %(leads)s) AS g) AS l''', {
            'company': company.id, 'currency': company.currency.id,
            'customers': [c.id for c in customers], 'parties': len(customers),
            'employees': [e.id for e in salespeople],
            'salespeople': len(salespeople), 'pool': lead_pool.id,
            'overdue_every': OVERDUE_EVERY, 'warn_every': WARN_EVERY,
            'now': now, 'leads': LEADS,
            })
    counts = {}
    for name, query in [
            ('open_leads', 'SELECT COUNT(*) FROM "sale_opportunity" '
                'WHERE "state" IN (\'lead\', \'opportunity\')'),
            ('opportunities', 'SELECT COUNT(*) FROM "sale_opportunity" '
                'WHERE "state" = \'opportunity\''),
            ('overdue', 'SELECT COUNT(*) FROM "sale_opportunity" '
                'WHERE "reclaim_at" <= %(now)s'),
            ('past_warning', 'SELECT COUNT(*) FROM "sale_opportunity" '
                'WHERE "warn_at" <= %(now)s AND "reclaim_at" > %(now)s'),
            ]:
        cursor.execute(query, {'now': now})
        counts[name], = cursor.fetchone()
    counts['salespeople'] = len(salespeople)
    return counts


if __name__ == '__main__':
    sys.exit("run the benchmarks with bench/run.py (BENCH=leads_reclaim "
        "make bench)")
