# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Leads taken in from e-mail: plain messages and ADF/XML 1.0 documents"""
import email
import json
import re
from decimal import Decimal, InvalidOperation
from email.policy import default as email_policy
from email.utils import getaddresses
from html import unescape

import phonenumbers
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from sql import Literal
from sql.functions import Lower

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools.email_ import EmailNotValidError, validate_email
from trytond.transaction import Transaction, without_check_access

from .exceptions import IntakeError
from .pool import LEAD_TYPES

ACTION = 'sale.opportunity|from_inbound_email'
# The largest ADF document read (bytes); a bigger one is refused
ADF_MAX_SIZE = config.getint(
    'dms_crm_leads', 'adf_max_size', default=1024 * 1024)
OPEN_STATES = ['lead', 'opportunity']
_TAG = re.compile(r'<[^>]+>')
_SPACES = re.compile(r'[ \t]+')
# ADF vehicle interest (and status) to lead type
ADF_INTEREST = {
    'sell': 'acquisition',
    'trade-in': 'acquisition',
    'lease': 'lease_renewal',
    'service': 'service',
    }


class Rule(metaclass=PoolMeta):
    __name__ = 'inbound.email.rule'

    lead_company = fields.Many2One(
        'company.company', "Company", ondelete='CASCADE',
        states={
            'required': Eval('action') == ACTION,
            'invisible': Eval('action') != ACTION,
            },
        help="The rooftop the leads of the e-mails belong to.")
    lead_pool = fields.Many2One(
        'dms.lead.pool', "Pool", ondelete='RESTRICT',
        domain=[
            ['OR',
                ('company', '=', None),
                ('company', '=', Eval('lead_company', -1)),
                ],
            ],
        states={
            'required': Eval('action') == ACTION,
            'invisible': Eval('action') != ACTION,
            },
        help="The pool the leads wait in.")
    lead_type = fields.Selection(
        LEAD_TYPES, "Lead Type",
        states={
            'invisible': Eval('action') != ACTION,
            },
        help="The type of the leads of plain e-mails, and of ADF "
        "prospects that do not say it.")
    lead_source = fields.Many2One(
        'dms.lead.source', "Source", ondelete='RESTRICT',
        domain=[
            ['OR',
                ('company', '=', None),
                ('company', '=', Eval('lead_company', -1)),
                ],
            ],
        states={
            'invisible': Eval('action') != ACTION,
            },
        help="Where the e-mails come from, e.g. a marketplace.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.action.selection.append((ACTION, "Take in Lead"))


class Email(metaclass=PoolMeta):
    __name__ = 'inbound.email'

    lead_error = fields.Text(
        "Lead Error", readonly=True,
        states={
            'invisible': ~Eval('lead_error'),
            },
        help="Why the e-mail could not be taken in as a lead.")

    def decoded(self):
        """Return the message as the sender wrote it: sender name and
        address, subject, text, html and attachments, whatever transfer
        encoding the mail provider used"""
        raw = None
        if self.data_type == 'raw':
            raw = self.data
        elif self.data_type in {'mailchimp', 'mailpace', 'sendgrid'}:
            payload = json.loads(self.data)
            raw = {
                'mailchimp': lambda: payload['raw_msg'],
                'mailpace': lambda: payload['raw'],
                'sendgrid': lambda: payload['email'],
                }[self.data_type]()
        if raw is None:
            values = self.as_dict()
            return {
                'name': '',
                'from': values.get('from') or '',
                'subject': values.get('subject') or '',
                'text': values.get('text') or '',
                'html': values.get('html') or '',
                'attachments': [
                    (a.get('filename') or '', a.get('type') or '',
                        a.get('data') or b'')
                    for a in values.get('attachments', [])],
                }
        if isinstance(raw, str):
            raw = raw.encode('utf-8', 'surrogateescape')
        message = email.message_from_bytes(raw, policy=email_policy)
        name, address = '', ''
        if message.get('From'):
            try:
                name, address = getaddresses([str(message['From'])])[0]
            except (IndexError, ValueError):
                pass
        result = {
            'name': name,
            'from': address,
            'subject': str(message.get('Subject') or ''),
            'text': '',
            'html': '',
            'attachments': [],
            }
        for part in message.walk():
            if part.is_multipart():
                continue
            content_type = part.get_content_type()
            filename = part.get_filename()
            disposition = part.get_content_disposition()
            try:
                content = part.get_content()
            except (LookupError, ValueError):
                content = part.get_payload(decode=True) or b''
            if disposition == 'attachment' or filename or not (
                    content_type.startswith('text/')):
                if isinstance(content, str):
                    content = content.encode('utf-8')
                result['attachments'].append(
                    (filename or '', content_type, content))
            elif content_type == 'text/plain' and not result['text']:
                result['text'] = content
            elif content_type == 'text/html' and not result['html']:
                result['html'] = content
            elif content_type in {'text/xml', 'application/xml'}:
                result['attachments'].append(
                    (filename or '', content_type, content.encode('utf-8')))
        return result


def _text(node, path):
    found = node.find(path)
    if found is not None and found.text:
        return found.text.strip()
    return ''


def html_to_text(html):
    text = re.sub(r'(?is)<(script|style).*?</\1>', '', html)
    text = re.sub(r'(?i)<br\s*/?>|</p>|</div>|</tr>', '\n', text)
    text = unescape(_TAG.sub('', text))
    return '\n'.join(
        _SPACES.sub(' ', l).strip() for l in text.splitlines()).strip()


def find_adf(message):
    "Return the ADF document of the message as bytes, None if it has none"
    for filename, content_type, data in message['attachments']:
        if (filename.lower().endswith(('.xml', '.adf'))
                or content_type.endswith('/xml')):
            if b'<adf' in data[:4096].lower():
                return data
    body = message['text'].lstrip()
    if body[:5].lower() == '<?xml' or body[:4].lower() == '<adf':
        return body.encode('utf-8')
    return None


def parse_adf(data):
    """Return the prospects of an ADF/XML 1.0 document as dictionaries

    Parsed without entity expansion, DTD or network access, and refused
    above ADF_MAX_SIZE: a hostile or broken document raises IntakeError."""
    if len(data) > ADF_MAX_SIZE:
        raise IntakeError(gettext(
                'dms_crm_leads.msg_adf_too_big',
                size=len(data), limit=ADF_MAX_SIZE))
    try:
        root = SafeET.fromstring(
            data, forbid_dtd=True, forbid_entities=True,
            forbid_external=True)
    except DefusedXmlException as exception:
        raise IntakeError(gettext(
                'dms_crm_leads.msg_adf_forbidden',
                reason=exception.__class__.__name__)) from exception
    except SafeET.ParseError as exception:
        raise IntakeError(gettext(
                'dms_crm_leads.msg_adf_malformed',
                reason=str(exception))) from exception
    if root.tag.lower() != 'adf':
        raise IntakeError(gettext(
                'dms_crm_leads.msg_adf_not_adf', tag=root.tag))
    prospects = root.findall('prospect')
    if not prospects:
        raise IntakeError(gettext('dms_crm_leads.msg_adf_no_prospect'))
    return [_prospect(p, i) for i, p in enumerate(prospects, 1)]


def _name(contact):
    full = ''
    parts = {}
    for name in contact.findall('name'):
        value = (name.text or '').strip()
        part = (name.get('part') or 'full').lower()
        if part == 'full':
            full = full or value
        else:
            parts[part] = value
    if not full:
        full = ' '.join(filter(None, [
                    parts.get('first'), parts.get('middle'),
                    parts.get('last')]))
    return full


def _price(text):
    if not text:
        return None
    try:
        price = Decimal(text.replace(',', '').strip())
    except InvalidOperation:
        return None
    return price if price >= 0 else None


def _int(text):
    try:
        return int(text) if text else None
    except ValueError:
        return None


def _prospect(node, index):
    contact = node.find('customer/contact')
    if contact is None:
        raise IntakeError(gettext(
                'dms_crm_leads.msg_adf_no_contact', prospect=index))
    emails = [e.text.strip() for e in contact.findall('email')
        if e.text and e.text.strip()]
    phones = [p.text.strip() for p in contact.findall('phone')
        if p.text and p.text.strip()]
    name = _name(contact)
    if not (emails or phones):
        raise IntakeError(gettext(
                'dms_crm_leads.msg_adf_unreachable',
                prospect=index, name=name or '?'))
    result = {
        'name': name,
        'email': emails[0] if emails else None,
        'phone': phones[0] if phones else None,
        'request_date': _text(node, 'requestdate'),
        'comments': _text(node, 'customer/comments'),
        'vendor': _text(node, 'vendor/vendorname'),
        'provider': (_text(node, 'provider/name')
            or _text(node, 'provider/service')),
        'provider_id': _text(node, 'id'),
        'vehicles': [],
        'trade_in': None,
        }
    for vehicle in node.findall('vehicle'):
        interest = (vehicle.get('interest') or 'buy').lower()
        values = {
            'interest': interest,
            'status': (vehicle.get('status') or '').lower(),
            'year': _int(_text(vehicle, 'year')),
            'make': _text(vehicle, 'make'),
            'model': _text(vehicle, 'model'),
            'vin': _text(vehicle, 'vin').upper(),
            'stock': _text(vehicle, 'stock'),
            'trim': _text(vehicle, 'trim'),
            'mileage': _int(_text(vehicle, 'odometer')),
            'price': _price(_text(vehicle, 'price')),
            'comments': _text(vehicle, 'comments'),
            }
        if interest == 'trade-in' and result['trade_in'] is None:
            result['trade_in'] = values
        else:
            result['vehicles'].append(values)
    return result


class Opportunity(metaclass=PoolMeta):
    __name__ = 'sale.opportunity'

    @classmethod
    def phone_e164(cls, company, number):
        "Return number in E.164, read in the company's country"
        region = None
        if company and company.party.addresses:
            country = company.party.addresses[0].country
            region = country.code if country else None
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_possible_number(parsed):
            return None
        return phonenumbers.format_number(
            parsed, phonenumbers.PhoneNumberFormat.E164)

    @classmethod
    def find_party(cls, company, name=None, email=None, phone=None):
        """Return the party of the e-mail address or of the phone number,
        or a new party with them"""
        pool = Pool()
        Party = pool.get('party.party')
        ContactMechanism = pool.get('party.contact_mechanism')
        e164 = cls.phone_e164(company, phone) if phone else None
        # Through the indexes of ContactMechanism below, not a scan
        mechanism = ContactMechanism.__table__()
        party_table = Party.__table__()
        cursor = Transaction().connection.cursor()

        def first_party(where):
            cursor.execute(*mechanism.join(party_table,
                    condition=mechanism.party == party_table.id).select(
                    mechanism.party,
                    where=where & (party_table.active == Literal(True))
                    & (mechanism.active == Literal(True)),
                    order_by=[mechanism.id.asc], limit=1))
            row = cursor.fetchone()
            return Party(row[0]) if row else None
        if email:
            party = first_party((mechanism.type == 'email')
                & (Lower(mechanism.value_compact) == email.lower()))
            if party:
                return party
        if phone:
            values = {phone, re.sub(r'[^0-9+]', '', phone)}
            if e164:
                values.add(e164)
            party = first_party(mechanism.type.in_(['phone', 'mobile'])
                & mechanism.value_compact.in_(sorted(values)))
            if party:
                return party
        with without_check_access():
            mechanisms = []
            if email:
                mechanisms.append(ContactMechanism(type='email', value=email))
            if phone:
                value = phone
                if e164:
                    value = phonenumbers.format_number(
                        phonenumbers.parse(e164),
                        phonenumbers.PhoneNumberFormat.INTERNATIONAL)
                mechanisms.append(ContactMechanism(type='phone', value=value))
            party = Party(
                name=name or email or phone,
                contact_mechanisms=mechanisms)
            party.save()
        return party

    @classmethod
    def add_lead(cls, company, pool, party, values, note=None):
        """Add note to the party's open lead of the same type, or create a
        new lead in the pool; return the lead and whether it is new"""
        pool_ = Pool()
        Activity = pool_.get('dms.lead.activity')
        lead_type = values.get('lead_type')
        with without_check_access():
            open_leads = cls.search([
                    ('party', '=', party.id),
                    ('company', '=', company.id),
                    ('state', 'in', OPEN_STATES),
                    ('lead_type', '=', lead_type),
                    ], order=[('received_at', 'DESC'), ('id', 'DESC')],
                limit=1)
            if open_leads:
                lead, = open_leads
                Activity.create([{
                            'lead': lead.id,
                            'direction': 'in',
                            'kind': values.get('dms_activity_kind', 'email'),
                            'subject': values.get('description'),
                            'text': note or values.get('comment'),
                            'employee': None,
                            }])
                return lead, False
            values = {k: v for k, v in values.items()
                if not k.startswith('dms_')}
            values.update({
                    'company': company.id,
                    'party': party.id,
                    'pool': pool.id if pool else None,
                    'employee': None,
                    })
            with Transaction().set_context(
                    company=company.id,
                    dms_lead_pool=pool.id if pool else None):
                lead, = cls.create([values])
        return lead, True

    @classmethod
    def from_inbound_email(cls, email_, rule):
        """Turn the e-mail into leads (one per ADF prospect) or a note on
        the open lead of its sender; a message that cannot be read is kept
        on the e-mail with the reason and creates nothing"""
        try:
            message = email_.decoded()
            adf = find_adf(message)
            if adf is not None:
                prospects = parse_adf(adf)
                items = [cls._adf_lead(rule, p) for p in prospects]
            else:
                items = [cls._plain_lead(rule, message)]
        except IntakeError as exception:
            email_.lead_error = str(exception)
            return None
        leads = []
        for contact, values, note in items:
            party = cls.find_party(rule.lead_company, **contact)
            lead, _ = cls.add_lead(
                rule.lead_company, rule.lead_pool, party, values, note=note)
            leads.append(lead)
        email_.lead_error = None
        return leads[0] if leads else None

    @classmethod
    def _valid_email(cls, address):
        try:
            return validate_email(address)
        except EmailNotValidError:
            return None

    @classmethod
    def _plain_lead(cls, rule, message):
        address = message['from']
        if not address or not cls._valid_email(address):
            raise IntakeError(gettext(
                    'dms_crm_leads.msg_email_no_sender',
                    subject=message['subject'] or '-'))
        text = message['text'] or html_to_text(message['html'])
        subject = message['subject'] or gettext(
            'dms_crm_leads.msg_email_no_subject')
        values = {
            'lead_type': rule.lead_type,
            'channel': (rule.lead_source.channel
                if rule.lead_source else 'email'),
            'source': rule.lead_source.id if rule.lead_source else None,
            'description': subject[:200],
            'comment': text,
            'preferred_contact': 'email',
            }
        contact = {
            'name': message['name'] or address,
            'email': address,
            }
        return contact, values, f'{subject}\n\n{text}'.strip()

    @classmethod
    def _adf_lead(cls, rule, prospect):
        pool = Pool()
        Make = pool.get('dms.vehicle.make')
        Model = pool.get('dms.vehicle.model')
        Source = pool.get('dms.lead.source')
        Vehicle = pool.get('dms.vehicle')
        email = prospect['email']
        if email and not cls._valid_email(email):
            email = None
        if not (email or prospect['phone']):
            raise IntakeError(gettext(
                    'dms_crm_leads.msg_adf_unreachable',
                    prospect=1, name=prospect['name'] or '?'))
        wanted = prospect['vehicles'][0] if prospect['vehicles'] else {}
        lead_type = rule.lead_type
        if wanted:
            lead_type = ADF_INTEREST.get(wanted['interest']) or (
                'used_vehicle' if wanted['status'] == 'used'
                else 'new_vehicle' if wanted['status'] == 'new'
                else lead_type or 'new_vehicle')
        source = rule.lead_source
        if prospect['provider']:
            with without_check_access():
                sources = Source.search([
                        ('name', 'ilike', prospect['provider']),
                        ['OR',
                            ('company', '=', None),
                            ('company', '=', rule.lead_company.id),
                            ],
                        ], limit=1)
            if sources:
                source, = sources
        values = {
            'lead_type': lead_type,
            'channel': source.channel if source else 'email',
            'source': source.id if source else None,
            'reference': (prospect['provider_id'] or '')[:100] or None,
            'preferred_contact': 'email' if email else 'phone',
            }
        lines = []
        with without_check_access():
            if wanted.get('vin'):
                vehicles = Vehicle.search([('vin', '=', wanted['vin'])],
                    limit=1)
                if vehicles:
                    values['vehicle'] = vehicles[0].id
                    values['interest_make'] = vehicles[0].make.id
                    values['interest_model'] = (
                        vehicles[0].model.id if vehicles[0].model else None)
            if 'interest_make' not in values and wanted.get('make'):
                makes = Make.search(
                    [('name', 'ilike', wanted['make'])], limit=1)
                if makes:
                    values['interest_make'] = makes[0].id
                    if wanted.get('model'):
                        models = Model.search([
                                ('make', '=', makes[0].id),
                                ('name', 'ilike', wanted['model']),
                                ], limit=1)
                        if models:
                            values['interest_model'] = models[0].id
        if wanted.get('price') is not None and 'vehicle' not in values:
            values['price_max'] = wanted['price']
        label = ' '.join(str(v) for v in [
                wanted.get('year'), wanted.get('make'), wanted.get('model'),
                wanted.get('trim')] if v)
        description = label or prospect['comments'][:80] or gettext(
            'dms_crm_leads.msg_adf_description')
        values['description'] = description[:200]
        if trade_in := prospect['trade_in']:
            values['trade_in_vehicle'] = ' '.join(str(v) for v in [
                    trade_in['make'], trade_in['model'], trade_in['trim']]
                if v)[:200] or None
            values['trade_in_vin'] = trade_in['vin'][:17] or None
            values['trade_in_year'] = trade_in['year']
            values['trade_in_mileage'] = trade_in['mileage']
        for key, label_ in [
                ('vin', 'VIN'), ('stock', 'Stock'), ('mileage', 'Mileage'),
                ('price', 'Price'), ('comments', 'Vehicle')]:
            if wanted.get(key):
                lines.append(f'{label_}: {wanted[key]}')
        if prospect['comments']:
            lines.append(prospect['comments'])
        if prospect['vendor']:
            lines.append(f"Vendor: {prospect['vendor']}")
        if prospect['provider']:
            lines.append(f"Provider: {prospect['provider']}")
        values['comment'] = '\n'.join(lines) or None
        contact = {
            'name': prospect['name'],
            'email': email,
            'phone': prospect['phone'],
            }
        return contact, values, '\n'.join([description] + lines)

    @classmethod
    def on_modification(cls, mode, opportunities, field_names=None):
        super().on_modification(
            mode, opportunities, field_names=field_names)
        if mode == 'create':
            cls.autorespond([o for o in opportunities
                    if o.channel in {'email', 'website', 'marketplace'}
                    and o.state == 'lead'])

    @classmethod
    def autorespond(cls, opportunities):
        "Queue the autoresponder's answer to each new lead"
        pool = Pool()
        AutoResponse = pool.get('dms.lead.autoresponse')
        Message = pool.get('dms.message')
        messages = []
        with without_check_access():
            for lead in opportunities:
                if not lead.party:
                    continue
                response = AutoResponse.get(lead)
                if not response:
                    continue
                channel = Message.preferred_channel(lead.party)
                if not channel:
                    continue
                subject, body = response.render(lead)
                messages.append(Message(
                        company=lead.company, party=lead.party,
                        channel=channel, subject=subject, body=body,
                        origin=lead))
            Message.save(messages)
        return messages


class AutoResponse(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'dms.lead.autoresponse'
    __string__ = "Lead Autoresponse"

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='CASCADE')
    lead_type = fields.Selection(
        LEAD_TYPES, "Lead Type",
        help="Leave empty for the leads of any other type.")
    language = fields.Many2One(
        'ir.lang', "Language", ondelete='CASCADE',
        domain=[('translatable', '=', True)],
        help="Leave empty for the customers of any other language.")
    subject = fields.Char(
        "Subject", size=200, required=True,
        help="Placeholders: {customer}, {vehicle}, {company}, {number}.")
    body = fields.Text(
        "Body", required=True,
        help="Placeholders: {customer}, {vehicle} (the vehicle's details "
        "when the lead names one), {company}, {number}.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('company', 'ASC'), ('lead_type', 'ASC NULLS LAST'),
            ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def validate_fields(cls, responses, field_names):
        super().validate_fields(responses, field_names)
        for response in responses:
            for text in [response.subject, response.body]:
                try:
                    text.format_map(_Placeholders())
                except (ValueError, IndexError, AttributeError) as exc:
                    from .exceptions import LeadValidationError
                    raise LeadValidationError(gettext(
                            'dms_crm_leads.msg_autoresponse_template',
                            response=response.subject,
                            error=str(exc))) from exc

    @classmethod
    def get(cls, lead):
        "Return the best response for the lead: type and language first"
        language = lead.party.lang.code if lead.party.lang else None
        best, best_score = None, -1
        for response in cls.search([('company', '=', lead.company.id)]):
            if response.lead_type and response.lead_type != lead.lead_type:
                continue
            if response.language and (
                    response.language.code != language):
                continue
            score = (2 * bool(response.lead_type)
                + bool(response.language))
            if score > best_score:
                best, best_score = response, score
        return best

    def render(self, lead):
        values = _Placeholders(
            customer=lead.party.rec_name,
            company=lead.company.rec_name,
            number=lead.number,
            vehicle=vehicle_details(lead))
        return (self.subject.format_map(values)[:200],
            self.body.format_map(values))


class _Placeholders(dict):
    def __missing__(self, key):
        if key in {'customer', 'vehicle', 'company', 'number'}:
            return ''
        raise ValueError(key)


def vehicle_details(lead):
    "Return the lines that describe the vehicle of the lead"
    pool = Pool()
    Lang = pool.get('ir.lang')
    vehicle = lead.vehicle
    if not vehicle:
        parts = [p.rec_name for p in [
                lead.interest_make, lead.interest_model] if p]
        return ' '.join(parts)
    lang = Lang.get(lead.party.lang.code if lead.party.lang else None)
    lines = [vehicle.rec_name]
    if vehicle.model_year:
        lines.append(f'{vehicle.model_year}')
    if vehicle.mileage:
        lines.append(lang.format_number(vehicle.mileage) + ' km')
    if vehicle.asking_price:
        lines.append(lang.currency(
                vehicle.asking_price, vehicle.currency, grouping=True))
    return ', '.join(lines)


class ContactMechanism(metaclass=PoolMeta):
    __name__ = 'party.contact_mechanism'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # Who writes in is found by address and number at every intake
        cls._sql_indexes.update({
                Index(t,
                    (Lower(t.value_compact), Index.Equality()),
                    where=t.type == 'email'),
                Index(t,
                    (t.value_compact, Index.Equality()),
                    where=t.type.in_(['phone', 'mobile'])),
                })


class Message(metaclass=PoolMeta):
    __name__ = 'dms.message'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['sale.opportunity']
