# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo leads of the dealer group.

Each rooftop has its lead pool and the group one more for leads any
rooftop may take.  A new-car lead must be followed up within 30 minutes,
a used-car lead within an hour, any other within a day, and then every
three days; owners are warned at 80 % of the limit.  Salespeople claim at
most 12 leads a day.  Düsseldorf lets round-robin spread its leads over
the salespeople on duty; Köln and Bonn claim and assign them.  Leads come
from the website, mobile.de and AutoScout24 (ADF e-mails into the lead
mailbox), plain e-mails, the phone and walk-ins, and each new one got the
autoresponder's answer in German or English.

The day of each rooftop, in the order it happened (the leads' clock runs
back three hours for it): leads taken in from e-mail and the web, some
claimed three hours ago and never followed up (reclaimed into the pool by
the scheduler, the manager told), some claimed twenty-six minutes ago
(their owner warned), some just now, followed up and worked further into
opportunities, converted into a sale, lost with a reason or cancelled; a
lead assigned by the manager and one transferred to another rooftop's
pool.  A hostile ADF document sits in the mailbox as a failed e-mail.

Köln tracks the calls of two numbers (one missed call became a call-back
lead, a call to an unknown number waits to be assigned), each rooftop
keeps search orders of customers waiting for a make (one of them fired when
Köln received the car) and Köln sent its winter check to the keepers of
its Volkswagens, some of whom opened it and used its buttons.

`load(config, ...)` sets up what is missing and works the leads only when
no lead is in a pool yet, so a second run changes nothing.  Every name and
address is invented for the demo."""
import contextlib
import datetime as dt
import random as random_module
import time
from collections import Counter
from email.message import EmailMessage

from .vehicles import CITIES, ROOFTOPS

SOURCES = [
    ("Website", 'website'),
    ("mobile.de", 'marketplace'),
    ("AutoScout24", 'marketplace'),
    ("Phone", 'phone'),
    ("Walk-in", 'walk_in'),
    ("Referral", 'referral'),
    ("Newsletter", 'campaign'),
    ]
LOST_REASONS = [
    "Bought elsewhere", "Price too high", "No financing",
    "No longer interested", "Not reachable",
    ]
CLAIM_CAP = 12
# Reclaim rules of the rooftops' pools: (lead type, first limit, next)
RULES = [
    ('new_vehicle', dt.timedelta(minutes=30), dt.timedelta(days=3)),
    ('used_vehicle', dt.timedelta(hours=1), dt.timedelta(days=3)),
    (None, dt.timedelta(days=1), dt.timedelta(days=3)),
    ]
ROUND_ROBIN = {'DUS'}
AUTORESPONSES = [
    ('de', 'new_vehicle', "Ihre Anfrage {number}",
        "Guten Tag {customer},\n\nvielen Dank für Ihr Interesse an:\n"
        "{vehicle}\n\nIhr Verkaufsberater meldet sich in Kürze bei Ihnen."
        "\n\n{company}"),
    ('de', None, "Ihre Nachricht an {company}",
        "Guten Tag {customer},\n\nvielen Dank für Ihre Nachricht. Wir "
        "melden uns in Kürze bei Ihnen.\n\n{company}"),
    (None, None, "Your enquiry {number}",
        "Dear {customer},\n\nthank you for your enquiry {vehicle}. "
        "We will get back to you shortly.\n\n{company}"),
    ]
ADF = '''<?xml version="1.0" encoding="UTF-8"?>
<?adf version="1.0"?>
<adf>
 <prospect status="new">
  <id sequence="1" source="{provider}">{reference}</id>
  <requestdate>{date}</requestdate>
  <vehicle interest="buy" status="{status}">
   <year>{year}</year><make>{make}</make><model>{model}</model>
   <vin>{vin}</vin><price currency="EUR">{price}</price>
  </vehicle>
  <customer>
   <contact>
    <name part="full">{name}</name>
    <email>{email}</email>
    <phone type="voice">{phone}</phone>
   </contact>
   <comments>{comments}</comments>
  </customer>
  <vendor><vendorname>{vendor}</vendorname></vendor>
  <provider><name part="full">{provider}</name></provider>
 </prospect>
</adf>
'''
HOSTILE = '''<?xml version="1.0"?>
<!DOCTYPE adf [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>
<adf><prospect><customer><contact><name>&b;</name>
<email>x@example.invalid</email></contact></customer></prospect></adf>
'''
COMMENTS = [
    "Ist das Fahrzeug noch verfügbar? Probefahrt am Samstag möglich?",
    "Was wäre mein Gebrauchter in Zahlung wert?",
    "Bitte um ein Leasingangebot über 36 Monate.",
    "Can you deliver to Aachen?",
    ]
PLAIN = [
    ("Termin Probefahrt", "Guten Tag, ich würde gern nächste Woche den "
        "Kombi probefahren. Wann passt es Ihnen?"),
    ("Angebot Winterräder", "Hallo, was kosten Winterkompletträder für "
        "meinen Wagen?"),
    ]


def load(config, seed, companies, warehouses, customers, staff, timezone):
    """Set the lead pools up and work each rooftop's leads when no lead is
    in a pool yet; return the number of leads by (rooftop code, state).

    companies by rooftop code; customers as (party, town, nearest rooftop
    code, is a person); staff as group_data.STAFF."""
    start = time.monotonic()
    loader = _Loader(config, seed, companies, warehouses, customers, staff)
    loader.load()
    counts = loader.counts()
    for code in ROOFTOPS:
        states = sorted((k[1], n) for k, n in counts.items()
            if len(k) == 2 and k[0] == code)
        print(f"Leads {code}: {sum(n for _, n in states)} ("
            + ', '.join(f'{n} {s}' for s, n in states) + ")", flush=True)
    print(f"Leads loaded in {time.monotonic() - start:.1f} s: "
        f"{counts['waiting']} waiting in the pools, "
        f"{counts['reclaimed']} reclaimed, "
        f"{counts['failed']} failed e-mail, {counts['calls']} calls, "
        f"{counts['matches']} search orders matched, campaign "
        f"{counts['opened']} opened and {counts['clicked']} clicked",
        flush=True)
    return counts


class _Loader:
    "Bring a database to the group's leads through the buttons"

    def __init__(self, config, seed, companies, warehouses, customers,
            staff):
        self.config = config
        self.seed = seed
        self.companies = companies
        self.warehouses = warehouses
        self.customers = {code: [] for code in ROOFTOPS}
        for party, town, code, person in sorted(
                customers, key=lambda c: c[0].name):
            if person:
                self.customers[code].append(party.id)
        self.staff = staff
        self.pools = {}

    def random(self, *keys):
        return random_module.Random('-'.join(
                [str(self.seed), 'leads'] + [str(k) for k in keys]))

    def search_read(self, model, domain, fields, order=None):
        from proteus import Model
        return Model.get(model)._proxy.search_read(
            domain, 0, None, order, fields, self.config.context)

    @contextlib.contextmanager
    def as_user(self, login):
        "Run the calls as the user, with their preferences"
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
    def clock(self, ago):
        "Make the leads' clock run `ago` behind"
        from trytond.modules.dms_crm_leads import opportunity
        real = opportunity._now
        opportunity._now = lambda: real() - ago
        try:
            yield
        finally:
            opportunity._now = real

    def logins(self, code, role):
        return [login for login, _, _, role_, code_, _ in self.staff
            if code_ == code and role_ == role and login]

    def employee(self, login):
        user, = self.search_read(
            'res.user', [('login', '=', login)], ['employee'])
        return user['employee']

    def load(self):
        self.load_sources()
        self.load_lost_reasons()
        self.load_claim_cap()
        self.load_pools()
        self.load_autoresponses()
        self.load_inbox()
        if not self.search_read(
                'sale.opportunity', [('pool', '!=', None)], ['id']):
            for code in ROOFTOPS:
                self.run_leads(code)
            self.run_group_pool()
            self.reclaim()
        if not self.search_read('dms.lead.call', [], ['id']):
            self.load_calls()
        if not self.search_read('dms.lead.search_order', [], ['id']):
            self.load_search_orders()
        if not self.search_read('dms.lead.campaign', [], ['id']):
            self.load_campaign()

    # --- set-up ------------------------------------------------------------

    def load_sources(self):
        from proteus import Model
        Source = Model.get('dms.lead.source')
        known = {s['name'] for s in self.search_read(
                'dms.lead.source', [], ['name'])}
        Source.save([Source(name=n, channel=c)
                for n, c in SOURCES if n not in known])

    def load_lost_reasons(self):
        from proteus import Model
        Reason = Model.get('dms.lead.lost_reason')
        known = {s['name'] for s in self.search_read(
                'dms.lead.lost_reason', [], ['name'])}
        Reason.save([Reason(name=n) for n in LOST_REASONS if n not in known])

    def load_claim_cap(self):
        from proteus import Model
        ClaimCap = Model.get('dms.lead.claim_cap')
        Group = Model.get('res.group')
        ModelData = Model.get('ir.model.data')
        group = ModelData.get_id('dms_base', 'group_sales', {})
        if not self.search_read(
                'dms.lead.claim_cap', [('group', '=', group)], ['id']):
            ClaimCap(group=Group(group), daily_cap=CLAIM_CAP).save()

    def load_pools(self):
        from proteus import Model
        Employee = Model.get('company.employee')
        LeadPool = Model.get('dms.lead.pool')
        for code in ROOFTOPS + [None]:
            company = self.companies[code] if code else None
            name = f"{CITIES[code]} Leads" if code else "Group Leads"
            found = LeadPool.find([('name', '=', name)])
            if found:
                self.pools[code], = found
                continue
            pool = LeadPool(name=name, company=company)
            if code:
                managers = (self.logins(code, 'sales_manager')
                    or self.logins(code, 'rooftop_manager'))
                if managers:
                    pool.manager = Employee(self.employee(managers[0]))
                pool.round_robin = code in ROUND_ROBIN
                for login in self.logins(code, 'sales'):
                    pool.members.new(employee=Employee(self.employee(login)))
                for lead_type, first, follow_up in RULES:
                    rule = pool.rules.new(lead_type=lead_type)
                    rule.first_limit = first
                    rule.follow_up_limit = follow_up
            else:
                rule = pool.rules.new()
                rule.first_limit = dt.timedelta(hours=2)
                rule.follow_up_limit = dt.timedelta(days=3)
            pool.save()
            self.pools[code] = pool

    def load_autoresponses(self):
        from proteus import Model
        AutoResponse = Model.get('dms.lead.autoresponse')
        Lang = Model.get('ir.lang')
        langs = {l.code: l for l in Lang.find([('translatable', '=', True)])}
        for code in ROOFTOPS:
            company = self.companies[code]
            if self.search_read('dms.lead.autoresponse',
                    [('company', '=', company.id)], ['id']):
                continue
            responses = []
            for lang, lead_type, subject, body in AUTORESPONSES:
                if lang and lang not in langs:
                    continue
                responses.append(AutoResponse(
                        company=company, lead_type=lead_type,
                        language=langs[lang] if lang else None,
                        subject=subject, body=body))
            AutoResponse.save(responses)

    def load_inbox(self):
        from proteus import Model
        Inbox = Model.get('inbound.email.inbox')
        Source = Model.get('dms.lead.source')
        found = Inbox.find([('name', '=', "Lead Mailbox")])
        if found:
            self.inbox, = found
            return
        inbox = Inbox(name="Lead Mailbox")
        marketplace, = Source.find([('name', '=', "mobile.de")])
        for code in ROOFTOPS:
            rule = inbox.rules.new(
                destination=rf'^leads-{code.lower()}@')
            rule.action = 'sale.opportunity|from_inbound_email'
            rule.lead_company = self.companies[code]
            rule.lead_pool = self.pools[code]
            rule.lead_type = 'used_vehicle'
        rule = inbox.rules.new(destination=r'^leads@')
        rule.action = 'sale.opportunity|from_inbound_email'
        rule.lead_company = self.companies[ROOFTOPS[0]]
        rule.lead_pool = self.pools[None]
        rule.lead_source = marketplace
        inbox.save()
        inbox.click('new_identifier')
        self.inbox = inbox

    # --- the day ---------------------------------------------------------

    def deliver(self, to, subject, body, sender='leads@mobile.example',
            attachment=None):
        from proteus import Model
        Email = Model.get('inbound.email')
        message = EmailMessage()
        message['From'] = sender
        message['To'] = to
        message['Subject'] = subject
        message.set_content(body, cte='quoted-printable')
        if attachment:
            message.add_attachment(attachment.encode('utf-8'),
                maintype='application', subtype='xml', filename='lead.xml')
        # Through the inbox's address, as the mail provider posts it
        from urllib.parse import urlsplit

        from werkzeug.test import Client

        from trytond.wsgi import app
        response = Client(app).post(
            urlsplit(self.inbox.endpoint).path, data=bytes(message),
            headers={'Content-Type': 'message/rfc822'})
        assert response.status_code == 204, response.get_data(as_text=True)
        email_, = Email.find([], order=[('id', 'DESC')], limit=1)
        return email_

    def stock_cars(self, code):
        return self.search_read('dms.vehicle', [
                ('stock_state', '=', 'in_stock'),
                ('state', '=', 'available'),
                ('holding_company', '=', self.companies[code].id),
                ], ['vin', 'make.name', 'model.name', 'model_year',
                'asking_price', 'usage'], order=[('id', 'ASC')])

    def party_contact(self, party_id):
        party, = self.search_read('party.party', [('id', '=', party_id)],
            ['name', 'email', 'phone'])
        return party

    def run_leads(self, code):
        from proteus import Model, Wizard
        Opportunity = Model.get('sale.opportunity')
        Party = Model.get('party.party')
        Reason = Model.get('dms.lead.lost_reason')
        Source = Model.get('dms.lead.source')
        random = self.random(code)
        company = self.companies[code]
        pool = self.pools[code]
        city = CITIES[code]
        to = f'leads-{code.lower()}@autohaus.example'
        # The rooftop's customers first, then those of the others
        customers = list(self.customers[code])
        random.shuffle(customers)
        others = [c for k, v in self.customers.items() if k != code
            for c in v]
        random.shuffle(others)
        customers = others + customers
        cars = self.stock_cars(code)
        random.shuffle(cars)
        sales = self.logins(code, 'sales')
        website, = Source.find([('name', '=', "Website")])
        walk_in, = Source.find([('name', '=', "Walk-in")])
        reasons = Reason.find([])
        leads = []

        with self.clock(dt.timedelta(hours=3)):
            # Marketplace ADF e-mails about cars in stock
            for i, car in enumerate(cars[:3]):
                person = self.party_contact(customers.pop())
                provider = ["mobile.de", "AutoScout24"][i % 2]
                adf = ADF.format(
                    provider=provider, reference=f'{code}-{7100 + i}',
                    date=dt.datetime.now().isoformat(timespec='seconds'),
                    status=car['usage'] if car['usage'] in {'new', 'used'}
                    else 'used', year=car['model_year'] or '',
                    make=(car['make.'] or {}).get('name', ''),
                    model=(car['model.'] or {}).get('name', ''),
                    vin=car['vin'],
                    price=car['asking_price'] or '',
                    name=person['name'],
                    email=person['email'] or f'kunde{i}@example.com',
                    phone=person['phone'] or '',
                    comments=COMMENTS[i % len(COMMENTS)],
                    vendor=f"Autohaus {city}")
                if i % 2:
                    email_ = self.deliver(to, "Neue Anfrage", "Siehe Anhang",
                        attachment=adf)
                else:
                    email_ = self.deliver(to, "Neue Anfrage", adf)
                if email_.result:
                    leads.append(Opportunity(email_.result.id))
            # Plain e-mails of customers
            for subject, body in PLAIN:
                person = self.party_contact(customers.pop())
                email_ = self.deliver(to, subject, body,
                    sender=person['email'] or 'kunde@example.com')
                if email_.result:
                    leads.append(Opportunity(email_.result.id))
            # Web form leads
            for car in cars[3:6]:
                with self.as_user(sales[0]):
                    lead = Opportunity(
                        party=Party(customers.pop()), company=company,
                        pool=pool, lead_type='new_vehicle'
                        if car['usage'] == 'new' else 'used_vehicle',
                        channel='website', source=website,
                        description="Kontaktformular")
                    lead.vehicle = Model.get('dms.vehicle')(
                        self.search_read('dms.vehicle',
                            [('vin', '=', car['vin'])], ['id'])[0]['id'])
                    lead.employee = None
                    lead.save()
                leads.append(lead)

            # Claimed three hours ago and forgotten: reclaimed later
            if code not in ROUND_ROBIN:
                for lead, login in zip(leads[:2], sales * 2):
                    with self.as_user(login):
                        Opportunity(lead.id).click('claim')
            else:
                Model.get('dms.lead.pool')(pool.id).click('distribute')

        with self.clock(dt.timedelta(minutes=26)):
            # Claimed 26 minutes ago, not yet followed up: owner warned
            for lead, login in zip(leads[2:3], sales):
                with self.as_user(login):
                    lead = Opportunity(lead.id)
                    if not lead.employee:
                        lead.click('claim')

        # Worked today: claimed, followed up, moved on
        worked = leads[3:]
        for n, lead in enumerate(worked):
            login = sales[n % len(sales)]
            with self.as_user(login):
                lead = Opportunity(lead.id)
                if not lead.employee:
                    lead.click('claim')
                    lead.reload()
                if lead.employee and lead.employee.id != self.employee(login):
                    continue
                call = lead.activities.new(kind='call', direction='out')
                call.subject = "Rückruf, Termin vereinbart"
                lead.save()
                if n == 0:
                    lead.click('opportunity')
                elif n == 1:
                    lead.lost_reason_code = reasons[
                        random.randrange(len(reasons))]
                    lead.save()
                    lead.click('lost')
                elif n == 2:
                    # the customer agreed on an offer: a sale to work on
                    lead.click('opportunity')
                    lead.click('convert')

        # A walk-in the manager assigns, one lead moved to another rooftop
        managers = (self.logins(code, 'sales_manager')
            or self.logins(code, 'rooftop_manager'))
        with self.config.set_context(company=company.id):
            walk = Opportunity(
                party=Party(customers.pop()), company=company, pool=pool,
                lead_type='service', channel='walk_in', source=walk_in,
                description="Fragt nach Inspektion und Reifenwechsel")
            walk.employee = None
            walk.save()
        if managers:
            with self.as_user(managers[0]):
                assign = Wizard('dms.lead.assign', [Opportunity(walk.id)])
                assign.form.employee = Model.get('company.employee')(
                    self.employee(sales[-1]))
                assign.form.reason = "Stammkunde"
                assign.execute('assign')
        other = ROOFTOPS[(ROOFTOPS.index(code) + 1) % len(ROOFTOPS)]
        with self.config.set_context(company=company.id):
            move = Opportunity(
                party=Party(customers.pop()), company=company, pool=pool,
                lead_type='used_vehicle', channel='phone',
                description=f"Wohnt näher an {CITIES[other]}")
            move.employee = None
            move.save()
        with self.as_user(sales[0]):
            transfer = Wizard('dms.lead.transfer', [Opportunity(move.id)])
            transfer.form.pool = Model.get('dms.lead.pool')(
                self.pools[other].id)
            transfer.form.reason = f"Kunde wohnt in {CITIES[other]}"
            transfer.execute('transfer')
        # One cancelled: a test enquiry of the website
        with self.config.set_context(company=company.id):
            test = Opportunity(
                party=Party(customers.pop()), company=company, pool=pool,
                lead_type='new_vehicle', channel='website',
                description="Test, bitte ignorieren")
            test.employee = None
            test.save()
            test.click('cancel')

    def run_group_pool(self):
        "Marketplace leads into the group's pool, one hostile document"
        from proteus import Model
        Opportunity = Model.get('sale.opportunity')
        for i, code in enumerate(ROOFTOPS[:2]):
            person = self.party_contact(self.customers[code][-1 - i])
            adf = ADF.format(provider="mobile.de", reference=f'GRP-{i}',
                date=dt.datetime.now().isoformat(timespec='seconds'),
                status='used', year=2021, make="Volkswagen", model="Golf",
                vin='', price='21900', name=person['name'],
                email=person['email'] or f'gruppe{i}@example.com',
                phone=person['phone'] or '', comments=COMMENTS[3],
                vendor="Autohausgruppe")
            self.deliver('leads@autohaus.example', "Neue Anfrage", adf)
        self.deliver('leads@autohaus.example', "Neue Anfrage", HOSTILE)
        sales = self.logins('BON', 'sales')
        waiting = Opportunity.find([
                ('pool', '=', self.pools[None].id),
                ('employee', '=', None)], order=[('id', 'ASC')])
        if waiting and sales:
            with self.as_user(sales[0]):
                Opportunity(waiting[0].id).click('claim')

    def reclaim(self):
        "The scheduler's reclaim run, at the end of the day"
        from proteus import Model
        Cron = Model.get('ir.cron')
        cron, = Cron.find([('method', '=', 'sale.opportunity|reclaim')])
        cron.click('run_once')

    # --- calls, search orders, campaign -----------------------------------

    def load_calls(self):
        """Köln's call tracking: a number on its website and one in its
        newsletter; a missed call of a customer (a call-back lead), an
        answered one and a call to a number nobody configured"""
        from urllib.parse import urlsplit

        from proteus import Model
        from werkzeug.test import Client

        from trytond.wsgi import app
        Provider = Model.get('dms.lead.call.provider')
        Source = Model.get('dms.lead.source')
        code = ROOFTOPS[0]
        company = self.companies[code]
        website, = Source.find([('name', '=', "Website")])
        newsletter, = Source.find([('name', '=', "Newsletter")])
        with self.config.set_context(company=company.id):
            provider = Provider(name="CallTrack", company=company)
            number = provider.numbers.new(number="+49 221 99887701")
            number.source = website
            number.pool = self.pools[code]
            number.lead_type = 'new_vehicle'
            number = provider.numbers.new(number="+49 221 99887702")
            number.source = newsletter
            number.pool = self.pools[code]
            number.lead_type = 'service'
            provider.save()
            provider.click('new_secret')
            provider.reload()
        callers = [self.party_contact(p) for p in self.customers[code][:2]]
        now = dt.datetime.now().astimezone()
        events = [
            ("+49 221 99887701", callers[0]['phone'] or "0221 5550101",
                30, 0, False),
            ("+49 221 99887702", callers[1]['phone'] or "0221 5550102",
                20, 185, True),
            ("+49 221 99887799", "0171 5550199", 5, 0, False),
            ]
        client = Client(app)
        path = urlsplit(provider.endpoint).path
        for i, (tracked, caller, ago, duration, answered) in enumerate(
                events):
            response = client.post(path, json={
                    'id': f'demo-{i}', 'tracking_number': tracked,
                    'caller': caller, 'duration': duration,
                    'answered': answered,
                    'time': (now - dt.timedelta(minutes=ago)).isoformat(
                        timespec='seconds'),
                    }, headers={'X-DMS-Call-Secret': provider.secret})
            assert response.status_code < 300, (
                path, response.get_data(as_text=True))

    def load_search_orders(self):
        """Customers wanting a car the rooftop does not have yet: one is
        received now and fires its search order"""
        from proteus import Model, Wizard
        Employee = Model.get('company.employee')
        Make = Model.get('dms.vehicle.make')
        Party = Model.get('party.party')
        SearchOrder = Model.get('dms.lead.search_order')
        Vehicle = Model.get('dms.vehicle')
        for code in ROOFTOPS:
            company = self.companies[code]
            sales = self.logins(code, 'sales')
            ordered = self.search_read('dms.vehicle', [
                    ('stock_state', '=', 'none'),
                    ('state', '=', 'available'),
                    ('make', '!=', None),
                    ], ['make', 'model', 'asking_price', 'model_year'],
                order=[('id', 'ASC')])
            customers = self.customers[code]
            with self.config.set_context(company=company.id):
                orders = []
                for i, car in enumerate(ordered[:2]):
                    order = SearchOrder(company=company,
                        party=Party(customers[-1 - i]),
                        employee=Employee(self.employee(sales[0])))
                    order.make = Make(car['make'])
                    if car['asking_price']:
                        order.max_price = (car['asking_price']
                            * 11 / 10).quantize(car['asking_price'])
                    orders.append(order)
                # and one nobody has: an old car under a small budget
                order = SearchOrder(company=company,
                    party=Party(customers[-3]),
                    employee=Employee(self.employee(sales[-1])))
                order.make = Make(ordered[0]['make'])
                order.min_year = 2025
                order.max_mileage = 10
                orders.append(order)
                SearchOrder.save(orders)
            if code == ROOFTOPS[0] and ordered:
                # the first ordered car arrives at the rooftop
                with self.config.set_context(company=company.id):
                    receive = Wizard('dms.vehicle.receive',
                        [Vehicle(ordered[0]['id'])])
                    receive.form.company = company
                    receive.form.warehouse = self.warehouses[code]
                    receive.form.cost_price = (
                        ordered[0]['asking_price'] or 20000) * 8 / 10
                    receive.execute('receive')

    def load_campaign(self):
        """Köln's winter check to the keepers of its Volkswagens: sent
        through a mail server on localhost that keeps the messages; some
        customers opened it and used its buttons"""
        import re
        from urllib.parse import urlsplit

        import trytond.config as tryton_config
        from proteus import Model
        from trytond.modules.dms_base.tests.tools import SMTPServer
        from werkzeug.test import Client

        from trytond.wsgi import app
        Campaign = Model.get('dms.lead.campaign')
        Make = Model.get('dms.vehicle.make')
        code = ROOFTOPS[0]
        company = self.companies[code]
        makes = Make.find([('name', '=', "Volkswagen")]) or Make.find([])
        uri = tryton_config.get('email', 'uri')
        server = SMTPServer().start()
        try:
            with self.config.set_context(company=company.id):
                campaign = Campaign(company=company,
                    name="Wintercheck 2026", segment='vehicles',
                    make=makes[0], channel='email',
                    subject="Wintercheck für Ihren {vehicle}",
                    body="Guten Tag {name},\n\nIhr {vehicle} ist bereit "
                    "für den Wintercheck bei {company}: Licht, Batterie, "
                    "Reifen und Frostschutz für 39 Euro.",
                    call_url='tel:+492219988770',
                    site_url='https://autohaus-rheinblick.example/winter',
                    booking_url=(
                        'https://autohaus-rheinblick.example/termin'))
                campaign.save()
                campaign.click('preview')
                if not campaign.recipients:
                    return
                campaign.click('send')
                campaign.reload()
        finally:
            server.stop()
            tryton_config.set('email', 'uri', uri)
        client = Client(app)
        random = self.random('campaign')
        for recipient in campaign.recipients:
            message = recipient.message
            if not message or random.random() < 0.4:
                continue
            links = dict(re.findall(r'^(.+): (\S+)$', message.body, re.M))
            if message.html:
                opened = re.search(r'<img src="([^"]+)"', message.html)
                if opened:
                    client.get(urlsplit(opened.group(1)).path)
            for url in list(links.values())[:random.randrange(0, 3)]:
                client.get(urlsplit(url).path)

    def counts(self):
        counts = Counter()
        companies = {c.id: code for code, c in self.companies.items()}
        for lead in self.search_read('sale.opportunity',
                [('pool', '!=', None)], ['company', 'state', 'employee']):
            counts[companies.get(lead['company']), lead['state']] += 1
            if not lead['employee'] and lead['state'] == 'lead':
                counts['waiting'] += 1
        counts['reclaimed'] = len(self.search_read(
                'dms.lead.history', [('action', '=', 'reclaim')], ['id']))
        counts['failed'] = len(self.search_read(
                'inbound.email', [('lead_error', '!=', None)], ['id']))
        counts['calls'] = len(self.search_read('dms.lead.call', [], ['id']))
        counts['matches'] = len(self.search_read(
                'dms.lead.search_order.match', [], ['id']))
        recipients = self.search_read('dms.lead.campaign.recipient', [],
            ['opened_at', 'call_at', 'site_at', 'booking_at'])
        counts['opened'] = sum(bool(r['opened_at']) for r in recipients)
        counts['clicked'] = sum(
            any(r[k] for k in ['call_at', 'site_at', 'booking_at'])
            for r in recipients)
        return counts
