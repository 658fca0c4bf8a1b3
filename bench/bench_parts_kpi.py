#!/usr/bin/env python3
# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of dms_parts: the parts KPIs over 1,000,000 stock moves.

The issue asks for the parts KPIs over 1,000,000 stock moves in at most a
second on PostgreSQL.  The database has dms_parts (and its dependencies)
activated, one company, WAREHOUSES warehouses (the default one and others
created through the ORM), a workshop (production) location and PARTS parts
of one manufacturer created through the ORM, each with a cost price.  Then
MOVES done stock moves of those parts are inserted set-based (one INSERT …
SELECT over generate_series) over the last 24 months: about a third
receipts from the supplier into a warehouse's storage (4 to 13 units), the
others issues from the storage to the customer or the workshop (1 to 3
units, one in ten shipped two days after planned); the parts of every
tenth part number moved only in the first of the two years, so that they
are aged stock.  Then ANALYZE.

Timed: reading every row of each KPI model through the ORM, as the lists
do it (`search_read` of all the fields of the list, in the user's company
context), the median of RUNS runs after one warm-up run, each in its own
read-only transaction (`search` then `read`, each runs the table query;
the median time of the table query run alone is given with it):

- `dms.part.kpi.month`: demand, lost sales, emergency orders, fill rate and
  first-time fill per warehouse and month;
- `dms.part.kpi.stock`: cost of issues, stock value, stock turn and days'
  supply per warehouse and month;
- `dms.part.kpi.aged`: the parts on hand without issue for 180 days.

The benchmark runs in the process of bench/run.py and on PostgreSQL only
(TRYTOND_DATABASE_URI a postgresql:// URI: `make bench` starts a throwaway
cluster through scripts/pg-test-cluster.sh); the database is restored from
or stored as a template database (DB_CACHE "postgresql://") and dropped at
the end, with its template.  SQLite is reported as skipped: the target is
PostgreSQL's.
"""
import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal

from bench_vehicle import _driver as driver

MOVES = 1_000_000
PARTS = 3_000
WAREHOUSES = 3
MONTHS = 24
RUNS = 5
TARGET_S = 1

DATABASE = 'bench_parts_kpi'
MODULE = 'dms_parts'

# The fields of the KPI lists (view/kpi_*_list.xml)
MODELS = {
    'dms.part.kpi.month': [
        'company', 'warehouse', 'month', 'issued', 'lost', 'emergency',
        'demand', 'fill_rate', 'first_time_fill', 'lost_value'],
    'dms.part.kpi.stock': [
        'company', 'warehouse', 'month', 'issue_cost', 'stock_value',
        'stock_turn', 'days_supply'],
    'dms.part.kpi.aged': [
        'company', 'warehouse', 'product', 'quantity', 'value', 'date',
        'days', 'age'],
    }


def run():
    return run_on_postgresql(DATABASE, MODULE, _bench)


def run_on_postgresql(database, module, bench):
    """Return bench()'s results on a PostgreSQL database of the module,
    dropped at the end, and the note that the figures are PostgreSQL's (or
    why they are skipped)"""
    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    skipped = os.environ.get('BENCH_POSTGRESQL_SKIPPED')
    results = [{
            'name': "SQLite figures",
            'value': None, 'unit': None, 'backend': 'sqlite',
            'skipped': "the target is PostgreSQL's; the KPIs' SQL runs on "
            "SQLite in the tests",
            }]
    if not uri.startswith('postgresql:') or skipped:
        results.append({
                'name': "PostgreSQL figures",
                'value': None, 'unit': None, 'backend': 'postgresql',
                'skipped': skipped or (
                    "no PostgreSQL server: TRYTOND_DATABASE_URI is not a "
                    "postgresql:// URI (`make bench` starts a throwaway "
                    "cluster through scripts/pg-test-cluster.sh)"),
                })
        return results
    os.environ['DB_NAME'] = database
    os.environ['DB_CACHE'] = 'postgresql://'
    from trytond.tests import test_tryton
    # bench/run.py may have imported the test tools for another benchmark
    test_tryton.DB_NAME = database
    test_tryton.DB_CACHE = 'postgresql://'
    try:
        results.extend(bench())
    finally:
        drop_database(database, module)
    return results


def _bench():
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, USER, activate_module
    from trytond.transaction import Transaction

    setup_start = time.perf_counter()
    activate_module(MODULE)
    # A test pool validates Function fields on every create and write,
    # which a server never does
    Pool.test = False
    with Transaction().start(DB_NAME, USER) as transaction:
        context, counts = _setup()
        transaction.commit()
    analyze()
    setup_seconds = time.perf_counter() - setup_start

    pool = Pool(DB_NAME)
    results = []
    for model, fields in MODELS.items():
        Model = pool.get(model)
        timings, queries = [], []
        for run in range(RUNS + 1):
            with Transaction().start(
                    DB_NAME, USER, context=context,
                    readonly=True) as transaction:
                start = time.perf_counter()
                rows = Model.search_read([], fields_names=fields)
                seconds = time.perf_counter() - start
                cursor = transaction.connection.cursor()
                start = time.perf_counter()
                cursor.execute(*Model.table_query())
                cursor.fetchall()
                query_seconds = time.perf_counter() - start
            if run:
                timings.append(seconds)
                queries.append(query_seconds)
        median = statistics.median(timings)
        results.append({
                'name': f"parts KPIs: every row of {model} over "
                f"{counts['moves']:,} stock moves (search_read)",
                'value': round(median, 3), 'unit': 's',
                'target': f'<= {TARGET_S}',
                'met': median <= TARGET_S,
                'statistic': 'median',
                'runs': RUNS,
                'min': round(min(timings), 3),
                'max': round(max(timings), 3),
                'rows': len(rows),
                # search then read: each runs the table query
                'table_query_s': round(statistics.median(queries), 3),
                'backend': 'postgresql',
                'database': "database created from a template database "
                "(DB_CACHE postgresql://), dropped afterwards",
                'driver': driver(),
                'setup_seconds': round(setup_seconds, 1),
                **counts,
                })
    return results


def _setup():
    """Create the company, the warehouses, the workshop, the parts and the
    moves; return the user's context and the counts"""
    from trytond.modules.company.tests import create_company, set_company
    from trytond.modules.currency.tests import (
        add_currency_rate, create_currency)
    from trytond.pool import Pool

    pool = Pool()
    Location = pool.get('stock.location')
    ModelData = pool.get('ir.model.data')
    Party = pool.get('party.party')
    Product = pool.get('product.product')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    User = pool.get('res.user')
    currency = create_currency('EUR')
    add_currency_rate(currency, 1)
    company = create_company("Autohaus Bench GmbH", currency)
    with set_company(company):
        warehouses = [
            Location(ModelData.get_id('stock', 'location_warehouse'))]
        for i in range(2, WAREHOUSES + 1):
            input_, output, storage = Location.create([{
                        'name': f"{name} {i}", 'type': 'storage',
                        } for name in ["Input", "Output", "Storage"]])
            warehouse, = Location.create([{
                        'name': f"Warehouse {i}", 'code': f'WH{i}',
                        'type': 'warehouse',
                        'input_location': input_.id,
                        'output_location': output.id,
                        'storage_location': storage.id,
                        }])
            warehouses.append(warehouse)
        workshop, = Location.create([{
                    'name': "Workshop", 'type': 'production'}])
        manufacturer, = Party.create([{'name': "Volkswagen AG"}])
        unit, = Uom.search([('symbol', '=', 'u')])
        Template.create([{
                    'name': f"Part {i}", 'part_number': f'1K0 {i:06d}',
                    'part': True, 'type': 'goods',
                    'part_manufacturer': manufacturer.id,
                    'default_uom': unit.id,
                    'list_price': Decimal(10 + i % 200),
                    'products': [('create', [{
                                    'cost_price': Decimal(5 + i % 120),
                                    }])],
                    } for i in range(PARTS)])
        products = [p.id for p in Product.search(
                [('template.part', '=', True)], order=[('id', 'ASC')])]
        context = User.get_preferences(context_only=True)
    supplier = ModelData.get_id('stock', 'location_supplier')
    customer = ModelData.get_id('stock', 'location_customer')
    storages = [w.storage_location.id for w in warehouses]
    moves = _insert_moves(company, products, storages, supplier,
        [customer, customer, workshop.id], unit.id)
    return context, {
        'moves': moves,
        'parts': len(products),
        'warehouses': len(warehouses),
        'months': MONTHS,
        }


def _insert_moves(company, products, storages, supplier, issues, unit):
    """Insert MOVES done moves of the products in one statement: a third
    receipts, the others issues, over the last MONTHS months; the parts of
    every tenth index only in the first year"""
    from trytond.transaction import Transaction
    cursor = Transaction().connection.cursor()
    today = dt.date.today()
    days = MONTHS * 30
    cursor.execute(f'''
        INSERT INTO "stock_move" (
            "product", "unit", "quantity", "internal_quantity",
            "from_location", "to_location", "company", "state",
            "effective_date", "planned_date", "currency", "unit_price",
            "cost_price", "unit_price_updated", "create_date", "create_uid")
        SELECT
            m.product, %(unit)s, m.quantity, m.quantity,
            CASE WHEN m.receipt THEN %(supplier)s ELSE m.storage END,
            CASE WHEN m.receipt THEN m.storage
                ELSE (%(issues)s::INTEGER[])[1 + (m.g / 9) %% 3] END,
            %(company)s, 'done', m.date,
            m.date - CASE WHEN m.g %% 10 = 0 THEN 2 ELSE 0 END,
            %(currency)s, m.cost * 2, m.cost, m.receipt,
            CURRENT_TIMESTAMP, 0
        FROM (
            SELECT g, p.product, p.cost,
                (%(storages)s::INTEGER[])[
                    1 + (g / 9000) %% {len(storages)}]
                    AS storage,
                g %% 3 = 0 AS receipt,
                CASE WHEN g %% 3 = 0 THEN 4 + (g / 7) %% 10
                    ELSE 1 + g %% 3 END AS quantity,
                %(today)s::DATE - CASE WHEN p.i %% 10 = 0
                    THEN {days // 2} + (g / 7) %% {days // 2}
                    ELSE (g / 7) %% {days} END AS date
            FROM generate_series(1, %(moves)s) AS g
            JOIN (
                SELECT ROW_NUMBER() OVER (ORDER BY pr.id) - 1 AS i,
                    pr.id AS product, c.cost_price AS cost
                FROM "product_product" AS pr
                JOIN "product_cost_price" AS c ON c.product = pr.id
                WHERE pr.id = ANY(%(products)s)) AS p
                ON p.i = ((g / 3)::BIGINT * 7919) %% %(parts)s) AS m''', {
            'unit': unit, 'supplier': supplier, 'issues': issues,
            'company': company.id, 'currency': company.currency.id,
            'storages': storages, 'today': today, 'moves': MOVES,
            'products': products, 'parts': len(products),
            })
    cursor.execute('SELECT COUNT(*) FROM "stock_move" WHERE "state" = %s',
        ('done',))
    count, = cursor.fetchone()
    return count


def analyze():
    "ANALYZE the benchmark's database after filling it"
    from trytond import backend
    from trytond.tests.test_tryton import DB_NAME
    connection = backend.Database(DB_NAME).connect()
    conn = connection.get_connection(autocommit=True)
    try:
        conn.cursor().execute('ANALYZE')
    finally:
        connection.put_connection(conn)


def drop_database(database, module):
    "Drop the benchmark database and its template of DB_CACHE"
    from trytond import backend
    from trytond.pool import Pool
    from trytond.tests.test_tryton import _db_cache_file, db_exist
    from trytond.transaction import Transaction
    cache = _db_cache_file('postgresql://', module)
    Pool.stop(database)
    for name in [database, cache[len('postgresql://') + 1:]]:
        backend.Database(name).close()
        if db_exist(name):
            with Transaction().start(
                    None, 0, close=True, autocommit=True) as transaction:
                transaction.database.drop(transaction.connection, name)


if __name__ == '__main__':
    sys.exit("run the benchmarks with bench/run.py (BENCH=parts_kpi make "
        "bench)")
