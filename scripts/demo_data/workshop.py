# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo workshops of the dealer group.

Each rooftop runs a workshop, "Service <town>": its bays, its technicians
(the technician user and one or two colleagues without login), their
skills, its labour rates per payer and the labour product "Workshop
Labour" booked on the rooftop's revenue account; each make has its
labour operations with times per model and a recall campaign.

Each workshop had a busy week around the day the demo is built: the
three working days before today, today and the next two working days
(Monday to Saturday when built on a Thursday).  Customers' cars came in
on appointments or without one; their repair orders are in every state,
from the draft prepared for tomorrow to the car handed over after its
invoices were posted, one cancelled after the customer declined the
estimate.  The service advisors and technicians did it all through the
buttons: check-in with the mileage, estimates and second revisions sent
and approved (one still awaiting the customer), parts issued from the
rooftop's stock (one part not on hand: the order waits for it), clocking
on and off (one technician is still on a job), quality checks, invoices
per payer and warranty claims to the manufacturer, one paid.  The
appointments of the week are arrived, a no-show, confirmed (one with a
loaner car), requested, rescheduled and cancelled.

The buttons set their times to now; the times of the week's past events
are moved back afterwards (see `_Loader.backdate`).  The customers'
notices stay queued in the outbox for the queue worker.

`load(config, ...)` looks for each rooftop's workshop, operations and
week first, so a second run changes nothing.  Every name and number is
invented for the demo."""
import contextlib
import datetime as dt
import random as random_module
import time
from collections import Counter, defaultdict
from decimal import Decimal

from .vehicles import CATALOG, CITIES, ROOFTOPS

# The account category of the labour product
ACCOUNT_CATEGORY = "Labour"
LABOUR_PRODUCT = "Workshop Labour"
# Hourly labour rates by payer
LABOUR_RATES = {
    'customer': Decimal('129'),
    'warranty': Decimal('98'),
    'insurance': Decimal('118'),
    'internal': Decimal('85'),
    }
SKILLS = [
    "Diagnosis", "Brakes and chassis", "High-voltage systems",
    "Air conditioning", "Wheel alignment"]
# The bays of each workshop: (name, type)
BAYS = {
    'KOE': [("Lift 1", 'lift'), ("Lift 2", 'lift'), ("Lift 3", 'lift'),
        ("Diagnosis Bay", 'diagnosis')],
    'DUS': [("Lift 1", 'lift'), ("Lift 2", 'lift'),
        ("Alignment Bay", 'alignment'), ("Express Lane", 'express')],
    'BON': [("Lift 1", 'lift'), ("Lift 2", 'lift'),
        ("Diagnosis Bay", 'diagnosis')],
    }
# The skills of the technician users
USER_SKILLS = ["Diagnosis", "Brakes and chassis", "High-voltage systems"]
# The technicians without login of each workshop: (first name, last name,
# attendance ratio, skills)
TECHNICIANS = {
    'KOE': [
        ("Ali", "Demir", '1', ["Brakes and chassis", "Air conditioning"]),
        ("Jan", "Krause", '0.8', ["Diagnosis", "Wheel alignment"]),
        ],
    'DUS': [
        ("Nils", "Brandt", '1', ["Brakes and chassis", "Wheel alignment"]),
        ],
    'BON': [
        ("Kai", "Winter", '0.8', ["High-voltage systems", "Diagnosis"]),
        ],
    }

# The labour operations: key -> (name, standard hours, skill, code of each
# make, hours per model, parts as (name prefix, quantity))
OPERATIONS = {
    'oil_service': ("Oil and filter service", 1.0, None,
        {'Volkswagen': '0110', 'BMW': '11 00 050', 'Ford': '1701A'},
        {'Golf': 1.1, 'Tiguan': 1.3, 'X5': 1.4, 'Transit Custom': 1.3},
        [("Oil filter element", 1), ("Engine oil 5W-30", 4.5),
            ("Seal ring, oil drain plug", 1)]),
    'inspection': ("Inspection service", 1.5, None,
        {'Volkswagen': '0100', 'BMW': '00 00 556', 'Ford': '1700A'},
        {'ID.4': 1.2, 'i4': 1.2, 'Mustang Mach-E': 1.2, 'X5': 1.8},
        [("Cabin air filter", 1), ("Brake fluid DOT 4", 1)]),
    'front_pads': ("Front brake pads, replace", 1.1, "Brakes and chassis",
        {'Volkswagen': '4610', 'BMW': '34 11 010', 'Ford': '2001B'},
        {'Polo': 0.9, 'X5': 1.3},
        [("Brake pad set, front", 1)]),
    'rear_pads': ("Rear brake pads, replace", 0.9, "Brakes and chassis",
        {'Volkswagen': '4620', 'BMW': '34 21 010', 'Ford': '2002B'},
        {'X5': 1.1},
        [("Brake pad set, rear", 1)]),
    'front_discs': ("Front brake discs and pads, replace", 1.8,
        "Brakes and chassis",
        {'Volkswagen': '4640', 'BMW': '34 11 500', 'Ford': '2003B'},
        {'Polo': 1.5, 'X5': 2.2, 'Transit Custom': 2.0},
        [("Brake disc, front", 2), ("Brake pad set, front", 1)]),
    'rear_discs': ("Rear brake discs, replace", 1.4, "Brakes and chassis",
        {'Volkswagen': '4650', 'BMW': '34 21 500', 'Ford': '2004B'},
        {},
        [("Brake disc, rear", 2)]),
    'diagnosis': ("Fault diagnosis with the tester", 0.5, "Diagnosis",
        {'Volkswagen': '0150', 'BMW': '61 00 700', 'Ford': '1400A'},
        {}, []),
    'battery': ("12 V battery, test and replace", 0.4, None,
        {'Volkswagen': '2710', 'BMW': '61 21 050', 'Ford': '1450A'},
        {'X5': 0.7},
        [("12 V battery", 1)]),
    'wipers': ("Wiper blades, replace", 0.2, None,
        {'Volkswagen': '9210', 'BMW': '61 61 000', 'Ford': '1460A'},
        {}, [("Wiper blade set, front", 1)]),
    'headlamp': ("Headlamp, replace and adjust", 0.8, None,
        {'Volkswagen': '9410', 'BMW': '63 12 050', 'Ford': '1300A'},
        {}, [("LED headlamp, left", 1)]),
    'recall': ("Recall: engine control software update", 0.5, "Diagnosis",
        {'Volkswagen': '24A7', 'BMW': '0012 4408 00', 'Ford': '24S47'},
        {}, []),
    }
# What the customer reports for each first operation of an order
COMPLAINTS = {
    'oil_service': "Oil service due, the display asks for it.",
    'inspection': "Annual inspection according to the service booklet.",
    'front_pads': "Squeaking from the front brakes when stopping.",
    'rear_pads': "Brake pad warning light on.",
    'front_discs': "Steering wheel shakes when braking from speed.",
    'diagnosis': "Engine warning light came on yesterday.",
    'battery': "Car did not start twice this week in the morning.",
    'wipers': "Wipers smear the windscreen.",
    'headlamp': "Left headlamp out; water inside the lens.",
    }
# The parts a workshop may wait for when the one an operation needs is on
# hand
MISSING = ["LED headlamp, right", "Tail lamp", "Shock absorber",
    "Control arm", "Wheel bearing kit", "12 V battery"]
# Operations an electric car gets instead
ELECTRIC = {'oil_service': 'inspection'}

# The week of each workshop, in the order the jobs are planned: (key,
# repair order state or None, appointment state or None for a walk-in,
# working day from today, hours the car is planned in, operations,
# operations found during the work (a second revision))
WEEK = [
    ('service', 'done', 'arrived', -3, 2, ['oil_service'], []),
    ('warranty', 'done', 'arrived', -3, 3, ['front_pads', 'recall'], []),
    ('inspection', 'invoiced', 'arrived', -2, 3,
        ['inspection', 'wipers'], []),
    ('brakes', 'ready', 'arrived', -2, 4, ['rear_pads'], ['rear_discs']),
    ('no_show', None, 'no_show', -2, 1, ['inspection'], []),
    ('battery', 'quality_check', 'arrived', -1, 2,
        ['diagnosis', 'battery'], []),
    ('headlamp', 'waiting_parts', 'arrived', -1, 3,
        ['diagnosis', 'headlamp'], []),
    ('declined', 'cancelled', 'arrived', -1, 2, ['front_discs'], []),
    ('progress', 'in_progress', 'arrived', 0, 3,
        ['oil_service', 'front_pads'], ['wipers']),
    ('approved', 'approved', 'arrived', 0, 2, ['inspection'], []),
    ('estimate', 'estimate_sent', 'arrived', 0, 3, ['front_discs'], []),
    ('walk_in', 'checked_in', None, 0, 1, ['diagnosis'], []),
    ('prepared', 'draft', 'confirmed', 1, 2, ['oil_service'], []),
    ('loaner', None, 'confirmed', 1, 8, ['inspection', 'rear_pads'], []),
    ('moved', None, 'rescheduled', 2, 2, ['inspection'], []),
    ('requested', None, 'requested', 1, 1, ['wipers'], []),
    ('online', None, 'requested', 2, 1, ['diagnosis'], []),
    ('confirmed', None, 'confirmed', 2, 2, ['front_pads'], []),
    ('called_off', None, 'cancelled', 1, 1, ['battery'], []),
    ]
# When a customer's car stays in with a loaner car: the whole day, the
# morning or the afternoon
LOANER_TIMES = [
    (dt.time(7, 30), dt.time(17, 30)), (dt.time(7, 30), dt.time(12, 0)),
    (dt.time(13, 0), dt.time(17, 30))]
# Where the appointments of a day may start
STARTS = [(7, 30), (8, 0), (8, 30), (9, 0), (10, 0), (11, 0), (13, 0),
    (14, 0), (15, 0)]
# The warranty claim of each rooftop ends in this state
CLAIMS = {'KOE': 'paid', 'DUS': 'accepted', 'BON': 'submitted'}
CLAIM_TEXTS = {
    'cause': "Engine control unit software version faulty: the engine may "
    "stall at idle (manufacturer's campaign).",
    'correction': "Flashed the engine control unit with the campaign's "
    "software and read out the fault memory.",
    }


def workday(today, days):
    "Return the working day (Monday to Saturday) days from today"
    day = today
    step = 1 if days > 0 else -1
    for _ in range(abs(days)):
        day += dt.timedelta(days=step)
        while day.weekday() == 6:
            day += dt.timedelta(days=step)
    return day


def load(config, seed, companies, warehouses, customers, staff, timezone):
    """Bring the database to the workshops' week; return the number of
    repair orders by (rooftop code, state) and of appointments by
    (rooftop code, 'appointment', state).

    companies and warehouses by rooftop code; customers as (party, town,
    nearest rooftop code, is a person); staff as group_data.STAFF."""
    from zoneinfo import ZoneInfo
    start = time.monotonic()
    zone = ZoneInfo(timezone)
    loader = _Loader(config, seed, companies, warehouses, customers, staff,
        zone)
    loader.load()
    counts = loader.counts()
    for code in ROOFTOPS:
        orders = sum(n for k, n in counts.items()
            if k[0] == code and len(k) == 2)
        states = sorted((k[1], n) for k, n in counts.items()
            if k[0] == code and len(k) == 2)
        appointments = sum(n for k, n in counts.items()
            if k[0] == code and len(k) == 3)
        print(f"Workshop {code}: {orders} repair orders ("
            + ', '.join(f'{n} {s}' for s, n in states)
            + f"), {appointments} appointments, "
            f"{counts['claims', code]} warranty claims", flush=True)
    print(f"Workshops loaded in {time.monotonic() - start:.1f} s",
        flush=True)
    return counts


class _Schedule:
    "The bays and technicians of a workshop booked over the week"

    def __init__(self, bays, technicians):
        self.bays = bays
        self.technicians = technicians
        self.busy = defaultdict(list)

    def free(self, resource, start, end):
        return all(end <= s or e <= start for s, e in self.busy[resource])

    def book(self, day, hours, technician=None, first=0, start=None,
            end=None):
        """Return (start, end, bay, technician) of the first free slot of
        the day from the first of STARTS, or from start to end when given,
        in local time"""
        technicians = [technician] if technician else self.technicians
        if start:
            slots = [(start, end)]
        else:
            slots = []
            for hour, minute in STARTS[first:] + STARTS[:first]:
                start = dt.datetime.combine(day, dt.time(hour, minute))
                slots.append((start, start + dt.timedelta(hours=hours)))
        for start, end in slots:
            for bay in self.bays:
                if not self.free(('bay', bay), start, end):
                    continue
                for tech in technicians:
                    if self.free(('tech', tech), start, end):
                        self.busy['bay', bay].append((start, end))
                        self.busy['tech', tech].append((start, end))
                        return start, end, bay, tech
        raise AssertionError(f"No slot on {day} for {hours} h")


class _Loader:
    "Bring a database to the workshops' week through the buttons"

    def __init__(self, config, seed, companies, warehouses, customers, staff,
            zone):
        self.config = config
        self.seed = seed
        self.companies = companies
        self.warehouses = warehouses
        self.zone = zone
        self.now = dt.datetime.now(zone).replace(microsecond=0)
        self.today = self.now.date()
        self.customers = defaultdict(set)
        for party, town, code, person in customers:
            self.customers[code].add(party.id)
        self.staff = staff
        # the times the buttons set now, to move back: (model, id) -> values
        self.times = defaultdict(dict)

    def random(self, *keys):
        "Return a generator of its own for the keys, the same at every run"
        return random_module.Random('-'.join(
                [str(self.seed), 'workshop'] + [str(k) for k in keys]))

    def load(self):
        self.load_skills()
        self.load_labour_product()
        self.load_workshops()
        self.load_technicians()
        self.load_operations()
        self.load_payment_methods()
        weeks = []
        for code in ROOFTOPS:
            if not self.search_read('dms.workshop.appointment', [
                        ('workshop', '=', self.workshops[code]),
                        ], ['id']):
                weeks.append(code)
        for code in weeks:
            self.run_week(code)
        if weeks:
            self.backdate()
        for code in ROOFTOPS:
            self.load_claim(code)

    # --- helpers ------------------------------------------------------------

    def search_read(self, model, domain, fields, order=None, context=None):
        from proteus import Model
        return Model.get(model)._proxy.search_read(
            domain, 0, None, order, fields,
            dict(self.config.context, **(context or {})))

    def utc(self, local):
        "Return the naive UTC time of a naive local time"
        return local.replace(tzinfo=self.zone).astimezone(
            dt.timezone.utc).replace(tzinfo=None)

    @contextlib.contextmanager
    def as_user(self, login):
        """Run the calls as the user with their preferences (company,
        employee); records must be instantiated inside"""
        from proteus import Model
        config = self.config
        user, context = config.user, config._context
        User = Model.get('res.user')
        user_id, = [u['id'] for u in self.search_read(
                'res.user', [('login', '=', login)], ['id'])]
        config.user = user_id
        config._context = User.get_preferences(True, {})
        try:
            yield
        finally:
            config.user, config._context = user, context

    @contextlib.contextmanager
    def outbox_waits(self):
        """Leave the customers' notices queued for the queue worker
        instead of sending them when the call commits"""
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

    def staff_login(self, code, role):
        for login, first, last, role_, code_, _ in self.staff:
            if code_ == code and role_ == role:
                return login, f'{first} {last}'

    # --- workshops ----------------------------------------------------------

    def load_skills(self):
        from proteus import Model
        Skill = Model.get('dms.workshop.skill')
        skills = {s.name: s for s in Skill.find([('name', 'in', SKILLS)])}
        new = [Skill(name=n) for n in SKILLS if n not in skills]
        Skill.save(new)
        skills.update({s.name: s for s in new})
        self.skills = {n: s.id for n, s in skills.items()}

    def load_labour_product(self):
        """Create the labour service, whose account category books it on
        each rooftop's revenue for services"""
        from proteus import Model
        Account = Model.get('account.account')
        Category = Model.get('product.category')
        Template = Model.get('product.template')
        Uom = Model.get('product.uom')
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
                revenues = Account.find([
                        ('company', '=', company.id),
                        ('type.revenue', '=', True),
                        ('closed', '!=', True),
                        ], order=[('code', 'ASC')])
                # services are revenue recognised over time, parts at a
                # point of time
                category.account_revenue = ([a for a in revenues
                        if a.name == "Recognized Over Time"] or revenues)[0]
                category.account_expense, = Account.find([
                        ('company', '=', company.id),
                        ('type.expense', '=', True),
                        ('closed', '!=', True),
                        ], order=[('code', 'ASC')], limit=1)
                category.save()
        templates = Template.find([
                ('name', '=', LABOUR_PRODUCT),
                ('type', '=', 'service'),
                ('account_category', '=', category.id),
                ])
        if templates:
            template, = templates
        else:
            hour, = Uom.find([('symbol', '=', 'h')])
            template = Template(name=LABOUR_PRODUCT, type='service',
                default_uom=hour, salable=True, sale_uom=hour,
                list_price=LABOUR_RATES['customer'],
                account_category=category)
            template.save()
        for company in self.companies.values():
            with self.config.set_context(company=company.id):
                template = Template(template.id)
                if template.list_price is None:
                    template.list_price = LABOUR_RATES['customer']
                    template.save()
        self.labour_product, = [p.id for p in template.products]

    def load_workshops(self):
        """Create each rooftop's workshop with its order sequence, bays
        and labour rates"""
        from proteus import Model
        Department = Model.get('dms.department')
        ModelData = Model.get('ir.model.data')
        Product = Model.get('product.product')
        Sequence = Model.get('ir.sequence')
        SequenceType = Model.get('ir.sequence.type')
        Workshop = Model.get('dms.workshop')
        self.workshops = {}
        for code in ROOFTOPS:
            company = self.companies[code]
            existing = self.search_read('dms.workshop', [
                    ('company', '=', company.id), ('code', '=', code),
                    ], ['id'])
            if existing:
                self.workshops[code] = existing[0]['id']
                continue
            with self.config.set_context(company=company.id):
                sequence_type = SequenceType(ModelData.get_id(
                        'dms_workshop', 'sequence_type_order',
                        self.config.context))
                name = f"Repair Orders {CITIES[code]}"
                sequences = Sequence.find([
                        ('name', '=', name), ('company', '=', company.id)])
                if sequences:
                    sequence, = sequences
                else:
                    sequence = Sequence(name=name, company=company,
                        sequence_type=sequence_type, prefix=f'{code}-RO',
                        padding=5)
                    sequence.save()
                departments = {d.type: d for d in Department.find([
                            ('company', '=', company.id),
                            ('type', 'in', ['service', 'parts']),
                            ])}
                workshop = Workshop(company=company,
                    name=f"Service {CITIES[code]}", code=code,
                    warehouse=self.warehouses[code],
                    order_sequence=sequence,
                    service_department=departments.get('service'),
                    parts_department=departments.get('parts'),
                    labour_product=Product(self.labour_product))
                if 'internal_account' in Workshop._fields:
                    # internal work is charged to the rooftop's expenses
                    workshop.internal_account, = Model.get(
                        'account.account').find([
                            ('company', '=', company.id),
                            ('type.expense', '=', True),
                            ('closed', '!=', True),
                            ], order=[('code', 'ASC')], limit=1)
                for i, (name, type_) in enumerate(BAYS[code]):
                    workshop.bays.new(name=name, type=type_, sequence=i + 1)
                for payer, rate in LABOUR_RATES.items():
                    workshop.labour_rates.new(payer=payer, rate=rate)
                workshop.save()
                self.workshops[code] = workshop.id

    def load_technicians(self):
        """Put the technician users and their colleagues without login in
        their workshop with their skills"""
        from proteus import Model
        Employee = Model.get('company.employee')
        Party = Model.get('party.party')
        Skill = Model.get('dms.workshop.skill')
        Workshop = Model.get('dms.workshop')
        self.technicians = {}
        for code in ROOFTOPS:
            company = self.companies[code]
            login, name = self.staff_login(code, 'technician')
            specs = [(name, '1', USER_SKILLS, login)] + [
                (f'{first} {last}', ratio, skills, None)
                for first, last, ratio, skills in TECHNICIANS[code]]
            with self.config.set_context(company=company.id):
                workshop = Workshop(self.workshops[code])
                employees = {e.party.name: e for e in Employee.find([
                            ('company', '=', company.id),
                            ('party.name', 'in', [s[0] for s in specs]),
                            ])}
                service, = [d for d in Model.get('dms.department').find([
                            ('company', '=', company.id),
                            ('type', '=', 'service'),
                            ])]
                to_save = []
                for name, ratio, skills, login in specs:
                    employee = employees.get(name)
                    if employee is None:
                        party = Party(name=name)
                        party.save()
                        employee = Employee(company=company, party=party,
                            department=service)
                        employees[name] = employee
                    if employee.workshop != workshop:
                        employee.workshop = workshop
                        employee.attendance_ratio = Decimal(ratio)
                        employee.skills.extend(
                            Skill(self.skills[s]) for s in skills)
                        to_save.append(employee)
                Employee.save(to_save)
                self.technicians[code] = [
                    (employees[n].id, login) for n, _, _, login in specs]

    def load_operations(self):
        "Create the labour operations of each make with their model times"
        from proteus import Model
        Make = Model.get('dms.vehicle.make')
        Operation = Model.get('dms.workshop.operation')
        Skill = Model.get('dms.workshop.skill')
        existing = {(r['make'], r['code']): r['id'] for r in self.search_read(
                'dms.workshop.operation', [], ['make', 'code'])}
        new = []
        for make in Make.find([('name', 'in', [m['name'] for m in CATALOG])]):
            models = {m.name: m for m in make.models}
            for key, (name, hours, skill, codes, times, _) in (
                    OPERATIONS.items()):
                if (make.id, codes[make.name]) in existing:
                    continue
                operation = Operation(code=codes[make.name], name=name,
                    make=make, standard_hours=hours,
                    skill=Skill(self.skills[skill]) if skill else None)
                for model, model_hours in times.items():
                    if model in models:
                        operation.times.new(
                            model=models[model], hours=model_hours)
                new.append(operation)
        Operation.save(new)
        self.operations = {}
        makes = {m['id']: m['name'] for m in self.search_read(
                'dms.vehicle.make', [], ['name'])}
        by_code = {(makes.get(r['make']), r['code']): r['id']
            for r in self.search_read(
                'dms.workshop.operation', [], ['make', 'code'])}
        for key, (_, _, _, codes, _, _) in OPERATIONS.items():
            for make, code in codes.items():
                self.operations[make, key] = by_code[make, code]

    def load_payment_methods(self):
        """Give each rooftop the bank payment method its accountant records
        the manufacturers' payments with"""
        from proteus import Model
        Account = Model.get('account.account')
        Journal = Model.get('account.journal')
        Method = Model.get('account.invoice.payment.method')
        self.payment_methods = {}
        journal, = Journal.find([('type', '=', 'cash')], limit=1)
        for code in ROOFTOPS:
            company = self.companies[code]
            methods = Method.find([
                    ('company', '=', company.id), ('name', '=', "Bank")])
            if methods:
                self.payment_methods[code] = methods[0].id
                continue
            with self.config.set_context(company=company.id):
                bank, = Account.find([
                        ('company', '=', company.id),
                        ('name', '=', "Cash and Cash Equivalents"),
                        ('type', '!=', None),
                        ], limit=1)
                method = Method(name="Bank", company=company,
                    journal=journal, credit_account=bank,
                    debit_account=bank)
                method.save()
                self.payment_methods[code] = method.id

    # --- the week -----------------------------------------------------------

    def vehicles(self, code):
        """Return the customers' cars of the rooftop's customers as dicts,
        in a fixed order"""
        records = self.search_read('dms.vehicle', [
                ('owner', 'in', sorted(self.customers[code])),
                ['OR',
                    ('state', '=', 'customer'),
                    [('state', '=', 'sold'),
                        ('stock_state', '=', 'delivered')],
                    ],
                ], ['vin', 'owner', 'make', 'make.name', 'model',
                'model.name', 'variant', 'fuel_type', 'mileage'],
            order=[('vin', 'ASC')])
        return records

    def parts(self, vehicle, warehouse, company):
        """Return the parts fitting the vehicle not superseded, as
        {name: [(product id, quantity on hand)]}"""
        templates = self.search_read('product.template', [
                ('part', '=', True),
                ('fitments', 'where', ['OR',
                        ('variant', '=', vehicle['variant']),
                        [('model', '=', vehicle['model']),
                            ('variant', '=', None)],
                        [('make', '=', vehicle['make']),
                            ('model', '=', None)],
                        ]),
                ], ['name', 'products'], order=[('id', 'ASC')])
        ids = [p for t in templates for p in t['products']]
        products = {r['id']: r for r in self.search_read('product.product', [
                    ('id', 'in', ids), ('replaced_by', '=', None),
                    ], ['quantity'], context={
                    # the stock of the rooftop's moves
                    'company': company, 'locations': [warehouse],
                    'with_childs': True})}
        parts = defaultdict(list)
        for template in templates:
            for product in template['products']:
                if product in products:
                    parts[template['name']].append(
                        (product, products[product]['quantity']))
        return parts

    def plan_week(self, code):
        """Return the jobs of the rooftop's week: WEEK with its vehicle,
        slot, lines and mileage"""
        random = self.random('week', code)
        vehicles = self.vehicles(code)
        random.shuffle(vehicles)
        workshop = self.workshops[code]
        bays = [b['id'] for b in self.search_read('dms.workshop.bay', [
                    ('workshop', '=', workshop)], ['id'],
                order=[('sequence', 'ASC')])]
        technicians = self.technicians[code]
        schedule = _Schedule(bays, [t for t, _ in technicians])
        user_technician = technicians[0][0]
        warehouse = self.warehouses[code].id
        used = Counter()
        jobs = []
        free = list(vehicles)
        closed = []
        for key, state, appointment, day, hours, operations, extra in WEEK:
            if free:
                vehicle = free.pop(0)
            else:
                # the rooftop's cars back for their next visit
                vehicle = closed.pop(0)
            if state in {'done', 'invoiced', 'cancelled'}:
                closed.append(vehicle)
            electric = vehicle['fuel_type'] == 'electric'
            operations = [ELECTRIC.get(o, o) if electric else o
                for o in operations]
            date = workday(self.today, day)
            loaner = None
            if key == 'loaner':
                loaner, date, start, end = self.free_loaner(code, day)
                slot = schedule.book(date, hours, start=start, end=end)
            else:
                # the open clock of the week is the technician user's
                slot = schedule.book(date, hours,
                    technician=user_technician if key == 'progress' else None,
                    first=random.choice([0, 1, 1, 2, 3, 5]))
            moved = None
            if appointment == 'rescheduled':
                moved = slot
                slot = schedule.book(workday(self.today, day - 1), hours)
            parts = self.parts(vehicle, warehouse, self.companies[code].id)
            lines = []
            for revision, keys in [(1, operations), (2, extra)]:
                for operation in keys:
                    lines.append(('labour', operation, 1, revision))
                    for prefix, quantity in OPERATIONS[operation][5]:
                        choice = self.choose_part(parts, prefix, quantity,
                            used, missing=(state == 'waiting_parts'))
                        if choice:
                            lines.append(('part', choice, quantity, revision))
            jobs.append({
                    'key': key,
                    'state': state,
                    'appointment': appointment,
                    'vehicle': vehicle,
                    'slot': slot,
                    'moved': moved,
                    'lines': lines,
                    'complaint': COMPLAINTS.get(operations[0]),
                    'mileage': int(vehicle['mileage'] or 0)
                    + random.randint(400, 2400),
                    'fuel_level': random.choice([15, 25, 40, 50, 60, 75]),
                    'warranty': 'recall' in operations,
                    'loaner': loaner,
                    })
        return jobs

    @staticmethod
    def choose_part(parts, prefix, quantity, used, missing=False):
        """Return the product of the first part named prefix with enough
        stock left, None when there is none; missing: of a part not on
        hand, another one when that one is"""
        names = sorted(parts)
        if missing:
            names = ([n for n in names if n.startswith(prefix)]
                + [n for p in MISSING for n in names if n.startswith(p)]
                + names)
            for name in names:
                for product, on_hand in parts[name]:
                    if on_hand <= 0:
                        return product
            return
        for name in names:
            if not name.startswith(prefix):
                continue
            for product, on_hand in parts[name]:
                if on_hand - used[product] >= quantity:
                    used[product] += quantity
                    return product

    def run_week(self, code):
        """Book the appointments of the rooftop's week and take the cars
        through their repair orders as its advisor and technician would"""
        jobs = self.plan_week(code)
        advisor, _ = self.staff_login(code, 'service_advisor')
        with self.outbox_waits(), self.as_user(advisor):
            self.book_appointments(code, jobs)
            for job in jobs:
                if job['state']:
                    self.open_order(job)
        for job in jobs:
            if job['state'] and job['state'] not in {
                    'draft', 'checked_in', 'estimate_sent', 'cancelled'}:
                self.work(code, job, advisor)
        with self.outbox_waits(), self.as_user(advisor):
            for job in jobs:
                if job['state'] == 'cancelled':
                    self.order(job).click('cancel')

    def book_appointments(self, code, jobs):
        "Book, confirm, move and release the week's appointments"
        from proteus import Model
        Appointment = Model.get('dms.workshop.appointment')
        Bay = Model.get('dms.workshop.bay')
        Employee = Model.get('company.employee')
        Vehicle = Model.get('dms.vehicle')
        Workshop = Model.get('dms.workshop')
        workshop = Workshop(self.workshops[code])
        for job in jobs:
            if not job['appointment']:
                continue
            start, end, bay, technician = job['slot']
            appointment = Appointment(workshop=workshop)
            appointment.vehicle = Vehicle(job['vehicle']['id'])
            appointment.planned_start = self.utc(start)
            appointment.planned_end = self.utc(end)
            appointment.bay = Bay(bay)
            appointment.technician = Employee(technician)
            appointment.complaint = job['complaint']
            appointment.save()
            job['appointment_id'] = appointment.id
            state = job['appointment']
            if state == 'requested':
                continue
            appointment.click('confirm')
            if state == 'arrived':
                appointment.click('arrive')
            elif state == 'no_show':
                appointment.click('no_show')
            elif state == 'cancelled':
                appointment.click('cancel')
            elif state == 'rescheduled':
                start, end, bay, technician = job['moved']
                appointment.planned_start = self.utc(start)
                appointment.planned_end = self.utc(end)
                appointment.bay = Bay(bay)
                appointment.technician = Employee(technician)
                appointment.save()
            elif job['loaner']:
                appointment.loaner_vehicle = Vehicle(job['loaner'])
                appointment.save()
                appointment.click('book_loaner')

    def free_loaner(self, code, day):
        """Return the rooftop's loaner or demonstrator free on the first
        of the working days from day, the whole day or half of it, as
        (vehicle id, date, local start, local end); the vehicle is None and
        the time the whole day when none is"""
        vehicles = self.search_read('dms.vehicle', [
                ('usage', 'in', ['loaner', 'demo']),
                ('holding_company', '=', self.companies[code].id),
                ('state', '=', 'available'),
                ], ['usage'], order=[('usage', 'DESC'), ('id', 'ASC')])
        for days in [day, day + 1]:
            date = workday(self.today, days)
            for start, end in LOANER_TIMES:
                start = dt.datetime.combine(date, start)
                end = dt.datetime.combine(date, end)
                for vehicle in vehicles:
                    if not self.search_read('dms.vehicle.booking', [
                                ('vehicle', '=', vehicle['id']),
                                ('state', '!=', 'cancelled'),
                                ('planned_start', '<', self.utc(end)),
                                ('planned_end', '>', self.utc(start)),
                                ], ['id']):
                        return vehicle['id'], date, start, end
        start, end = LOANER_TIMES[0]
        date = workday(self.today, day)
        return (None, date, dt.datetime.combine(date, start),
            dt.datetime.combine(date, end))

    def order(self, job):
        from proteus import Model
        return Model.get('dms.workshop.order')(job['order'])

    def add_lines(self, order, job, revision):
        "Add the job's lines of the revision to the order"
        from proteus import Model
        Employee = Model.get('company.employee')
        Operation = Model.get('dms.workshop.operation')
        Product = Model.get('product.product')
        make = job['vehicle']['make.']['name']
        technician = job['slot'][3]
        for type_, value, quantity, revision_ in job['lines']:
            if revision_ != revision:
                continue
            if type_ == 'labour':
                line = order.lines.new(type='labour',
                    operation=Operation(self.operations[make, value]))
                if value == 'recall':
                    line.payer = 'warranty'
                line.technician = Employee(technician)
            else:
                line = order.lines.new(type='part', product=Product(value),
                    quantity=quantity)
        order.save()

    def open_order(self, job):
        """Complete the repair order the arrival opened (or open one), check
        the car in and send the estimate, as far as the job's state needs"""
        from proteus import Model
        Appointment = Model.get('dms.workshop.appointment')
        Order = Model.get('dms.workshop.order')
        Vehicle = Model.get('dms.vehicle')
        order = None
        if job.get('appointment_id'):
            appointment = Appointment(job['appointment_id'])
            if appointment.order:
                order = Order(appointment.order.id)
            else:
                order = Order(appointment=appointment)
        else:
            order = Order(vehicle=Vehicle(job['vehicle']['id']))
            order.complaint = job['complaint']
        order.fuel_level = job['fuel_level']
        if job['state'] != 'draft':
            order.mileage = job['mileage']
        order.save()
        job['order'] = order.id
        self.add_lines(order, job, 1)
        if job['state'] == 'draft':
            return
        order.click('check_in')
        start = job['slot'][0]
        self.times['dms.workshop.order', order.id]['received'] = (
            start - dt.timedelta(minutes=10))
        if job['state'] == 'checked_in':
            return
        order.click('send_estimate')
        self.time_revision(order, 1, start)
        if job['state'] in {'estimate_sent', 'cancelled'}:
            return
        order.click('approve')

    def time_revision(self, order, number, sent, decided=True):
        order.reload()
        revision, = [r for r in order.revisions if r.number == number]
        values = self.times['dms.workshop.order.revision', revision.id]
        values['sent_date'] = sent + dt.timedelta(minutes=20)
        values['expires'] = values['sent_date'] + (
            revision.expires - revision.sent_date)
        if decided:
            values['decided'] = sent + dt.timedelta(minutes=55)

    def work(self, code, job, advisor):
        """Start the work, issue the parts, clock the jobs and take the
        order to its state"""
        state = job['state']
        start = job['slot'][0]
        if state == 'approved':
            # dispatched, not started yet
            return
        times = self.times['dms.workshop.order', job['order']]
        with self.outbox_waits(), self.as_user(advisor):
            order = self.order(job)
            order.click('start')
            times['started'] = start + dt.timedelta(minutes=30)
            if state != 'waiting_parts':
                order.click('issue_parts')
        clock = self.clock(code, job, 1, start + dt.timedelta(minutes=40),
            advisor, open_=(state == 'in_progress'))
        if any(l[3] == 2 for l in job['lines']):
            # the technician found more work: a second revision
            with self.outbox_waits(), self.as_user(advisor):
                order = self.order(job)
                self.add_lines(order, job, 2)
                order.click('send_estimate')
                self.time_revision(order, 2, clock,
                    decided=(state != 'in_progress'))
                if state == 'in_progress':
                    return
                order.click('approve')
                order.click('issue_parts')
            clock = self.clock(code, job, 2, clock + dt.timedelta(hours=1),
                advisor)
        with self.outbox_waits(), self.as_user(advisor):
            order = self.order(job)
            if state == 'waiting_parts':
                # the part is not on hand: the order waits for it
                order.click('issue_parts')
                return
            if state == 'in_progress':
                return
            order.click('to_quality_check')
            if state == 'quality_check':
                return
            order.click('pass_quality')
        ready = clock + dt.timedelta(minutes=30)
        times['ready_date'] = ready
        if state == 'ready':
            return
        with self.as_user(advisor):
            # posting the invoices runs its queued tasks
            self.order(job).click('invoice')
        times['invoice_date'] = ready.date()
        if state == 'done':
            with self.as_user(advisor):
                self.order(job).click('hand_over')
            if job['warranty']:
                # collected the next morning
                times['done_date'] = dt.datetime.combine(
                    workday(ready.date(), 1), dt.time(7, 45))
            else:
                times['done_date'] = ready + dt.timedelta(hours=1)

    def clock(self, code, job, revision, start, advisor, open_=False):
        """Clock the technician of the job on its labour lines of the
        revision, one after the other from start; return when the last
        ends.  The technician user clocks through the buttons; the advisor
        records the time of the technicians without login."""
        from proteus import Model
        employee = job['slot'][3]
        login = dict(self.technicians[code])[employee]
        random = self.random('clock', code, job['key'], revision)
        with self.as_user(advisor):
            Line = Model.get('dms.workshop.order.line')
            records = Line.find([
                    ('order', '=', job['order']),
                    ('type', '=', 'labour'),
                    ('approval', '=', 'approved'),
                    ], order=[('id', 'ASC')])
            lines = [l.id for l in records if not l.clocks]
            quantities = {l.id: l.quantity for l in records}
        for i, line_id in enumerate(lines):
            hours = quantities[line_id] * random.uniform(0.75, 1.2)
            end = start + dt.timedelta(hours=hours)
            keep_open = open_ and i == len(lines) - 1
            if login:
                with self.as_user(login):
                    Clock = Model.get('dms.workshop.clock')
                    line = Model.get('dms.workshop.order.line')(line_id)
                    line.click('clock_on')
                    if not keep_open:
                        line.click('clock_off')
                    clock, = Clock.find([('line', '=', line_id)])
                values = self.times['dms.workshop.clock', clock.id]
                values['start'] = start
                if not keep_open:
                    values['end'] = end
            else:
                # a time still ahead ends now
                until = min(end, self.now_local)
                with self.as_user(advisor):
                    Clock = Model.get('dms.workshop.clock')
                    Clock(technician=Model.get('company.employee')(employee),
                        line=Model.get('dms.workshop.order.line')(line_id),
                        start=self.utc(until - (end - start)),
                        end=self.utc(until),
                        comment="Recorded by the service advisor").save()
            start = end + dt.timedelta(minutes=random.choice([5, 10, 20]))
        return start

    @property
    def now_local(self):
        return dt.datetime.now(self.zone).replace(tzinfo=None) - (
            dt.timedelta(minutes=1))

    # --- the past -----------------------------------------------------------

    def backdate(self):
        """Move the times the buttons set to now back to when the week's
        events happened.  The users may not write these fields (the
        server refuses them over RPC on purpose), so this writes them with
        the ORM in a transaction of its own; a time still ahead keeps the
        button's."""
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        now = self.now_local
        with Transaction().start(self.config.database_name, 0,
                context=self.config.context) as transaction:
            pool = Pool()
            for (model, id_), values in sorted(self.times.items()):
                Model = pool.get(model)
                record = Model(id_)
                to_write = {}
                for name, local in values.items():
                    if isinstance(local, dt.datetime):
                        if local >= now:
                            continue
                        to_write[name] = self.utc(local)
                    else:
                        to_write[name] = local
                if to_write:
                    Model.write([record], to_write)
            transaction.commit()

    # --- warranty claims ----------------------------------------------------

    def load_claim(self, code):
        """Claim the recall of the rooftop's week from the manufacturer:
        submitted, accepted or paid"""
        from proteus import Model, Wizard
        target = CLAIMS[code]
        orders = self.search_read('dms.workshop.order', [
                ('workshop', '=', self.workshops[code]),
                ('state', 'in', ['ready', 'invoiced', 'done']),
                ('lines.payer', '=', 'warranty'),
                ], ['id'], order=[('id', 'ASC')])
        if not orders:
            return
        order_id = orders[0]['id']
        if self.search_read('dms.workshop.warranty_claim', [
                    ('order', '=', order_id)], ['id']):
            return
        advisor, _ = self.staff_login(code, 'service_advisor')
        with self.outbox_waits(), self.as_user(advisor):
            Claim = Model.get('dms.workshop.warranty_claim')
            Order = Model.get('dms.workshop.order')
            claim = Claim(order=Order(order_id))
            claim.cause = CLAIM_TEXTS['cause']
            claim.correction = CLAIM_TEXTS['correction']
            claim.save()
            claim.click('submit')
            if target in {'accepted', 'paid'}:
                claim.manufacturer_reference = (
                    f"GW-{self.random('claim', code).randint(100000, 999999)}")
                claim.save()
                claim.click('accept')
            claim_id = claim.id
        # the advisor does not see the invoices
        invoice, = [c['invoice'] for c in self.search_read(
                'dms.workshop.warranty_claim', [('id', '=', claim_id)],
                ['invoice'])]
        if target == 'paid' and invoice:
            Invoice = Model.get('account.invoice')
            Method = Model.get('account.invoice.payment.method')
            with self.config.set_context(company=self.companies[code].id):
                pay = Wizard('account.invoice.pay', [Invoice(invoice)])
                pay.form.payment_method = Method(self.payment_methods[code])
                pay.execute('choice')

    # --- summary ------------------------------------------------------------

    def counts(self):
        counts = Counter()
        for code in ROOFTOPS:
            workshop = self.workshops[code]
            for model, key in [('dms.workshop.order', None),
                    ('dms.workshop.appointment', 'appointment')]:
                for record in self.search_read(model, [
                            ('workshop', '=', workshop)], ['state']):
                    counts[(code, record['state']) if key is None
                        else (code, key, record['state'])] += 1
            counts['claims', code] = len(self.search_read(
                    'dms.workshop.warranty_claim', [
                        ('order.workshop', '=', workshop)], ['id']))
        return counts
