#!/usr/bin/env python3
# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of dms_crm_leads: leads taken in from e-mail against the
platform's plain opportunity creation.

The issue asks for the e-mail intake rate, in leads per second from 1,000
mixed ADF and plain e-mails, as a ratio to the platform's plain
`sale.opportunity` creation measured in the same run.

The database has dms_crm_leads (and its dependencies) activated, one
company in Germany (phone numbers read as German ones), a lead pool, a
marketplace source, a make and model with a car, a general autoresponse and
an inbox whose rule takes every message to the lead address in as a lead
('sale.opportunity|from_inbound_email', used-car leads by default), all
created through the ORM.  EMAILS raw RFC 822 messages are stored as
`inbound.email` records of the inbox (data_type 'raw'), untimed: half carry
an ADF/XML 1.0 document (half of those in the body in quoted-printable, as
marketplaces send it, half as a base64 application/xml attachment), half
are plain text (half 8-bit, half quoted-printable).  Every tenth message
(as many ADF as plain) comes from the sender of a message before it (same
kind, same lead type), so a tenth of the messages are added to an open
lead as a note instead of making a lead: the de-duplication is
exercised.  Distinct senders otherwise, each a new customer (party and
contact mechanisms created).

Timed, in batches of BATCH records, each batch in a transaction of its own
committed at its end:

- intake: as the inbox's route does it, `inbox.process` of each e-mail
  (the rule matched, the message decoded, the ADF parsed, the customer
  found or created, the lead created in the pool, its history and its
  autoresponse queued, or the note added) then `inbound.email.save` of the
  batch; the autoresponses are queued, not sent (the queued tasks are
  dropped);
- plain: `sale.opportunity.create` of a batch of opportunities, each with
  an existing customer (created untimed), a description and a comment.

After one untimed warm-up batch of each kind, the batches of the two kinds
run in turn (first one kind, then the other), so that both see the same
machine load.  The rates are e-mails (each a lead or a note) and
opportunities per second; the ratio is intake / plain.  Checked untimed:
every e-mail has its rule, no error and its lead; as many leads and notes as
expected.

SQLite and, when TRYTOND_DATABASE_URI is a postgresql:// URI, PostgreSQL,
each in a child process as in bench_vehicle.py; the inbound e-mails' data
go to a temporary file store.
"""
import shutil
import statistics
import sys
import tempfile
import time
from email.message import EmailMessage

from bench_vehicle import _child, _write, drop_databases, run_backends

EMAILS = 1_000
BATCH = 100
# The last two messages of every REPEAT_EVERY (one ADF, one plain) come
# from the sender of the message REPEAT_BACK before (same kind, same type)
REPEAT_EVERY = 20
REPEAT_BACK = 8
DATABASE = 'bench_leads_intake'
MODULE = 'dms_crm_leads'
KINDS = ['plain', 'intake']
LEAD_ADDRESS = 'leads@autohaus-bench.example'
VIN = 'TMBJJ7NE5L0123456'

ADF = '''<?xml version="1.0" encoding="UTF-8"?>
<?adf version="1.0"?>
<adf>
 <prospect status="new">
  <id sequence="1" source="mobile.de">ML-{number}</id>
  <requestdate>2026-11-26T09:12:00+01:00</requestdate>
  <vehicle interest="buy" status="{status}">
   <year>2023</year><make>Skoda</make><model>Octavia</model>
   {vin}<price currency="EUR">{price}</price>
  </vehicle>
  {trade_in}
  <customer>
   <contact>
    <name part="first">Jürgen {number}</name><name part="last">Weiß</name>
    <email>{email}</email>
    <phone type="voice">030 {phone}</phone>
   </contact>
   <comments>Ist das Auto noch verfügbar? Größe Inspektion neu?</comments>
  </customer>
  <vendor><vendorname>Autohaus Bench</vendorname></vendor>
  <provider><name part="full">mobile.de</name></provider>
 </prospect>
</adf>
'''
TRADE_IN = '''<vehicle interest="trade-in" status="used">
   <year>2015</year><make>Opel</make><model>Astra</model>
   <odometer units="km">148000</odometer>
  </vehicle>'''
PLAIN = '''Grüß Gott,

ich interessiere mich für einen Skoda Octavia Combi ({number}) und möchte
gerne eine Probefahrt vereinbaren.  Bitte rufen Sie mich zurück.

Mit freundlichen Grüßen
Renée Müller {number}
'''


def run():
    return run_backends('bench_leads_intake', _bench_backend,
        lambda env: _child('drop', env, 'bench_leads_intake_drop', __file__))


def _bench_backend(backend, env, note):
    store = tempfile.mkdtemp(prefix='dms-bench-filestore-')
    try:
        result = _child('intake', dict(env, TRYTOND_DATABASE__PATH=store)
            if backend == 'postgresql' else env, DATABASE, __file__)
    finally:
        shutil.rmtree(store, ignore_errors=True)
    common = {
        'backend': backend,
        'database': note,
        'driver': result['driver'],
        'batch': BATCH,
        'commit': "one transaction per batch, committed at its end",
        }
    rates, results = {}, []
    for kind, label, unit in [
            ('plain', "plain opportunity creation rate (platform: "
                "sale.opportunity.create, existing customer)",
                'opportunities/s'),
            ('intake', "e-mail intake rate (inbox.process + save, "
                "1/2 ADF, 1/2 plain, 1/10 repeat senders)", 'leads/s')]:
        times = result['times'][kind]
        count = len(times) * BATCH
        rates[kind] = count / sum(times)
        per_record = [t * 1000 / BATCH for t in times]
        results.append({
                'name': label,
                'value': round(rates[kind], 1),
                'unit': unit,
                'records': count,
                'seconds': round(sum(times), 2),
                'median_batch_ms_per_record': round(
                    statistics.median(per_record), 2),
                'min_batch_ms_per_record': round(min(per_record), 2),
                'max_batch_ms_per_record': round(max(per_record), 2),
                **(result['counts'] if kind == 'intake' else {}),
                **common})
    ratio = rates['intake'] / rates['plain']
    results.append({
            'name': "e-mail intake rate / plain opportunity creation rate",
            'value': round(ratio, 3), 'unit': 'ratio',
            **common})
    return results


# --- the messages --------------------------------------------------------

def sender(index):
    "Return the index of the sender of the message index"
    if index % REPEAT_EVERY >= REPEAT_EVERY - 2:
        return index - REPEAT_BACK
    return index


def make_message(index, prefix=''):
    """Return the raw RFC 822 message number index: ADF (in the body,
    quoted-printable, or a base64 attachment) for even indexes, plain
    (8-bit or quoted-printable) for odd ones"""
    who = sender(index)
    number = f'{prefix}{who:05d}'
    message = EmailMessage()
    message['To'] = LEAD_ADDRESS
    message['Message-ID'] = f'<bench-{prefix}{index}@mail.example>'
    if index % 2 == 0:
        adf = ADF.format(
            number=number,
            status='used' if who % 4 == 0 else 'new',
            vin=f'<vin>{VIN}</vin>' if who % 8 == 0 else '',
            price=20000 + who,
            trade_in=TRADE_IN if who % 6 == 0 else '',
            email=f'juergen.{number}@example.com',
            # distinct from the warm-up's: a phone number finds the party
            phone=f'{(2000000 if prefix else 1000000) + who:07d}')
        message['From'] = 'noreply@mobile.de'
        message['Subject'] = f"Neue Anfrage ML-{number}"
        if index % 4 == 0:
            message.set_content(adf, cte='quoted-printable')
        else:
            message.set_content("Die Anfrage finden Sie im Anhang.")
            message.add_attachment(
                adf.encode('utf-8'), maintype='application', subtype='xml',
                filename='lead.xml')
    else:
        message['From'] = (
            f'"Renée Müller {number}" <renee.{number}@example.net>')
        message['Subject'] = f"Anfrage Octavia Combi {number}"
        message.set_content(PLAIN.format(number=number),
            cte='8bit' if index % 4 == 1 else 'quoted-printable')
    return bytes(message)


# --- the child -------------------------------------------------------------

def _transaction(context, func, *args):
    """Run func(*args) in a transaction of its own, committed (started
    again with the table locks it asks for, as the dispatcher does); drop
    the queued tasks it leaves; return its result"""
    from trytond.tests.test_tryton import DB_NAME, USER
    from trytond.transaction import Transaction, TransactionError
    extras = {}
    while True:
        with Transaction().start(
                DB_NAME, USER, context=context, **extras) as transaction:
            try:
                result = func(*args)
            except TransactionError as exception:
                transaction.rollback()
                exception.fix(extras)
                continue
            transaction.commit()
            transaction.tasks.clear()
            return result


def _activate():
    from trytond.pool import Pool
    from trytond.tests.test_tryton import activate_module
    activate_module(MODULE)
    # A test pool validates Function fields on every create and write,
    # which a server never does
    Pool.test = False


def _setup():
    """Create the company, the pool, the source, the catalog, the
    autoresponse and the inbox with its rule; return the user's context and
    the inbox id"""
    from trytond.modules.company.tests import create_company, set_company
    from trytond.modules.currency.tests import (
        add_currency_rate, create_currency)
    from trytond.pool import Pool

    pool = Pool()
    AutoResponse = pool.get('dms.lead.autoresponse')
    Country = pool.get('country.country')
    Inbox = pool.get('inbound.email.inbox')
    LeadPool = pool.get('dms.lead.pool')
    Make = pool.get('dms.vehicle.make')
    Source = pool.get('dms.lead.source')
    User = pool.get('res.user')
    Vehicle = pool.get('dms.vehicle')

    currency = create_currency('EUR')
    add_currency_rate(currency, 1)
    company = create_company("Autohaus Bench GmbH", currency)
    germany, = Country.create([{'name': "Germany", 'code': 'DE'}])
    address, = company.party.addresses
    address.country = germany
    address.save()
    with set_company(company):
        lead_pool, = LeadPool.create([{
                    'name': "Main Leads", 'company': company.id}])
        Source.create([{'name': "mobile.de", 'channel': 'marketplace'}])
        make, = Make.create([{
                    'name': "Skoda",
                    'models': [('create', [{'name': "Octavia"}])],
                    }])
        Vehicle.create([{
                    'vin': VIN, 'make': make.id,
                    'model': make.models[0].id,
                    }])
        AutoResponse.create([{
                    'company': company.id,
                    'subject': "Ihre Anfrage {number}",
                    'body': "Guten Tag {customer},\nvielen Dank für Ihr "
                    "Interesse an: {vehicle}\n{company}",
                    }])
        inbox, = Inbox.create([{
                    'name': "Leads",
                    'rules': [('create', [{
                                    'destination': r'leads@',
                                    'action':
                                    'sale.opportunity|from_inbound_email',
                                    'lead_company': company.id,
                                    'lead_pool': lead_pool.id,
                                    'lead_type': 'used_vehicle',
                                    }])],
                    }])
        context = User.get_preferences(context_only=True)
    return context, inbox.id


def _store_emails(inbox, prefix, indexes):
    "Store the messages of the indexes as e-mails of the inbox; their ids"
    from trytond.pool import Pool
    Email = Pool().get('inbound.email')
    emails = Email.create([{
                'inbox': inbox, 'data': make_message(i, prefix),
                'data_type': 'raw',
                } for i in indexes])
    return [e.id for e in emails]


def _customers(prefix, count):
    "Create count customers for the plain opportunities; their ids"
    from trytond.pool import Pool
    Party = Pool().get('party.party')
    parties = Party.create([{
                'name': f"Kunde {prefix}{i:05d}",
                'contact_mechanisms': [('create', [{
                                'type': 'email',
                                'value': f'kunde.{prefix}{i:05d}@example.org',
                                }])],
                } for i in range(count)])
    return [p.id for p in parties]


def intake(inbox_id, email_ids):
    "Take the e-mails in as the inbox's route does"
    from trytond.pool import Pool
    pool = Pool()
    Email = pool.get('inbound.email')
    Inbox = pool.get('inbound.email.inbox')
    inbox = Inbox(inbox_id)
    emails = Email.browse(email_ids)
    for email_ in emails:
        inbox.process(email_)
    Email.save(emails)


def plain(party_ids):
    "Create an opportunity for each customer through the platform's create"
    from trytond.pool import Pool
    Opportunity = Pool().get('sale.opportunity')
    Opportunity.create([{
                'party': p,
                'description': "Anfrage Octavia Combi",
                'comment': "Probefahrt gewünscht, bitte zurückrufen.",
                } for p in party_ids])


def _check(context, email_ids, party_ids):
    "Check what the intake and the plain creation made, untimed"
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, USER
    from trytond.transaction import Transaction
    pool = Pool(DB_NAME)
    Activity = pool.get('dms.lead.activity')
    Email = pool.get('inbound.email')
    Opportunity = pool.get('sale.opportunity')
    with Transaction().start(DB_NAME, USER, context=context):
        emails = Email.browse(email_ids)
        errors = [e.lead_error for e in emails if e.lead_error]
        assert not errors, errors[:3]
        assert all(e.rule and e.result for e in emails)
        results = [e.result.id for e in emails]
        leads = len(set(results))
        notes = Activity.search([
                ('lead', 'in', results), ('direction', '=', 'in'),
                ], count=True)
        repeats = sum(
            1 for i in range(len(email_ids)) if sender(i) != i)
        assert leads == len(email_ids) - repeats, leads
        assert notes == repeats, notes
        adf = Opportunity.search([
                ('id', 'in', results), ('source.name', '=', 'mobile.de'),
                ], count=True)
        assert adf == (len(email_ids) - repeats) // 2, adf
        with_vehicle = Opportunity.search([
                ('id', 'in', results), ('vehicle', '!=', None),
                ], count=True)
        assert with_vehicle, with_vehicle
        plain = Opportunity.search([('party', 'in', party_ids)], count=True)
        assert plain == len(party_ids), plain
    return {
        'emails': len(email_ids),
        'new_leads': leads,
        'notes_on_open_leads': notes,
        'adf_leads': adf,
        'leads_with_stock_vehicle': with_vehicle,
        'mix': "1/4 ADF in the body (quoted-printable), 1/4 ADF as a base64 "
        "attachment, 1/4 plain 8-bit, 1/4 plain quoted-printable; 1/10 "
        "from an earlier sender (as many ADF as plain)",
        }


def child_intake(output):
    _activate()
    context, inbox = _transaction({}, _setup)
    batches = EMAILS // BATCH
    warmup_emails = _transaction(
        context, _store_emails, inbox, 'w', range(BATCH))
    warmup_parties = _transaction(context, _customers, 'w', BATCH)
    email_ids = [
        _transaction(context, _store_emails, inbox, '',
            range(b * BATCH, (b + 1) * BATCH))
        for b in range(batches)]
    party_ids = [_transaction(context, _customers, str(b), BATCH)
        for b in range(batches)]

    _transaction(context, plain, warmup_parties)
    _transaction(context, intake, inbox, warmup_emails)
    times = {kind: [] for kind in KINDS}
    for batch in range(batches):
        for kind in KINDS if batch % 2 == 0 else KINDS[::-1]:
            start = time.perf_counter()
            if kind == 'intake':
                _transaction(context, intake, inbox, email_ids[batch])
            else:
                _transaction(context, plain, party_ids[batch])
            times[kind].append(time.perf_counter() - start)
    counts = _check(context, [i for b in email_ids for i in b],
        [i for b in party_ids for i in b])
    _write(output, {'times': times, 'counts': counts})


def child_drop(output):
    drop_databases(output, [DATABASE], MODULE)


def child(task, output):
    if task == 'intake':
        child_intake(output)
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
