# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo vehicle deals of the dealer group.

The group sells its vehicles through deals: sales with a line that carries
the vehicle, with options, accessories, fees and F&I products of their own
("Vehicle Sales" account category) and the customers' old cars taken in
part-exchange.  The group lets no new car go more than 8 % under its asking
price without a manager's approval and Düsseldorf keeps a floor price on
its BMW X5 xDrive30d.  Two manufacturers pay rebates through their
importers: BMW 750 per new car sold, Volkswagen a quarterly volume bonus of
0.5 % of the invoice price from 80 % of a target of four new cars per
rooftop and 1.5 % from 100 %.  Each rooftop books them on its own
"Manufacturer Rebates" account.  The sales consultants are commission
agents paid 1 % of the vehicles' price through the platform's commission
plans.

Each rooftop's sales consultants worked a handful of deals, in every state,
with vehicles from its stock: a deal being negotiated, a quotation below
the price limit waiting for the sales manager, one the manager rejected,
one approved and confirmed (the platform has not processed it yet), a used
car reserved for its customer and waiting for its PDI, a car delivered
whose invoice is still a draft, one delivered and invoiced, one delivered,
invoiced and paid, and a deal cancelled after confirmation when the
customer's financing was refused (its car went to the deal being
negotiated).  Where the rooftop's cars for sale run out, a car held for
a customer (beyond today) is sold to that customer.  Deals take the
customers' own cars in part-exchange, as long as the rooftop has
customers' cars that the workshop is not working on.  The technicians
passed the PDIs before the handovers, the consultants delivered the cars
through the deals' shipments, the managers decided on the prices (in
Bonn, whose rooftop manager leads sales, the group manager) and the
accountant posted the invoices, recorded the payment and claimed the
manufacturer's accrued rebates of one rooftop, paid with a small
difference written off.

`load(config, ...)` sets up what is missing and runs the deals only when
the group has none, so a second run changes nothing.  Every name and
number is invented for the demo."""
import contextlib
import datetime as dt
import random as random_module
import time
from collections import Counter, defaultdict
from decimal import Decimal

from .vehicles import CATALOG, PDI_TEMPLATES, ROOFTOPS

ACCOUNT_CATEGORY = "Vehicle Sales"
REBATE_ACCOUNT = "Manufacturer Rebates"
# The products sold with a vehicle: (name, deal kind, list price, cost)
PRODUCTS = {
    'winter': ("Winter Package (heated seats and steering wheel)", 'option',
        '1190', '760'),
    'towbar': ("Towbar, electrically retractable", 'option', '990', '610'),
    'mats': ("All-weather floor mats", 'accessory', '129', '58'),
    'wheels': ("Winter complete wheels 17\"", 'accessory', '1490', '1020'),
    'registration': ("Registration and number plates", 'fee', '189', '140'),
    'transfer': ("Transfer from the factory", 'fee', '990', '420'),
    'warranty': ("Extended Warranty 3 Years", 'fi', '890', '540'),
    'gap': ("GAP Insurance", 'fi', '390', '150'),
    'trade_in': ("Trade-in Allowance", 'trade_in', '0', '0'),
    }
COMMISSION_PRODUCT = "Sales Commission"
COMMISSION_PLAN = "Vehicle Sales 1 %"
PREPARATION_COST = Decimal('250')
DELIVERY_COST = Decimal('150')
# The group's price limit: the largest discount on new cars without a
# manager's approval; and a rooftop's floor price of a variant
MAX_DISCOUNT = Decimal('8')
FLOOR_PRICES = [('DUS', ("BMW", "X5", "xDrive30d"), Decimal('84000'))]
# The rebate policies of the manufacturers
BMW_BONUS = Decimal('750')
VW_TARGET = 4
VW_TIERS = [(Decimal('80'), Decimal('0.5')), (Decimal('100'), Decimal('1.5'))]
# The deals of each rooftop, in the order they are worked: (key, state,
# usage, preferred make, discount on the asking price in %, products,
# takes a trade-in); 'draft' takes the car of the cancelled deal
DEALS = [
    ('cancelled', 'cancelled', 'new', None, '5', ['registration'], False),
    ('draft', 'draft', 'new', None, '2', ['winter', 'mats'], False),
    ('pending', 'pending', 'new', None, '10.5',
        ['warranty', 'registration'], False),
    ('rejected', 'rejected', 'new', None, '15', ['mats'], False),
    ('confirmed', 'confirmed', 'new', None, '9.5',
        ['winter', 'registration', 'transfer'], True),
    ('reserved', 'reserved', 'used', None, None, ['warranty'], False),
    ('shipped', 'shipped', 'new', None, '4',
        ['towbar', 'registration', 'transfer', 'gap'], False),
    ('invoiced', 'invoiced', 'new', "BMW", '6',
        ['wheels', 'registration', 'warranty'], True),
    ('done', 'done', 'new', "BMW", '8.5',
        ['winter', 'mats', 'registration', 'transfer', 'warranty', 'gap'],
        False),
    ]
# The deals of a second sales consultant of a rooftop
SECOND_DEALS = [
    ('invoiced2', 'invoiced', 'new', "Volkswagen", '3',
        ['mats', 'registration'], False),
    ('reserved2', 'reserved', 'new', "Volkswagen", '5',
        ['wheels', 'registration', 'transfer'], False),
    ]
# Who decides on prices below the limit where no sales manager works
PRICE_DECIDERS = {'BON': 'groupmanager'}
ACCOUNTANT = 'accounting'
# The manufacturer pays a little less than claimed
CLAIM_SHORTFALL = Decimal('37.50')
CONDITIONS = ['excellent', 'good', 'good', 'fair']


def quarter(date):
    "Return the first and last day of the quarter of date"
    first = 3 * ((date.month - 1) // 3) + 1
    start = dt.date(date.year, first, 1)
    if first == 10:
        return start, dt.date(date.year, 12, 31)
    return start, dt.date(date.year, first + 3, 1) - dt.timedelta(days=1)


def load(config, seed, companies, warehouses, customers, staff, timezone):
    """Set the deals up and run each rooftop's deals and the rebate claim
    when the group has no deal yet; return the number of deals by
    (rooftop code, state).

    companies and warehouses by rooftop code; customers as (party, town,
    nearest rooftop code, is a person); staff as group_data.STAFF."""
    from zoneinfo import ZoneInfo
    start = time.monotonic()
    today = dt.datetime.now(ZoneInfo(timezone)).date()
    loader = _Loader(config, seed, companies, warehouses, customers, staff,
        today)
    loader.load()
    counts = loader.counts()
    for code in ROOFTOPS:
        states = sorted((k[1], n) for k, n in counts.items()
            if len(k) == 2 and k[0] == code)
        print(f"Deals {code}: {sum(n for _, n in states)} ("
            + ', '.join(f'{n} {s}' for s, n in states) + ")", flush=True)
    print(f"Deals loaded in {time.monotonic() - start:.1f} s: "
        f"{counts['rebates']} rebate lines, {counts['claims']} claims paid, "
        f"{counts['commissions']} commissions", flush=True)
    return counts


class _Loader:
    "Bring a database to the group's deals through the buttons"

    def __init__(self, config, seed, companies, warehouses, customers, staff,
            today):
        self.config = config
        self.seed = seed
        self.companies = companies
        self.warehouses = warehouses
        self.today = today
        self.customers = defaultdict(list)
        for party, town, code, person in sorted(
                customers, key=lambda c: c[0].name):
            self.customers[code].append(party.id)
        self.staff = staff

    def random(self, *keys):
        "Return a generator of its own for the keys, the same at every run"
        return random_module.Random('-'.join(
                [str(self.seed), 'deals'] + [str(k) for k in keys]))

    def load(self):
        self.load_category()
        self.load_products()
        self.load_configuration()
        self.load_vehicle_products()
        self.load_price_limits()
        self.load_accounting()
        self.load_policies()
        self.load_agents()
        if not self.search_read('sale.sale', [('deal', '=', True)], ['id']):
            for code in ROOFTOPS:
                self.run_deals(code)
            self.load_claim()

    # --- helpers ------------------------------------------------------------

    def search_read(self, model, domain, fields, order=None, context=None):
        from proteus import Model
        return Model.get(model)._proxy.search_read(
            domain, 0, None, order, fields,
            dict(self.config.context, **(context or {})))

    @contextlib.contextmanager
    def as_user(self, login, company=None):
        """Run the calls as the user with their preferences (company,
        employee), in the company when given; records must be instantiated
        inside"""
        from proteus import Model
        config = self.config
        user, context = config.user, config._context
        User = Model.get('res.user')
        user_id, = [u['id'] for u in self.search_read(
                'res.user', [('login', '=', login)], ['id'])]
        config.user = user_id
        config._context = User.get_preferences(True, {})
        home = {k: config._context.get(k) for k in ['company', 'employee']}
        if company is not None and company.id != home['company']:
            # the user switches to the company, as in the client
            User.set_preferences(
                {'company': company.id, 'employee': None}, config._context)
            config._context = User.get_preferences(True, {})
        try:
            yield
        finally:
            if config._context.get('company') != home['company']:
                User.set_preferences(home, config._context)
            config.user, config._context = user, context

    @contextlib.contextmanager
    def processing_waits(self):
        """Leave the processing of the confirmed sales queued for the queue
        worker instead of running it when the call commits"""
        from trytond.config import config
        if not config.has_section('queue'):
            config.add_section('queue')
        worker = config.get('queue', 'worker', default=None)
        config.set('queue', 'worker', 'True')
        try:
            yield
        finally:
            if worker is None:
                config.remove_option('queue', 'worker')
            else:
                config.set('queue', 'worker', worker)

    def logins(self, code, role):
        return [login for login, _, _, role_, code_, _ in self.staff
            if code_ == code and role_ == role and login]

    def account(self, company, domain, order=None):
        from proteus import Model
        Account = Model.get('account.account')
        accounts = Account.find([
                ('company', '=', company.id),
                ('closed', '!=', True),
                ] + domain, order=order or [('code', 'ASC')], limit=1)
        return accounts[0] if accounts else None

    # --- set-up -------------------------------------------------------------

    def load_category(self):
        """Create the account category of vehicle sales, booked on each
        rooftop's revenue of goods and cost of sales"""
        from proteus import Model
        Category = Model.get('product.category')
        categories = Category.find([
                ('name', '=', ACCOUNT_CATEGORY), ('accounting', '=', True)])
        if categories:
            category, = categories
        else:
            category = Category(name=ACCOUNT_CATEGORY, accounting=True)
            category.save()
        for company in self.companies.values():
            with self.config.set_context(company=company.id):
                category = Category(category.id)
                if category.account_revenue and category.account_expense:
                    continue
                category.account_revenue = (self.account(company, [
                            ('type.revenue', '=', True),
                            ('name', '=', "Goods")])
                    or self.account(company, [('type.revenue', '=', True)]))
                category.account_expense = self.account(company, [
                        ('type.expense', '=', True)])
                category.save()
        self.category = category.id

    def load_products(self):
        """Create the products sold with vehicles, each with its deal kind,
        price and cost, and the commission product"""
        from proteus import Model
        Category = Model.get('product.category')
        Template = Model.get('product.template')
        Uom = Model.get('product.uom')
        names = [p[0] for p in PRODUCTS.values()] + [COMMISSION_PRODUCT]
        existing = {t.name: t for t in Template.find([
                    ('name', 'in', names),
                    ('account_category', '=', self.category),
                    ])}
        unit, = Uom.find([('symbol', '=', 'u')])
        new = []
        for name, kind, price, cost in list(PRODUCTS.values()) + [
                (COMMISSION_PRODUCT, None, '0', '0')]:
            if name in existing:
                continue
            template = Template(name=name, type='service', default_uom=unit,
                salable=name != COMMISSION_PRODUCT,
                list_price=Decimal(price),
                account_category=Category(self.category), deal_kind=kind)
            template.products[0].cost_price = Decimal(cost)
            new.append(template)
        Template.save(new)
        existing.update({t.name: t for t in new})
        # prices and costs are each rooftop's
        prices = {p[0]: (p[2], p[3]) for p in PRODUCTS.values()}
        prices[COMMISSION_PRODUCT] = ('0', '0')
        for company in self.companies.values():
            with self.config.set_context(company=company.id):
                templates = Template.find([
                        ('id', 'in', [t.id for t in existing.values()])])
                for template in templates:
                    price, cost = prices[template.name]
                    if template.list_price is None:
                        template.list_price = Decimal(price)
                    product, = template.products
                    if not product.cost_price:
                        product.cost_price = Decimal(cost)
                Template.save(templates)
        by_name = {n: t.products[0].id for n, t in existing.items()}
        self.products = {k: by_name[p[0]] for k, p in PRODUCTS.items()}
        self.commission_product = by_name[COMMISSION_PRODUCT]

    def load_configuration(self):
        from proteus import Model
        Category = Model.get('product.category')
        Configuration = Model.get('dms.configuration')
        Product = Model.get('product.product')
        configuration = Configuration(1)
        if configuration.deal_trade_in_product:
            return
        configuration.deal_vehicle_category = Category(self.category)
        configuration.deal_trade_in_product = Product(
            self.products['trade_in'])
        configuration.deal_preparation_cost = PREPARATION_COST
        configuration.deal_delivery_cost = DELIVERY_COST
        configuration.save()

    def load_vehicle_products(self):
        """Sell the variants' products in the vehicle sales category (the
        catalog was made before the deals were configured)"""
        from proteus import Model
        Category = Model.get('product.category')
        Template = Model.get('product.template')
        variants = self.search_read('dms.vehicle.variant', [
                ('product', '!=', None)], ['product.template'])
        ids = [v['product.']['template'] for v in variants]
        templates = Template.find([
                ('id', 'in', ids),
                ['OR',
                    ('account_category', '=', None),
                    ('salable', '=', False),
                    ],
                ])
        for template in templates:
            template.account_category = Category(self.category)
            template.salable = True
            if not template.sale_uom:
                template.sale_uom = template.default_uom
        Template.save(templates)

    def load_price_limits(self):
        from proteus import Model
        PriceLimit = Model.get('dms.sale.price_limit')
        Variant = Model.get('dms.vehicle.variant')
        if PriceLimit.find([]):
            return
        currency = self.companies[ROOFTOPS[0]].currency
        limits = [PriceLimit(company=None, usage='new', currency=currency,
                max_discount=MAX_DISCOUNT)]
        for code, (make, model, name), price in FLOOR_PRICES:
            variant, = Variant.find([
                    ('name', '=', name), ('model.name', '=', model),
                    ('model.make.name', '=', make)])
            limit = PriceLimit(company=self.companies[code],
                currency=currency, floor_price=price)
            limit.variant = variant
            limits.append(limit)
        PriceLimit.save(limits)

    def load_accounting(self):
        """Give each rooftop its rebate income account and its rebate
        accounting: accruals in the miscellaneous journal, receivable from
        the importers, differences written off to its expenses"""
        from proteus import Model
        Account = Model.get('account.account')
        Accounting = Model.get('dms.rebate.accounting')
        Journal = Model.get('account.journal')
        journal, = Journal.find([('code', '=', 'MISC')])
        done = {a['company'] for a in self.search_read(
                'dms.rebate.accounting', [], ['company'])}
        for company in self.companies.values():
            if company.id in done:
                continue
            with self.config.set_context(company=company.id):
                goods = self.account(company, [
                        ('type.revenue', '=', True), ('name', '=', "Goods")])
                income = self.account(company, [
                        ('name', '=', REBATE_ACCOUNT)])
                if income is None:
                    income = Account(name=REBATE_ACCOUNT, code='4.1.9',
                        type=goods.type, parent=goods.parent,
                        company=company)
                    income.save()
                receivable = self.account(company, [
                        ('type.receivable', '=', True),
                        ('party_required', '=', True)])
                variance = self.account(company, [
                        ('type.expense', '=', True)])
                Accounting(company=company, journal=journal,
                    receivable_account=receivable, income_account=income,
                    variance_account=variance).save()

    def load_policies(self):
        """The rebate policies of the year: BMW's amount per new car and
        Volkswagen's quarterly volume tiers"""
        from proteus import Model
        Make = Model.get('dms.vehicle.make')
        Policy = Model.get('dms.rebate.policy')
        makes = {m.name: m for m in Make.find([
                    ('name', 'in', ["BMW", "Volkswagen"])])}
        self.manufacturers = {n: m.supplier.id for n, m in makes.items()}
        start = self.today.replace(month=1, day=1)
        end = self.today.replace(month=12, day=31)
        names = {p.name for p in Policy.find([])}
        currency = self.companies[ROOFTOPS[0]].currency
        new = []
        name = f"BMW Retail Bonus {start.year}"
        if name not in names:
            policy = Policy(name=name, manufacturer=makes["BMW"].supplier,
                start_date=start, end_date=end, calculation='amount',
                amount=BMW_BONUS, currency=currency, usages=['new'])
            policy.makes.append(Make(makes["BMW"].id))
            new.append(policy)
        name = f"Volkswagen Volume Bonus {start.year}"
        if name not in names:
            policy = Policy(name=name,
                manufacturer=makes["Volkswagen"].supplier,
                start_date=start, end_date=end, calculation='tiers',
                base='invoice', target_quantity=VW_TARGET, period='quarter',
                usages=['new'])
            policy.makes.append(Make(makes["Volkswagen"].id))
            for threshold, rate in VW_TIERS:
                policy.tiers.new(threshold=threshold, rate=rate)
            new.append(policy)
        Policy.save(new)

    def load_agents(self):
        """Make each sales consultant a commission agent paid 1 % of the
        vehicles' price"""
        from proteus import Model
        Agent = Model.get('commission.agent')
        Plan = Model.get('commission.plan')
        Product = Model.get('product.product')
        plans = Plan.find([('name', '=', COMMISSION_PLAN)])
        if plans:
            plan, = plans
        else:
            plan = Plan(name=COMMISSION_PLAN,
                commission_product=Product(self.commission_product))
            variants = self.search_read('dms.vehicle.variant', [
                    ('product', '!=', None),
                    ('model.make.name', 'in', [m['name'] for m in CATALOG]),
                    ], ['product'], order=[('id', 'ASC')])
            for variant in variants:
                line = plan.lines.new(product=Product(variant['product']))
                line.formula = 'amount * 0.01'
            plan.save()
        self.agents = {}
        for code in ROOFTOPS:
            company = self.companies[code]
            for login in self.logins(code, 'sales'):
                employee, = self.search_read('res.user', [
                        ('login', '=', login)], ['employee.party'])
                party = employee['employee.']['party']
                with self.config.set_context(company=company.id):
                    agents = Agent.find([
                            ('party', '=', party),
                            ('company', '=', company.id),
                            ('type_', '=', 'agent')])
                    if agents:
                        agent, = agents
                    else:
                        agent = Agent(party=Model.get('party.party')(party),
                            type_='agent', plan=Plan(plan.id),
                            currency=company.currency, company=company)
                        agent.save()
                self.agents[login] = agent.id

    # --- the deals ----------------------------------------------------------

    def stock(self, code):
        """Return the rooftop's vehicles for sale in its stock as dicts in
        an order of the rooftop's own, those held for a customer last"""
        records = self.search_read('dms.vehicle', [
                ('holding_company', '=', self.companies[code].id),
                ('state', 'in', ['available', 'held']),
                ('stock_state', '=', 'in_stock'),
                ('usage', 'in', ['new', 'used']),
                ('lot', '!=', None),
                ('variant', '!=', None),
                ('make.name', 'in', [m['name'] for m in CATALOG]),
                ], ['vin', 'usage', 'make.name', 'fuel_type',
                'asking_price', 'model_year', 'state', 'hold_party',
                'hold_until'], order=[('vin', 'ASC')])
        # a customer deciding today has not decided yet
        records = [r for r in records
            if r['state'] != 'held' or r['hold_until'] > self.today]
        self.random('stock', code).shuffle(records)
        return sorted(records, key=lambda r: r['state'] == 'held')

    def trade_ins(self, code):
        """Return the rooftop's customers' own cars that are not in the
        workshop nor booked for it, as dicts"""
        cars = self.search_read('dms.vehicle', [
                ('owner', 'in', self.customers[code]),
                ('state', '=', 'customer'),
                ('stock_state', '=', 'none'),
                ('variant', '!=', None),
                ], ['vin', 'owner', 'variant', 'model_year', 'mileage',
                'first_registration', 'asking_price'],
            order=[('vin', 'ASC')])
        ids = [c['id'] for c in cars]
        busy = {r['vehicle'] for model, states in [
                ('dms.workshop.order', ['done', 'cancelled']),
                ('dms.workshop.appointment',
                    ['arrived', 'no_show', 'cancelled'])]
            for r in self.search_read(model, [
                    ('vehicle', 'in', ids), ('state', 'not in', states)],
                ['vehicle'])}
        cars = [c for c in cars if c['id'] not in busy]
        self.random('trade_ins', code).shuffle(cars)
        return cars

    def plan(self, code):
        """Return the rooftop's deals: DEALS (and SECOND_DEALS where a
        second consultant works) with their consultant, vehicle, customer
        and trade-in"""
        random = self.random('plan', code)
        logins = self.logins(code, 'sales')
        stock = self.stock(code)
        cars = self.trade_ins(code)
        # the others' deals for the customers not trading in nor holding
        taken = {c['owner'] for c in cars} | {
            v['hold_party'] for v in stock if v['hold_party']}
        customers = [c for c in self.customers[code] if c not in taken]
        random.shuffle(customers)
        specs = [(s, logins[0]) for s in DEALS]
        if len(logins) > 1:
            specs += [(s, logins[1]) for s in SECOND_DEALS]
        deals, cancelled = [], None
        for (key, state, usage, make, discount, products, trade_in), login \
                in specs:
            if key == 'draft' and cancelled:
                vehicle = cancelled
            else:
                suiting = [v for v in stock if v['usage'] == usage]
                preferred = [v for v in suiting if v['make.']['name'] == make]
                if not suiting:
                    continue
                vehicle = (preferred or suiting)[0]
                stock.remove(vehicle)
            if key == 'cancelled':
                cancelled = vehicle
            car = cars.pop(0) if trade_in and cars else None
            if vehicle['state'] == 'held':
                # the customer the car is held for takes it
                car, customer = None, vehicle['hold_party']
            elif car:
                customer = car['owner']
            else:
                customer = customers.pop(0)
            deals.append({
                    'key': key,
                    'state': state,
                    'login': login,
                    'vehicle': vehicle,
                    'discount': Decimal(discount) if discount else None,
                    'products': products,
                    'customer': customer,
                    'trade_in': car,
                    'random': self.random('deal', code, key),
                    })
        return deals

    def run_deals(self, code):
        """Work the rooftop's deals as its consultants, managers,
        technicians and accountant would"""
        company = self.companies[code]
        managers = self.logins(code, 'sales_manager') or [
            PRICE_DECIDERS[code]]
        technician, = self.logins(code, 'technician')
        for deal in self.plan(code):
            state = deal['state']
            with self.as_user(deal['login']):
                sale = self.create_deal(deal)
                if state == 'draft':
                    continue
                sale.click('quote')
                approval = sale.price_approval
            if approval == 'pending' and state != 'pending':
                with self.as_user(managers[0], company):
                    sale = self.sale(deal)
                    sale.click('reject_price' if state == 'rejected'
                        else 'approve_price')
            if state in {'pending', 'rejected'}:
                continue
            if state in {'confirmed', 'cancelled'}:
                with self.processing_waits(), self.as_user(deal['login']):
                    sale = self.sale(deal)
                    sale.click('confirm')
                    if state == 'cancelled':
                        # the bank refused the customer's financing
                        sale.click('draft')
                        sale.click('cancel')
                continue
            with self.as_user(deal['login']):
                self.sale(deal).click('confirm')
            if state == 'reserved':
                continue
            with self.as_user(technician):
                self.inspect(deal)
            with self.as_user(deal['login']):
                self.deliver(deal)
            if state == 'shipped':
                continue
            with self.as_user(ACCOUNTANT, company):
                self.invoice(deal, pay=state == 'done')

    def sale(self, deal):
        from proteus import Model
        return Model.get('sale.sale')(deal['sale'])

    def create_deal(self, deal):
        """Create the deal of the vehicle for the customer with its
        products and trade-in, as the consultant fills the form"""
        from proteus import Model
        Agent = Model.get('commission.agent')
        Party = Model.get('party.party')
        Product = Model.get('product.product')
        Sale = Model.get('sale.sale')
        Variant = Model.get('dms.vehicle.variant')
        Vehicle = Model.get('dms.vehicle')
        random = deal['random']
        vehicle = deal['vehicle']
        sale = Sale(party=Party(deal['customer']))
        sale.agent = Agent(self.agents[deal['login']])
        line = sale.lines.new()
        line.vehicle = Vehicle(vehicle['id'])
        asking = line.unit_price
        if deal['discount'] is not None:
            price = asking * (1 - deal['discount'] / 100)
        else:
            # a used car: about what it is worth plus the rooftop's margin
            age = max(0, self.today.year - (vehicle['model_year']
                    or self.today.year))
            price = asking * Decimal(str(round(0.83 ** (age + 1) * 1.1, 3)))
        line.unit_price = (price / 10).quantize(Decimal('1')) * 10
        for key in deal['products']:
            extra = sale.lines.new()
            extra.product = Product(self.products[key])
            extra.quantity = 1
        car = deal['trade_in']
        if car:
            age = max(0, self.today.year - (car['model_year']
                    or self.today.year - 5))
            appraised = (Decimal(car['asking_price'] or 20000) * Decimal(
                    str(round(0.8 ** (age + 1), 3))) / 100).quantize(
                Decimal('1')) * 100
            trade_in = sale.trade_ins.new(vin=car['vin'],
                variant=Variant(car['variant']),
                mileage=int(car['mileage'] or 0) + random.randint(300, 2500),
                condition=random.choice(CONDITIONS),
                appraised_value=appraised,
                allowance=appraised + random.choice([0, 500, 1000]))
            trade_in.model_year = car['model_year']
            trade_in.first_registration = car['first_registration']
        sale.save()
        deal['sale'] = sale.id
        return sale

    def inspect(self, deal):
        "Pass the PDI of the deal's vehicle, all items checked"
        from proteus import Model
        PDI = Model.get('dms.vehicle.pdi')
        Template = Model.get('dms.vehicle.pdi.template')
        Vehicle = Model.get('dms.vehicle')
        vehicle = deal['vehicle']
        name = PDI_TEMPLATES[
            1 if vehicle['fuel_type'] == 'electric' else 0][0]
        template, = Template.find([('name', '=', name)])
        pdi = PDI(vehicle=Vehicle(vehicle['id']))
        pdi.template = template
        for line in pdi.lines:
            line.result = 'ok'
        pdi.save()
        pdi.click('pass_')

    def deliver(self, deal):
        "Hand the car over through the deal's shipment"
        from proteus import Model
        Shipment = Model.get('stock.shipment.out')
        Location = Model.get('stock.location')
        shipment, = self.sale(deal).shipments
        shipment = Shipment(shipment.id)
        # The car is parked in the storage zone, not in the picking zone the
        # shipment takes goods from: the consultant says where it is
        location, = [v['location'] for v in self.search_read(
                'dms.vehicle', [('id', '=', deal['vehicle']['id'])],
                ['location'])]
        for move in shipment.inventory_moves:
            if move.from_location.id != location:
                move.from_location = Location(location)
        shipment.save()
        shipment.click('assign_try')
        shipment.click('pick')
        shipment.click('pack')
        shipment.click('do')

    def invoice(self, deal, pay=False):
        """Post the deal's invoice and, when paid, record the customer's
        bank transfer"""
        from proteus import Model, Wizard
        Invoice = Model.get('account.invoice')
        Method = Model.get('account.invoice.payment.method')
        invoice, = self.sale(deal).invoices
        invoice = Invoice(invoice.id)
        invoice.click('post')
        if not pay:
            return
        method, = Method.find([
                ('company', '=', invoice.company.id), ('name', '=', "Bank")])
        wizard = Wizard('account.invoice.pay', [invoice])
        wizard.form.payment_method = method
        wizard.execute('choice')

    # --- the rebate claim ---------------------------------------------------

    def load_claim(self):
        """Claim the accrued rebates of the quarter of the rooftop and
        manufacturer that accrued the most, as the accountant; the
        importer pays a little less than claimed"""
        from proteus import Model, Wizard
        if self.search_read('dms.rebate.claim', [], ['id']):
            return
        start, end = quarter(self.today)
        totals = Counter()
        for line in self.search_read('dms.rebate.line', [
                    ('state', '=', 'accrued'),
                    ('claim', '=', None),
                    ('date', '>=', start), ('date', '<=', end),
                    ], ['company', 'manufacturer', 'estimated_amount']):
            totals[line['company'], line['manufacturer']] += (
                line['estimated_amount'])
        if not totals:
            return
        (company_id, manufacturer), _ = max(
            totals.items(), key=lambda i: (i[1], -i[0][0], -i[0][1]))
        code, = [c for c, r in self.companies.items() if r.id == company_id]
        make, = [m for m, p in self.manufacturers.items()
            if p == manufacturer]
        codes = {m['name']: m['code'] for m in CATALOG}
        company = self.companies[code]
        with self.as_user(ACCOUNTANT, company):
            Claim = Model.get('dms.rebate.claim')
            Journal = Model.get('account.journal')
            claim = Claim(company=Model.get('company.company')(company.id),
                manufacturer=Model.get('party.party')(manufacturer),
                start_date=start, end_date=end,
                number=f"{codes[make]}-{code}-{start.year}"
                f"-Q{(start.month + 2) // 3}")
            claim.save()
            claim.click('fill')
            claim.click('submit')
            journal, = Journal.find([('code', '=', 'CASH')])
            bank = self.account(company, [
                    ('name', '=', "Cash and Cash Equivalents"),
                    ('type', '!=', None)])
            pay = Wizard('dms.rebate.claim.pay', [claim])
            pay.form.amount = pay.form.open_amount - CLAIM_SHORTFALL
            pay.form.journal = journal
            pay.form.account = bank
            pay.execute('pay')

    # --- summary ------------------------------------------------------------

    def counts(self):
        counts = Counter()
        codes = {c.id: code for code, c in self.companies.items()}
        for sale in self.search_read('sale.sale', [('deal', '=', True)],
                ['company', 'state']):
            counts[codes.get(sale['company']), sale['state']] += 1
        counts['rebates'] = len(self.search_read(
                'dms.rebate.line', [], ['id']))
        counts['claims'] = len(self.search_read(
                'dms.rebate.claim', [('state', '=', 'paid')], ['id']))
        counts['commissions'] = len(self.search_read(
                'commission', [], ['id']))
        return counts
