#!/usr/bin/env python3
# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmarks of dms_vehicle: VIN rate, vehicle intake, the vehicle list.

1. VIN validation and decoding: VINs per second through `vin.check` and
   `vin.decode` over a fixed mix of European, North American (with correct
   check digits) and Chinese VINs, without a database.
2. Vehicle intake: 10,000 `dms.vehicle` created through the ORM, each with a
   variant (so each gets its stock lot), and received into the warehouse by
   the Receive action (one supplier shipment per batch, received and done),
   against 10,000 `party.party` created the same way, as the platform's own
   yardstick.  Batches of 500 records per `create` call, each batch in its
   own transaction committed at its end (as an import through RPC does
   it).  Vehicles and parties run in separate child processes so that the
   peak memory (ru_maxrss, from os.wait4) is the one of that process alone.
3. Vehicle list: the "My Rooftop" tab of Dealer Management > Vehicles (the
   one it opens on) filtered on one make, as sao asks for it, among 100,000
   vehicles: `search` (offset 0, limit 80, the action's order: longest in
   stock first), `search_count` (sao counts when the page is
   full) and `read` of the list view's fields with the `rec_name` of their
   many2ones, each through the JSON-RPC dispatcher (trytond.wsgi.app through
   werkzeug's test client, with a session cookie from /session/login), so
   the figure includes the session check, the transaction and JSON; the
   target applies to the sum of the three.  Then the counters of the tabs
   that show one (My Rooftop, Group Stock, Over 90 Days, Incoming, Sold),
   which sao asks
   in parallel once the page is shown, are timed each.  The
   setup is not measured: catalog and company through the ORM, then the
   vehicles in the states and stock states of POSITIONS, their lots, plate
   history and the done moves of the vehicles on hand (received, some sent
   on to the transit location) bulk loaded with SQL (COPY on PostgreSQL),
   then ANALYZE.

Each database-backed measurement runs in a child process
(`bench_vehicle.py child TASK OUTPUT`) on SQLite (a temporary file database)
and, when TRYTOND_DATABASE_URI is a postgresql:// URI (`make bench` starts a
throwaway cluster through scripts/pg-test-cluster.sh), on PostgreSQL.  The
databases have only dms_vehicle (and its dependencies) activated, through
trytond.tests.test_tryton.activate_module with DB_CACHE: on SQLite the
folder in BENCH_SQLITE_DB_CACHE (`make bench` gives the test suite's cache,
keyed on the code) or a temporary one, on PostgreSQL template databases
("postgresql://") dropped at the end.
"""
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent

VIN_COUNT = 30_000
VIN_PASSES = 3
INTAKE_COUNT = 10_000
INTAKE_BATCH = 500
LIST_VEHICLES = 100_000
LIST_LIMIT = 80
LIST_WARMUP = 5
LIST_RUNS = 30
# sao's screen counts up to limit * 100 records when a page is full
LIST_COUNT_LIMIT = LIST_LIMIT * 100
TODAY = dt.date(2026, 1, 1)

TARGET_INTAKE_RATIO = 1.0
TARGET_MEMORY_MB = 500
TARGET_LIST_MS = 100

# World manufacturer identifiers and descriptor (positions 1-8); position 9
# is the check digit where it is mandatory (North America, China)
EUROPEAN = [
    'WVWZZZ1K', 'WBA3A5C5', 'VF1RFB00', 'ZFA31200', 'WDD20500',
    'YV1LS55A', 'SALWA2FK', 'TMBJJ7NE', 'VSSZZZ5F', 'WAUZZZ8V',
    ]
NORTH_AMERICAN = [
    '1FAHP3F2', '2T1BURHE', '3VWFE21C', '4T1BF1FK', '5YJ3E1EA',
    '1G1ZT538', '1HGCM826', '2HGFC2F5', '3FA6P0H7', '5NPE24AF',
    ]
CHINESE = [
    'LFV2A21K', 'LSVAU033', 'LVSHCAMB', 'LSGJA52U', 'LRW3E7FA',
    'LGBH52E0', 'LBV8V310', 'LHGRT383', 'LVGBE40K', 'LJ12EKS1',
    ]
# Position 10: model year codes; position 11: plant
YEAR_CODES = 'ABCDEFGHJKLMNPRSTVWXY123456789'
PLANTS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789'
COLOURS = [
    "Black", "White", "Silver", "Grey", "Blue", "Red", "Green", "Brown"]

# The list as sao reads it: the fields of view/vehicle_list.xml, the
# rec_name of their many2ones, the labels of their selections, and what
# sao always adds
LIST_FIELDS = [
    'vin', 'make', 'model', 'variant', 'model_year', 'fuel_type',
    'exterior_colour', 'plate', 'usage', 'owner', 'asking_price', 'currency',
    'rooftop', 'holding_company', 'days_in_stock', 'stock_state', 'state',
    'make.rec_name', 'model.rec_name', 'variant.rec_name', 'owner.rec_name',
    'currency.rec_name', 'holding_company.rec_name', 'fuel_type:string',
    'usage:string', 'stock_state:string', 'state:string', 'rec_name',
    '_timestamp', '_write', '_delete',
    ]
# The order of the vehicle action (act_vehicle_form)
LIST_ORDER = [['receipt_date', 'ASC NULLS LAST'], ['id', 'DESC']]
# The "Group Stock" tab of Dealer Management > Vehicles (act_vehicle_form):
# in stock and for sale; "My Rooftop" adds the user's company.  The tabs'
# domains are those of vehicle.xml (checked against the database, untimed)
IN_STOCK_DOMAIN = [
    ('stock_state', '=', 'in_stock'), ('state', 'in', ['available', 'held'])]
# The tabs of that list that show a counter (ir.action.act_window.domain
# with count), which sao counts after loading the page
TAB_DOMAINS = [
    ("My Rooftop", None),
    ("Group Stock", IN_STOCK_DOMAIN),
    ("Over 90 Days", [('days_in_stock', '>', 90)]),
    ("Incoming", [('stock_state', 'in', ['none', 'in_transit']),
            ('state', 'in', ['available', 'held', 'sold'])]),
    ("Sold", [('state', '=', 'sold'), ('stock_state', '!=', 'delivered')]),
    ]
# The vehicles of the list: (share, state, stock state); those on hand
# were received over the last 300 days, those in transit sent on to the
# transit location since
POSITIONS = [
    (0.30, 'available', 'in_stock'),
    (1 / 30, 'held', 'in_stock'),
    (0.07, 'sold', 'in_stock'),
    (0.05, 'available', 'in_transit'),
    (0.50, 'available', 'none'),
    (0.02, 'held', 'none'),
    (0.03, 'sold', 'none'),
    ]
ON_HAND = {'in_stock', 'in_transit'}


def make_vins(count, prefixes, start=0):
    "Return count deterministic valid VINs from the prefixes"
    from trytond.modules.dms_vehicle import vin as vin_tools
    vins = []
    for i in range(start, start + count):
        prefix = prefixes[i % len(prefixes)]
        vin = (prefix + '0' + YEAR_CODES[(i // 7) % len(YEAR_CODES)]
            + PLANTS[(i // 3) % len(PLANTS)] + f'{i % 1_000_000:06d}')
        if vin_tools.check_digit_required(vin):
            vin = vin_tools.with_check_digit(vin)
        vins.append(vin)
    return vins


def mixed_vins(count):
    "European, North American and Chinese VINs in turn"
    third = -(-count // 3)
    groups = [make_vins(third, p) for p in [
            EUROPEAN, NORTH_AMERICAN, CHINESE]]
    return [v for trio in zip(*groups) for v in trio][:count]


def bench_vin():
    from trytond.modules.dms_vehicle import vin as vin_tools
    vins = mixed_vins(VIN_COUNT)
    # Not timed: the set is what it claims to be
    assert len(set(vins)) == len(vins)
    invalid = [v for v in vins if vin_tools.check(v)]
    assert not invalid, invalid[:3]
    decoded = [vin_tools.decode(v, today=TODAY) for v in vins[:300]]
    assert all(d['manufacturer'] for d in decoded)
    rates = []
    for _ in range(VIN_PASSES):
        start = time.perf_counter()
        for vin in vins:
            vin_tools.check(vin)
            vin_tools.decode(vin, today=TODAY)
        rates.append(len(vins) / (time.perf_counter() - start))
    return [{
            'name': "VIN check + decode rate",
            'value': round(statistics.median(rates)),
            'unit': 'VIN/s',
            'backend': None,
            'vins': len(vins),
            'mix': "1/3 European, 1/3 North American (check digit), "
            "1/3 Chinese (check digit)",
            'passes': VIN_PASSES,
            'rates': [round(r) for r in rates],
            }]


# --- parent: child processes per backend -------------------------------

def _backends():
    """Return [(backend, environment or None, note)]: SQLite always,
    PostgreSQL when TRYTOND_DATABASE_URI points to a server"""
    backends = []
    tmp = tempfile.mkdtemp(prefix='dms-bench-')
    sqlite_cache = os.environ.get('BENCH_SQLITE_DB_CACHE')
    sqlite_env = {
        'TRYTOND_DATABASE_URI': 'sqlite://',
        'TRYTOND_DATABASE__PATH': tmp,
        'DB_CACHE': sqlite_cache or os.path.join(tmp, 'db-cache'),
        }
    backends.append(('sqlite', sqlite_env, (
                "temporary file database; DB_CACHE "
                + ("BENCH_SQLITE_DB_CACHE (the test suite's)" if sqlite_cache
                    else "temporary"))))
    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    skipped = os.environ.get('BENCH_POSTGRESQL_SKIPPED')
    if uri.startswith('postgresql:') and not skipped:
        backends.append(('postgresql', {
                    'TRYTOND_DATABASE_URI': uri,
                    'DB_CACHE': 'postgresql://',
                    }, "database created from a template database "
                "(DB_CACHE postgresql://), dropped afterwards"))
    else:
        backends.append(('postgresql', None, skipped or (
                    "no PostgreSQL server: TRYTOND_DATABASE_URI is not a "
                    "postgresql:// URI (`make bench` starts a throwaway "
                    "cluster through scripts/pg-test-cluster.sh)")))
    return tmp, backends


def _child(task, env, db_name, script=__file__):
    """Run a task in a child process of the benchmark script (`script
    child TASK OUTPUT`); return its results with the process's ru_maxrss
    (as maxrss_mb, unless the child measured its own)"""
    with tempfile.NamedTemporaryFile(suffix='.json') as output:
        environ = dict(os.environ, **env, DB_NAME=db_name)
        environ.pop('BENCH_SQLITE_DB_CACHE', None)
        proc = subprocess.Popen(
            [sys.executable, str(Path(script).resolve()), 'child', task,
                output.name],
            env=environ, stdout=sys.stderr)
        _, status, rusage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            raise RuntimeError(
                f"child {task} on {env['TRYTOND_DATABASE_URI']} "
                f"exited with {proc.returncode}")
        result = json.loads(Path(output.name).read_text())
    # Linux reports ru_maxrss in kilobytes
    result.setdefault('maxrss_mb', round(rusage.ru_maxrss / 1024, 1))
    return result


def run():
    return bench_vin() + run_backends('bench_vehicle', _bench_backend,
        lambda env: _child('drop', env, 'bench_vehicle_drop'))


def run_backends(name, bench_backend, drop):
    """Return the results of bench_backend(backend, env, note) on each
    backend, a PostgreSQL that cannot run marked as skipped; drop(env)
    cleans up after PostgreSQL"""
    results = []
    tmp, backends = _backends()
    try:
        for backend, env, note in backends:
            if env is None:
                results.append({
                        'name': "PostgreSQL figures",
                        'value': None,
                        'unit': None,
                        'backend': backend,
                        'skipped': note,
                        })
                continue
            print(f"{name}: {backend}", file=sys.stderr)
            try:
                results.extend(bench_backend(backend, env, note))
            finally:
                if backend == 'postgresql':
                    drop(env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def _bench_backend(backend, env, note):
    results = []
    vehicle = _child('intake_vehicle', env, 'bench_vehicle_intake')
    party = _child('intake_party', env, 'bench_vehicle_party')
    common = {
        'backend': backend,
        'database': note,
        'driver': vehicle['driver'],
        'records': INTAKE_COUNT,
        'batch': INTAKE_BATCH,
        'commit': "one transaction per batch, committed at its end",
        }
    vehicle_rate = vehicle['count'] / vehicle['seconds']
    party_rate = party['count'] / party['seconds']
    ratio = vehicle_rate / party_rate
    results.append({
            'name': "vehicle intake rate",
            'value': round(vehicle_rate, 1), 'unit': 'vehicles/s',
            'seconds': round(vehicle['seconds'], 2),
            'first_and_last_batches_s': vehicle['batch_seconds'],
            'lots': vehicle['lots'],
            **common})
    results.append({
            'name': "party creation rate (platform)",
            'value': round(party_rate, 1), 'unit': 'parties/s',
            'seconds': round(party['seconds'], 2),
            'first_and_last_batches_s': party['batch_seconds'],
            **common})
    results.append({
            'name': "vehicle intake rate / party creation rate",
            'value': round(ratio, 3), 'unit': 'ratio',
            'target': f'>= {TARGET_INTAKE_RATIO}',
            'met': ratio >= TARGET_INTAKE_RATIO,
            **common})
    results.append({
            'name': "peak memory of the vehicle intake process",
            'value': vehicle['maxrss_mb'], 'unit': 'MB',
            'target': f'<= {TARGET_MEMORY_MB}',
            'met': vehicle['maxrss_mb'] <= TARGET_MEMORY_MB,
            'measured': "ru_maxrss of the child process (os.wait4); "
            "includes loading the pool and restoring the database",
            **common})
    results.append({
            'name': "peak memory of the party creation process (platform)",
            'value': party['maxrss_mb'], 'unit': 'MB',
            **common})

    listing = _child('list', env, 'bench_vehicle_list')
    common = {
        'backend': backend,
        'database': note,
        'driver': listing['driver'],
        'vehicles': listing['vehicles'],
        'in_stock_of_make': listing['in_stock_of_make'],
        'runs': LIST_RUNS,
        'warmup': LIST_WARMUP,
        'path': "JSON-RPC through trytond.wsgi.app (werkzeug test client, "
        "session cookie)",
        'setup_seconds': listing['setup_seconds'],
        }
    parts = listing['timings']
    tabs = parts.pop('tabs')
    total = [
        s + c + r for s, c, r in zip(
            parts['search'], parts['search_count'], parts['read'])]
    median = statistics.median(total)
    results.append({
            'name': "vehicle list: first page, the rooftop's stock of one "
            "make (search + search_count + read, as sao)",
            'value': round(median, 2), 'unit': 'ms',
            'target': f'<= {TARGET_LIST_MS}',
            'met': median <= TARGET_LIST_MS,
            'statistic': 'median',
            'min': round(min(total), 2),
            'max': round(max(total), 2),
            'domain': listing['domain'],
            'fields': LIST_FIELDS,
            **common})
    for part in ['search', 'search_count', 'read']:
        results.append({
                'name': f"vehicle list: {part}",
                'value': round(statistics.median(parts[part]), 2),
                'unit': 'ms',
                'statistic': 'median',
                'min': round(min(parts[part]), 2),
                'max': round(max(parts[part]), 2),
                **common})
    for name, values in tabs.items():
        results.append({
                'name': f"vehicle list: counter of the tab {name!r} "
                "within the make",
                'value': round(statistics.median(values), 2),
                'unit': 'ms',
                'statistic': 'median',
                'min': round(min(values), 2),
                'max': round(max(values), 2),
                **common})
    tab_total = [sum(v) for v in zip(*tabs.values())]
    results.append({
            'name': "vehicle list: all tab counters (sao sends them in "
            "parallel after the page)",
            'value': round(statistics.median(tab_total), 2), 'unit': 'ms',
            'statistic': 'median',
            **common})
    results.append({
            'name': "peak memory of the vehicle list process",
            'value': listing['maxrss_mb'], 'unit': 'MB',
            **common})
    return results


# --- children ------------------------------------------------------------

def _write(output, result):
    Path(output).write_text(json.dumps(
            dict(result, driver=_driver()), default=str))


def _driver():
    "The database driver and, for psycopg, its implementation"
    from trytond import backend
    if backend.name == 'postgresql':
        # 'python' is several times slower than 'c' or 'binary'
        import psycopg
        return (f"psycopg {psycopg.__version__} "
            f"({psycopg.pq.__impl__} implementation)")
    import sqlite3
    return f"sqlite3 {sqlite3.sqlite_version}"


def _activate():
    """Restore or activate the database DB_NAME with dms_vehicle, then leave
    the test mode that importing trytond.tests.test_tryton switched on: a
    test pool validates Function fields on every create and write (a lot's
    quantity, a vehicle's stock position), which a server never does"""
    from trytond.pool import Pool
    from trytond.tests.test_tryton import activate_module
    activate_module('dms_vehicle')
    Pool.test = False


def _setup_company_catalog(makes):
    """Create the currency, the company and the catalog; return the context
    of the admin user (as sao gets it) and the variants by make"""
    from trytond.modules.company.tests import create_company, set_company
    from trytond.modules.currency.tests import (
        add_currency_rate, create_currency)
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    pool = Pool()
    Make = pool.get('dms.vehicle.make')
    User = pool.get('res.user')
    currency = create_currency('EUR')
    add_currency_rate(currency, 1)
    company = create_company("Autohaus Bench GmbH", currency)
    with set_company(company):
        records = Make.create([{
                    'name': name,
                    'models': [('create', [{
                                    'name': f"{name} Model {m}",
                                    'variants': [('create', [{
                                                    'name': f"Trim {v}",
                                                    'fuel_type': fuel,
                                                    'list_price': Decimal(
                                                        30000 + 5000 * v),
                                                    } for v, fuel in
                                                enumerate(
                                                    ['petrol', 'electric'])
                                                ])],
                                    } for m in range(3)])],
                    } for name in makes])
        context = User.get_preferences(context_only=True)
    Transaction().commit()
    variants = {
        make.id: [v for model in make.models for v in model.variants]
        for make in records}
    return company, context, variants


INTAKE_MAKES = {
    'Volkswagen': EUROPEAN[:1],
    'Ford': NORTH_AMERICAN[:1],
    'SAIC Volkswagen': CHINESE[1:2],
    }


def _setup_receipt(company):
    "Give the warehouse to the company; return the receive wizard's values"
    import datetime as dt

    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Location = pool.get('stock.location')
    Party = pool.get('party.party')
    warehouse, = Location.search([('code', '=', 'WH')])
    warehouse.company = company
    warehouse.save()
    importer, = Party.create([{'name': "Importer"}])
    Transaction().commit()
    return {
        'company': company.id,
        'warehouse': warehouse.id,
        'date': dt.date.today(),
        'supplier': importer.id,
        'cost_price': Decimal('25000'),
        }


def _receive(vehicles, values):
    "Receive the vehicles as the Receive action does: one supplier shipment"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Receive = Pool().get('dms.vehicle.receive', type='wizard')
    ids = [v.id for v in vehicles]
    with Transaction().set_context(
            active_model='dms.vehicle', active_ids=ids, active_id=ids[0]):
        session_id, _, _ = Receive.create()
        Receive.execute(session_id, {'start': values}, 'receive')
        Receive.delete(session_id)


def child_intake(kind, output):
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, USER
    from trytond.transaction import Transaction
    _activate()
    pool = Pool(DB_NAME)
    with Transaction().start(DB_NAME, USER):
        company, context, variants = _setup_company_catalog(
            list(INTAKE_MAKES))
        variant_ids = {
            m: [v.id for v in vs] for m, vs in variants.items()}
        if kind == 'vehicle':
            receipt = _setup_receipt(company)

    if kind == 'vehicle':
        values = []
        for make, (name, prefixes) in zip(
                variant_ids, INTAKE_MAKES.items()):
            vins = make_vins(INTAKE_COUNT // len(INTAKE_MAKES) + 1, prefixes)
            values.append([{
                        'vin': vin,
                        'variant': variant_ids[make][
                            i % len(variant_ids[make])],
                        'exterior_colour': COLOURS[i % len(COLOURS)],
                        'usage': 'new',
                        } for i, vin in enumerate(vins)])
        values = [v for trio in zip(*values) for v in trio][:INTAKE_COUNT]
        model = 'dms.vehicle'
    else:
        values = [{'name': f"Customer {i:05d}"} for i in range(INTAKE_COUNT)]
        model = 'party.party'

    Model = pool.get(model)
    batch_seconds = []
    start = time.perf_counter()
    for i in range(0, len(values), INTAKE_BATCH):
        batch_start = time.perf_counter()
        with Transaction().start(DB_NAME, USER, context=context):
            records = Model.create(values[i:i + INTAKE_BATCH])
            if kind == 'vehicle':
                _receive(records, receipt)
        batch_seconds.append(time.perf_counter() - batch_start)
    seconds = time.perf_counter() - start

    # Not timed: each vehicle got its lot
    with Transaction().start(DB_NAME, USER, context=context):
        count = Model.search_count([])
        lots = None
        if kind == 'vehicle':
            lots = pool.get('stock.lot').search_count([
                    ('number', 'in', [v['vin'] for v in values[:1000]]),
                    ])
            assert Model.search_count([('lot', '=', None)]) == 0
            assert lots == 1000
    _write(output, {
            'count': len(values),
            'in_database': count,
            'seconds': seconds,
            'batch_seconds': [round(s, 3) for s in (
                        batch_seconds[:2] + batch_seconds[-2:])],
            'lots': "every vehicle has its lot" if lots else None,
            })


# The makes of the list and the WMIs of their VINs
LIST_MAKES = {
    'Volkswagen': ['WVWZZZ1K', 'WVGZZZ5N'],
    'Ford': ['1FAHP3F2', '3FA6P0H7'],
    'BYD': ['LGXCE4CB'],
    }


def _bulk_insert(cursor, table, columns, rows):
    from trytond import backend
    names = ', '.join(f'"{c}"' for c in columns)
    if backend.name == 'postgresql':
        with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
    else:
        params = ', '.join('?' * len(columns))
        cursor.executemany(
            f'INSERT INTO "{table}" ({names}) VALUES ({params})', rows)


def _next_id(cursor, table):
    cursor.execute(f'SELECT MAX(id) FROM "{table}"')
    return (cursor.fetchone()[0] or 0) + 1


def _load_vehicles(company, variants):
    """Bulk load LIST_VEHICLES vehicles as the ORM and their shipments would
    have made them, in the states of POSITIONS: a lot per vehicle (number
    = VIN, the variant's product), the plate history of those with a plate,
    the holds of those held, and for those on hand a done move from the
    supplier location to the warehouse's storage, received over the last
    300 days, then for those in transit a done move from there to the
    transit location, with the stock position and state they give them"""
    from trytond import backend
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    pool = Pool()
    ModelData = pool.get('ir.model.data')
    Location = pool.get('stock.location')
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    supplier = ModelData.get_id('stock', 'location_supplier')
    transit = ModelData.get_id('stock', 'location_transit')
    warehouse = Location(ModelData.get_id('stock', 'location_warehouse'))
    storage = warehouse.storage_location.id
    unit = ModelData.get_id('product', 'uom_unit')
    now = dt.datetime.now()
    today = dt.date.today()
    rng = random.Random(42)

    vehicle_id = _next_id(cursor, 'dms_vehicle')
    lot_id = _next_id(cursor, 'stock_lot')
    move_id = _next_id(cursor, 'stock_move')
    plate_id = _next_id(cursor, 'dms_vehicle_plate')
    vehicles, lots, moves, plates = [], [], [], []
    makes = list(variants)
    per_make = -(-LIST_VEHICLES // len(makes))
    vins = {
        make: make_vins(per_make, prefixes, start=100_000)
        for make, prefixes in zip(makes, LIST_MAKES.values())}
    for i in range(LIST_VEHICLES):
        make = makes[i % len(makes)]
        vin = vins[make][i // len(makes)]
        variant = variants[make][rng.randrange(len(variants[make]))]
        draw = rng.random()
        for share, state, stock_state in POSITIONS:
            if draw < share:
                break
            draw -= share
        usage = 'new'
        plate = None
        position = (None, None, None)
        hold = (None, None, None)
        on_hand = stock_state in ON_HAND
        if on_hand:
            date = today - dt.timedelta(days=rng.randrange(300))
            position = (storage, company.id, date)
            if stock_state == 'in_transit':
                sent = date + dt.timedelta(
                    days=rng.randrange((today - date).days + 1))
                position = (transit, company.id, date)
            usage = rng.choices(['new', 'used', 'demo'], [85, 10, 5])[0]
            if usage != 'new':
                plate = f"K-{'ABCDEFGHKLMN'[i % 12]}{'PRSTUVWXYZ'[i % 10]} "\
                    f"{i % 9000 + 100}"
        if state == 'held':
            hold = (company.party.id, "Test drive on Saturday",
                today + dt.timedelta(days=rng.randrange(1, 15)))
        vehicles.append((
                vehicle_id + i, vin, make, variant['model'], variant['id'],
                2020 + i % 6,
                COLOURS[i % len(COLOURS)], plate, usage, state, stock_state,
                on_hand, *position, *hold, lot_id + i,
                Decimal(variant['price']), company.currency.id, now, 0))
        lots.append((lot_id + i, vin, variant['product'], True, now, 0))
        if plate:
            plates.append((
                    plate_id + len(plates), vehicle_id + i, plate,
                    today - dt.timedelta(days=rng.randrange(300, 2000)),
                    now, 0))
        if on_hand:
            price = Decimal(variant['price'] * 85 / 100).quantize(
                Decimal('0.0001'))
            moves.append((
                    move_id + len(moves), variant['product'], unit, 1.0, 1.0,
                    supplier, storage, company.id, 'done', date, date,
                    lot_id + i, company.currency.id, price, price, True,
                    f'dms.vehicle,{vehicle_id + i}', now, 0))
            if stock_state == 'in_transit':
                moves.append((
                        move_id + len(moves), variant['product'], unit, 1.0,
                        1.0, storage, transit, company.id, 'done', sent,
                        sent, lot_id + i, None, None, price, False,
                        f'dms.vehicle,{vehicle_id + i}', now, 0))

    _bulk_insert(cursor, 'stock_lot', [
            'id', 'number', 'product', 'active', 'create_date', 'create_uid'],
        lots)
    _bulk_insert(cursor, 'dms_vehicle', [
            'id', 'vin', 'make', 'model', 'variant', 'model_year',
            'exterior_colour',
            'plate', 'usage', 'state', 'stock_state', 'on_hand', 'location',
            'holding_company', 'receipt_date', 'hold_party', 'hold_reason',
            'hold_until', 'lot', 'asking_price',
            'currency', 'create_date', 'create_uid'],
        vehicles)
    _bulk_insert(cursor, 'dms_vehicle_plate', [
            'id', 'vehicle', 'plate', 'date', 'create_date', 'create_uid'],
        plates)
    _bulk_insert(cursor, 'stock_move', [
            'id', 'product', 'unit', 'quantity', 'internal_quantity',
            'from_location', 'to_location', 'company', 'state',
            'effective_date', 'planned_date', 'lot', 'currency',
            'unit_price', 'cost_price', 'unit_price_updated', 'origin',
            'create_date', 'create_uid'],
        moves)
    if backend.name == 'postgresql':
        for table in [
                'stock_lot', 'dms_vehicle', 'dms_vehicle_plate',
                'stock_move']:
            cursor.execute(
                f"SELECT setval('\"{table}_id_seq\"', "
                f'(SELECT MAX(id) FROM "{table}"))')
    transaction.commit()
    return len(vehicles), len(moves)


def _check_tab_domains(company):
    """Refuse tab domains other than those of the vehicle action's tabs
    with a counter, as the database has them from vehicle.xml"""
    from trytond.pool import Pool
    from trytond.pyson import PYSONDecoder
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    ActionDomain = pool.get('ir.action.act_window.domain')
    action = ModelData.get_id('dms_vehicle', 'act_vehicle_form')
    tabs = {d.name: PYSONDecoder({'company': company.id}).decode(d.domain)
        for d in ActionDomain.search([
                ('act_window', '=', action),
                ('count', '=', True),
                ])}
    expected = dict(TAB_DOMAINS)
    expected["My Rooftop"] = IN_STOCK_DOMAIN + [
        ('holding_company', '=', company.id)]
    # as JSON gives them: lists
    expected = json.loads(json.dumps(expected))
    assert tabs == expected, (tabs, expected)


def time_list(database, login, password, make):
    """Log in as sao does and time LIST_RUNS loads of the My Rooftop list of
    the make after LIST_WARMUP; return the timings in ms of each call, the
    last page (ids, rows, count) and the number of vehicles in the list"""
    from werkzeug.test import Client

    from trytond.protocols.wrappers import Response
    from trytond.wsgi import app

    client = Client(app, Response)
    base_url = 'https://localhost'
    response = client.post(
        f'/{database}/session/login', base_url=base_url,
        json={'method': 'common.db.login',
            'params': [login, {'password': password}, 'en']})
    assert response.status_code == 200, response.get_data(as_text=True)
    calls = iter(range(1, 1_000_000))

    def call(method, *params):
        response = client.post(
            f'/{database}/rpc/', base_url=base_url,
            json={'id': next(calls), 'method': method, 'params': params})
        assert response.status_code == 200, response.get_data(as_text=True)
        data = response.get_json()
        assert 'error' not in data or not data['error'], data
        return data['result']

    context = call('model.res.user.get_preferences', True, {})
    rooftop = IN_STOCK_DOMAIN + [('holding_company', '=', context['company'])]
    domain = [('make', '=', make)] + rooftop
    in_stock_of_make = call(
        'model.dms.vehicle.search_count', domain, 0, None, context)
    timings = {'search': [], 'search_count': [], 'read': []}
    tabs = {name: [] for name, _ in TAB_DOMAINS}
    for run in range(LIST_WARMUP + LIST_RUNS):
        t0 = time.perf_counter()
        ids = call(
            'model.dms.vehicle.search', domain, 0, LIST_LIMIT, LIST_ORDER,
            context)
        t1 = time.perf_counter()
        count = call(
            'model.dms.vehicle.search_count', domain, 0, LIST_COUNT_LIMIT,
            context)
        t2 = time.perf_counter()
        rows = call('model.dms.vehicle.read', ids, LIST_FIELDS, context)
        t3 = time.perf_counter()
        # sao then counts the records of each tab that shows a counter
        # (count_tab_domain), within the make the user filtered on
        tab_times = {}
        for name, tab_domain in TAB_DOMAINS:
            tab_domain = tab_domain or rooftop
            t4 = time.perf_counter()
            call('model.dms.vehicle.search_count',
                ['AND', tab_domain, [('make', '=', make)]], 0, 1000,
                context)
            tab_times[name] = (time.perf_counter() - t4) * 1000
        if run >= LIST_WARMUP:
            timings['search'].append((t1 - t0) * 1000)
            timings['search_count'].append((t2 - t1) * 1000)
            timings['read'].append((t3 - t2) * 1000)
            for name, value in tab_times.items():
                tabs[name].append(value)
    timings['tabs'] = tabs
    return timings, ids, rows, count, in_stock_of_make


def child_list(output):
    from trytond import backend
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, USER
    from trytond.transaction import Transaction

    setup_start = time.perf_counter()
    _activate()
    pool = Pool(DB_NAME)
    password = 'bench-admin-2026'
    with Transaction().start(DB_NAME, USER):
        User = pool.get('res.user')
        company, _, variants = _setup_company_catalog(list(LIST_MAKES))
        admin, = User.search([('login', '=', 'admin')])
        User.write([admin], {'password': password})
        make_ids = list(variants)
        variants = {
            m: [{
                    'id': v.id, 'model': v.model.id,
                    'product': v.product.id,
                    'price': int(v.list_price)} for v in vs]
            for m, vs in variants.items()}
        company = pool.get('company.company')(company.id)
        _check_tab_domains(company)
        vehicles, moves = _load_vehicles(company, variants)
    connection = backend.Database(DB_NAME).connect()
    conn = connection.get_connection(autocommit=True)
    try:
        cursor = conn.cursor()
        cursor.execute('ANALYZE')
    finally:
        connection.put_connection(conn)
    setup_seconds = time.perf_counter() - setup_start

    make = make_ids[0]
    timings, ids, rows, count, in_stock_of_make = time_list(
        DB_NAME, 'admin', password, make)
    # Not timed: the page is what the user expects
    assert len(ids) == LIST_LIMIT
    assert count == min(in_stock_of_make, LIST_COUNT_LIMIT)
    # read answers in its own order; sao shows the rows in the search's
    days = {r['id']: r['days_in_stock'] for r in rows}
    receipts = [days[i] for i in ids]
    assert receipts == sorted(receipts, reverse=True)
    domain = [('make', '=', make)] + IN_STOCK_DOMAIN + [
        ('holding_company', '=', company.id)]
    assert all(r['make.'] and r['make.']['id'] == make for r in rows)
    assert all(r['holding_company'] == company.id for r in rows)
    assert all(r['days_in_stock'] is not None for r in rows)
    _write(output, {
            'vehicles': vehicles,
            'moves': moves,
            'in_stock_of_make': in_stock_of_make,
            'domain': domain,
            'setup_seconds': round(setup_seconds, 1),
            'timings': timings,
            })


def child_drop(output):
    "Drop the benchmark databases and the template of DB_CACHE"
    drop_databases(output, [
            'bench_vehicle_intake', 'bench_vehicle_party',
            'bench_vehicle_list'], 'dms_vehicle')


def drop_databases(output, names, module):
    """Drop the databases of the names and the DB_CACHE template of the
    module, in a benchmark's child; write the names dropped to output"""
    from trytond import backend
    from trytond.tests.test_tryton import _db_cache_file, db_exist
    from trytond.transaction import Transaction
    names = list(names)
    cache = _db_cache_file(os.environ['DB_CACHE'], module)
    names.append(cache[len(os.environ['DB_CACHE']) + 1:])
    dropped = []
    for name in names:
        backend.Database(name).close()
        if db_exist(name):
            with Transaction().start(
                    None, 0, close=True, autocommit=True) as transaction:
                transaction.database.drop(transaction.connection, name)
            dropped.append(name)
    _write(output, {'dropped': dropped})


def child(task, output):
    if task in {'intake_vehicle', 'intake_party'}:
        child_intake(task.split('_')[1], output)
    elif task == 'list':
        child_list(output)
    elif task == 'drop':
        child_drop(output)
    else:
        raise ValueError(task)


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == 'child':
        child(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"usage: {sys.argv[0]} child TASK OUTPUT "
            "(run the benchmarks with bench/run.py)")
