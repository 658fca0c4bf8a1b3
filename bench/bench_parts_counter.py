#!/usr/bin/env python3
# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of dms_parts: the counter sale cycle against the platform's.

A counter sale cycle is what the parts counter does for a customer who
takes the parts with him: a sale of LINES lines made as the client makes
it (the sale's defaults, on_change_party, then each line's product and
quantity with their on_changes, which price a part with the customer's
discount), quoted (dms_parts' backorder check), confirmed, processed (the
queued task confirming leaves, run as the server runs it after the
commit), its customer shipment assigned, picked, packed and done, and its
invoice posted.  Each click is a transaction of its own, committed, and
the queued tasks it leaves run after it, as the RPC dispatcher does; the
counter reads the bin of the sale's lines and of the shipment's moves as
their lists show it.  Sales invoice and ship on order (the platform's
defaults), without taxes.

The same cycle runs with plain goods (not parts: only the platform's sale
runs, dms_parts' code returns early) and with parts imported from a
manufacturer's price file (`dms.part.import.profile.import_file`), in
discount groups with a trade discount, with a bin in the warehouse, for a
trade customer with a rule of his own on one group.  Both kinds have
ample stock from one confirmed inventory, so that the backorder check
never warns.  After WARMUP cycles of each kind (untimed), ROUNDS rounds of
one batch of BATCH cycles of each kind, in turn first, are timed; the
rates are cycles over the summed batch times, the target applies to their
ratio (parts / plain) measured in the same process, which cancels most of
the machine's speed and load.  The ratio of the median cycle times comes
with it, as it is less swayed by a burst of load on a shared machine.

Setting up the company (chart of accounts, fiscal year with its invoice
sequences, the warehouse given to the company), the parts, the products
and the stock is not timed.  The cycles run in one child process
(`bench_parts_counter.py child TASK OUTPUT`) per backend, as in
bench_vehicle.py: SQLite (a temporary file database) and, when
TRYTOND_DATABASE_URI is a postgresql:// URI (`make bench` starts a
throwaway cluster through scripts/pg-test-cluster.sh), PostgreSQL.  The
database has only dms_parts (and its dependencies) activated, through
trytond.tests.test_tryton.activate_module with DB_CACHE: on SQLite the
folder in BENCH_SQLITE_DB_CACHE (`make bench` gives the test suite's cache,
keyed on the code) or a temporary one, on PostgreSQL template databases
("postgresql://") dropped at the end.
"""
import statistics
import sys
import time
from decimal import Decimal

from bench_vehicle import _child, _write, drop_databases, run_backends

PRODUCTS = 30
LINES = 3
WARMUP = 5
# one cycle of each kind per round, the kind that goes first swapped every
# round: the finest interleaving spreads the load of other processes evenly
BATCH = 1
ROUNDS = 50
STOCK = 100_000

TARGET_RATIO = 0.8

DATABASE = 'bench_parts_counter'
MANUFACTURER = "Volkswagen AG"
# discount group: trade discount
DISCOUNT_GROUPS = {
    'BR': Decimal('0.20'), 'FI': Decimal('0.15'), 'WI': Decimal('0.10')}
# the customer's own discount on one group
CUSTOMER_RULE = ('FI', Decimal('0.25'))
NAMES = ["Brake pad set", "Oil filter", "Wiper blade", "Brake disc",
    "Pollen filter", "Spark plug"]
KINDS = ['plain', 'parts']


# --- parent --------------------------------------------------------------

def run():
    return run_backends('bench_parts_counter', _bench_backend,
        lambda env: _child('drop', env, 'bench_parts_counter_drop', __file__))


def _bench_backend(backend, env, note):
    result = _child('cycle', env, DATABASE, __file__)
    cycles = BATCH * ROUNDS
    common = {
        'backend': backend,
        'database': note,
        'driver': result['driver'],
        'cycles': cycles,
        'lines': LINES,
        'warmup': WARMUP,
        'batch': BATCH,
        'rounds': ROUNDS,
        'cycle': "create (on_changes) → quote → confirm → process → "
        "shipment assign/pick/pack/do → invoice posted; one committed "
        "transaction per click, queued tasks run after it",
        }
    rates, medians = {}, {}
    results = []
    for kind, label in [
            ('plain', "plain sale cycle rate (platform, goods)"),
            ('parts', "counter sale cycle rate (parts)")]:
        batches = result['batches'][kind]
        rates[kind] = cycles / sum(batches)
        per_cycle = [b / BATCH * 1000 for b in batches]
        medians[kind] = statistics.median(per_cycle)
        results.append({
                'name': label,
                'value': round(rates[kind], 2), 'unit': 'cycles/s',
                'seconds': round(sum(batches), 2),
                'median_cycle_ms': round(medians[kind], 1),
                'min_cycle_ms': round(min(per_cycle), 1),
                'max_cycle_ms': round(max(per_cycle), 1),
                **common})
    ratio = rates['parts'] / rates['plain']
    results.append({
            'name': "counter sale cycle rate / plain sale cycle rate",
            'value': round(ratio, 3), 'unit': 'ratio',
            'target': f'>= {TARGET_RATIO}',
            'met': ratio >= TARGET_RATIO,
            'ratio_of_median_cycles': round(
                medians['plain'] / medians['parts'], 3),
            **common})
    return results


# --- children ------------------------------------------------------------

def _activate():
    """Restore or activate the database DB_NAME with dms_parts, then leave
    the test mode that importing trytond.tests.test_tryton switched on"""
    from trytond.pool import Pool
    from trytond.tests.test_tryton import activate_module
    activate_module('dms_parts')
    Pool.test = False


def _price_file():
    "The price file of PRODUCTS parts in the default layout"
    groups = list(DISCOUNT_GROUPS)
    rows = ['part_number;description;list_price;currency;superseded_by;'
        'discount_group;unit']
    for i in range(PRODUCTS):
        rows.append(f'1K0 {600 + i:03d} {100 + 7 * i:03d};'
            f'{NAMES[i % len(NAMES)]};{10 + 3 * i}.50;;;'
            f'{groups[i % len(groups)]};')
    return ('\n'.join(rows) + '\n').encode()


def _setup():
    """Create the company with its accounting, the parts, the goods, their
    stock and the customer; return the context of the user, the ids of the
    customer and of the products of each kind"""
    from trytond.modules.account.tests import create_chart, get_fiscalyear
    from trytond.modules.account_invoice.tests import set_invoice_sequences
    from trytond.modules.company.tests import create_company, set_company
    from trytond.modules.currency.tests import (
        add_currency_rate, create_currency)
    from trytond.pool import Pool

    pool = Pool()
    Account = pool.get('account.account')
    Bin = pool.get('dms.part.bin')
    Category = pool.get('product.category')
    DiscountGroup = pool.get('dms.part.discount_group')
    DiscountRule = pool.get('dms.part.discount_rule')
    FiscalYear = pool.get('account.fiscalyear')
    Inventory = pool.get('stock.inventory')
    Location = pool.get('stock.location')
    ModelData = pool.get('ir.model.data')
    Party = pool.get('party.party')
    Product = pool.get('product.product')
    Profile = pool.get('dms.part.import.profile')
    Template = pool.get('product.template')
    User = pool.get('res.user')

    currency = create_currency('EUR')
    add_currency_rate(currency, 1)
    company = create_company("Autohaus Bench GmbH", currency)
    with set_company(company):
        create_chart(company)
        fiscalyear = set_invoice_sequences(get_fiscalyear(company))
        fiscalyear.save()
        FiscalYear.create_period([fiscalyear])
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
        category, = Category.create([{
                    'name': "Goods and parts",
                    'accounting': True,
                    'account_revenue': revenue.id,
                    'account_expense': expense.id,
                    }])
        warehouse, = Location.search([('code', '=', 'WH')])
        warehouse.company = company
        warehouse.save()

        manufacturer, = Party.create([{'name': MANUFACTURER}])
        profile, = Profile.create([{
                    'name': MANUFACTURER,
                    'manufacturer': manufacturer.id,
                    'account_category': category.id,
                    }])
        summary = Profile.import_file(
            [profile], company.id, _price_file(), 'vw.csv')
        assert summary['created'] == PRODUCTS, summary
        for group in DiscountGroup.search([
                    ('manufacturer', '=', manufacturer.id)]):
            group.sale_discount = DISCOUNT_GROUPS[group.code]
            group.save()
        parts = Product.search([
                ('template.part_manufacturer', '=', manufacturer.id)],
            order=[('id', 'ASC')])
        assert len(parts) == PRODUCTS
        Bin.create([{
                    'company': company.id,
                    'warehouse': warehouse.id,
                    'template': p.template.id,
                    'code': f'A-{i // 10 + 1:02d}-{i % 10 + 1:02d}',
                    } for i, p in enumerate(parts)])

        unit = ModelData.get_id('product', 'uom_unit')
        templates = Template.create([{
                    'name': f"Car care {NAMES[i % len(NAMES)].lower()} "
                    f"kit {i}",
                    'type': 'goods',
                    'salable': True,
                    'list_price': Decimal(10 + 3 * i) + Decimal('0.50'),
                    'default_uom': unit,
                    'sale_uom': unit,
                    'account_category': category.id,
                    'products': [('create', [{}])],
                    } for i in range(PRODUCTS)])
        goods = [t.products[0] for t in templates]

        customer, = Party.create([{
                    'name': "Werkstatt Müller",
                    'part_customer_type': 'trade',
                    'addresses': [('create', [{}])],
                    }])
        code, discount = CUSTOMER_RULE
        group, = DiscountGroup.search([('code', '=', code)])
        DiscountRule.create([{
                    'company': company.id,
                    'customer': customer.id,
                    'discount_group': group.id,
                    'discount': discount,
                    }])

        inventory, = Inventory.create([{
                    'location': warehouse.storage_location.id,
                    'company': company.id,
                    'lines': [('create', [{
                                    'product': p.id,
                                    'quantity': STOCK,
                                    } for p in parts + goods])],
                    }])
        Inventory.confirm([inventory])
        context = User.get_preferences(context_only=True)
    return context, customer.id, {
        'plain': [p.id for p in goods],
        'parts': [p.id for p in parts],
        }


def _click(context, method, *args):
    """Run method(*args) in a transaction of its own, committed, then the
    queued tasks it left, as the RPC dispatcher does (a transaction that
    needs a table lock starts again with it); return its result"""
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, USER
    from trytond.transaction import Transaction, TransactionError
    from trytond.worker import run_task
    extras = {}
    while True:
        with Transaction().start(
                DB_NAME, USER, context=context, **extras) as transaction:
            try:
                result = method(*args)
            except TransactionError as exception:
                transaction.rollback()
                exception.fix(extras)
                continue
            transaction.commit()
            tasks = list(transaction.tasks)
            transaction.tasks.clear()
            break
    pool = Pool(DB_NAME)
    for task in tasks:
        run_task(pool, task)
    return result


def cycle(context, customer, products):
    """Sell the products (LINES ids) to the customer through the whole
    cycle; return the sale id"""
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME
    pool = Pool(DB_NAME)
    Sale = pool.get('sale.sale')
    Line = pool.get('sale.line')
    Party = pool.get('party.party')
    Product = pool.get('product.product')
    Shipment = pool.get('stock.shipment.out')
    Move = pool.get('stock.move')
    Invoice = pool.get('account.invoice')

    def create():
        sale = Sale(**Sale.default_get(
                list(Sale._fields), with_rec_name=False))
        sale.party = Party(customer)
        sale.on_change_party()
        lines = []
        for i, product in enumerate(products):
            line = Line(**Line.default_get(
                    list(Line._fields), with_rec_name=False))
            line.sale = sale
            line.product = Product(product)
            line.on_change_product()
            line.quantity = 1 + i % 3
            line.on_change_quantity()
            lines.append(line)
        sale.lines = lines
        sale.save()
        # the lines' list shows their bin
        Line.read([l.id for l in sale.lines], ['product', 'part_bin'])
        return sale.id

    sale = _click(context, create)
    _click(context, lambda: Sale.quote([Sale(sale)]))
    _click(context, lambda: Sale.confirm([Sale(sale)]))

    def shipment():
        shipment, = Sale(sale).shipments
        return shipment.id
    shipment = _click(context, shipment)

    def assign():
        Shipment.assign_try([Shipment(shipment)])
        record = Shipment(shipment)
        assert record.state == 'assigned', record.state
        # the picking list shows the bin of each move
        Move.read([m.id for m in record.inventory_moves],
            ['product', 'part_bin'])
    _click(context, assign)
    _click(context, lambda: Shipment.pick([Shipment(shipment)]))
    _click(context, lambda: Shipment.pack([Shipment(shipment)]))
    _click(context, lambda: Shipment.do([Shipment(shipment)]))

    def post():
        invoice, = Sale(sale).invoices
        Invoice.post([invoice])
    _click(context, post)
    return sale


def _check_cycles(context, sales, products):
    "Check that every sale went the whole way, untimed"
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, USER
    from trytond.transaction import Transaction
    Sale = Pool(DB_NAME).get('sale.sale')
    with Transaction().start(DB_NAME, USER, context=context):
        for kind, ids in sales.items():
            for sale in Sale.browse(ids):
                assert sale.state == 'processing', (kind, sale.state)
                assert sale.shipment_state == 'sent', (
                    kind, sale.shipment_state)
                assert sale.invoice_state == 'awaiting payment', (
                    kind, sale.invoice_state)
                invoice, = sale.invoices
                assert invoice.state == 'posted', (kind, invoice.state)
                assert len(sale.lines) == LINES
                assert {l.product.id for l in sale.lines} <= set(
                    products[kind])
                assert all(
                    bool(l.product.template.part) == (kind == 'parts')
                    for l in sale.lines)
        # the parts were priced with the customer's discounts
        sale = Sale(sales['parts'][0])
        assert any(
            l.unit_price < l.product.list_price_used for l in sale.lines)


def child_cycle(output):
    _activate()
    context, customer, products = _click({}, _setup)

    counters = {kind: 0 for kind in KINDS}
    sales = {kind: [] for kind in KINDS}

    def run_cycle(kind):
        ids = products[kind]
        n = counters[kind]
        counters[kind] += 1
        chosen = [ids[(n * LINES + i) % len(ids)] for i in range(LINES)]
        sales[kind].append(cycle(context, customer, chosen))

    for _ in range(WARMUP):
        for kind in KINDS:
            run_cycle(kind)
    batches = {kind: [] for kind in KINDS}
    for round_ in range(ROUNDS):
        # each kind first in every other round
        for kind in KINDS if round_ % 2 == 0 else KINDS[::-1]:
            start = time.perf_counter()
            for _ in range(BATCH):
                run_cycle(kind)
            batches[kind].append(time.perf_counter() - start)
    _check_cycles(context, sales, products)
    _write(output, {'batches': batches})


def child_drop(output):
    "Drop the benchmark database and the template of DB_CACHE"
    drop_databases(output, [DATABASE], 'dms_parts')


def child(task, output):
    if task == 'cycle':
        child_cycle(output)
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
