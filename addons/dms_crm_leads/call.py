# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import hmac
import json
import secrets
import urllib.parse
from zoneinfo import ZoneInfo

try:
    import phonenumbers
    from phonenumbers import NumberParseException, PhoneNumberFormat
except ImportError:
    phonenumbers = None

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.dms_base.model import ReadonlyFieldsMixin
from trytond.pool import Pool
from trytond.protocols.wrappers import (
    HTTPStatus, Response, with_pool, with_transaction)
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.url import http_host
from trytond.wsgi import app

from .exceptions import CallAssignError, CallEventError, CallValidationError
from .pool import LEAD_TYPES

EVENT_ID_SIZE = 100


def company_region(company):
    "Return the country code numbers without prefix are dialled from"
    if company and company.party:
        address = company.party.address_get()
        if address and address.country:
            return address.country.code
        for address in company.party.addresses:
            if address.country:
                return address.country.code


def normalise_number(value, region=None):
    "Return the number in E.164 or None when it is no valid phone number"
    if not isinstance(value, str) or not value.strip():
        return None
    if not phonenumbers:
        return value.strip()
    try:
        number = phonenumbers.parse(value, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


class Provider(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'dms.lead.call.provider'
    __string__ = "Call Tracking Provider"

    name = fields.Char("Name", required=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        states={
            'readonly': Eval('id', -1) >= 0,
            },
        help="The rooftop whose calls the provider tracks.")
    secret = fields.Char(
        "Secret", readonly=True, strip=False,
        help="The provider sends it with each call event, in the "
        "\"X-DMS-Call-Secret\" header or as \"Authorization: Bearer\".")
    endpoint = fields.Function(
        fields.Char(
            "Endpoint", help="The address the provider posts events to."),
        'get_endpoint')
    numbers = fields.One2Many(
        'dms.lead.call.tracking_number', 'provider', "Tracking Numbers")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))
        cls._buttons.update({
                'new_secret': {
                    'icon': 'tryton-refresh',
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    def get_endpoint(self, name):
        if self.id is None or self.id < 0:
            return None
        database = Transaction().database.name
        return '/'.join([http_host(), urllib.parse.quote(database),
                'dms_crm_leads', 'call', str(self.id)])

    @classmethod
    def check_modification(cls, mode, providers, values=None, external=False):
        super().check_modification(
            mode, providers, values=values, external=external)
        if external and mode in {'create', 'write'}:
            if mode == 'create':
                written = [p for p in providers if p.secret]
            else:
                written = providers if 'secret' in values else []
            if written:
                raise CallValidationError(gettext(
                        'dms_crm_leads.msg_call_provider_secret_readonly',
                        provider=written[0].rec_name or ''))

    @classmethod
    @ModelView.button
    def new_secret(cls, providers):
        for provider in providers:
            provider.secret = secrets.token_urlsafe(32)
        cls.save(providers)

    @classmethod
    def authenticate(cls, provider_id, secret):
        "Return the active provider when the secret is its own, else None"
        providers = cls.search([('id', '=', provider_id)], limit=1)
        if not providers or not isinstance(secret, str):
            return None
        provider, = providers
        if not provider.secret:
            return None
        if not hmac.compare_digest(
                provider.secret.encode('utf-8'), secret.encode('utf-8')):
            return None
        return provider

    @classmethod
    def copy(cls, providers, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('secret')
        default.setdefault('numbers')
        return super().copy(providers, default=default)


class TrackingNumber(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'dms.lead.call.tracking_number'
    __string__ = "Call Tracking Number"

    provider = fields.Many2One(
        'dms.lead.call.provider', "Provider", required=True,
        ondelete='CASCADE')
    number = fields.Char(
        "Number", required=True, strip=True,
        help="The phone number published; kept in international format.")
    source = fields.Many2One(
        'dms.lead.source', "Source", ondelete='RESTRICT',
        help="Where the number is published.")
    campaign = fields.Many2One(
        'dms.lead.campaign', "Campaign", ondelete='RESTRICT',
        help="The campaign that publishes the number.")
    pool = fields.Many2One(
        'dms.lead.pool', "Pool", ondelete='RESTRICT',
        help="The pool the call-back leads of missed calls go to.")
    lead_type = fields.Selection(
        LEAD_TYPES, "Lead Type",
        help="The type of the call-back leads of missed calls.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('provider')
        t = cls.__table__()
        cls._sql_constraints += [
            ('provider_number_unique', Unique(t, t.provider, t.number),
                'dms_crm_leads.msg_call_tracking_number_unique'),
            ]
        cls._order.insert(0, ('number', 'ASC'))

    def get_rec_name(self, name):
        return self.number

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Company = pool.get('company.company')
        Provider = pool.get('dms.lead.call.provider')
        values = super().preprocess_values(mode, values)
        if values.get('number'):
            if values.get('provider') is not None:
                company = Provider(values['provider']).company
            else:
                company_id = Transaction().context.get('company')
                company = Company(company_id) if company_id else None
            number = normalise_number(
                values['number'], company_region(company))
            if number:
                values['number'] = number
        return values

    @classmethod
    def validate_fields(cls, numbers, field_names):
        super().validate_fields(numbers, field_names)
        if field_names & {'number', 'provider'}:
            for number in numbers:
                region = company_region(number.provider.company)
                if normalise_number(number.number, region) is None:
                    raise CallValidationError(gettext(
                            'dms_crm_leads.msg_call_tracking_number_invalid',
                            number=number.number,
                            provider=number.provider.rec_name))


class Call(ReadonlyFieldsMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'dms.lead.call'
    __string__ = "Tracked Call"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True,
        ondelete='RESTRICT')
    provider = fields.Many2One(
        'dms.lead.call.provider', "Provider", required=True, readonly=True,
        ondelete='RESTRICT')
    event = fields.Char(
        "Event", size=EVENT_ID_SIZE, readonly=True,
        help="The provider's identifier of the call event.")
    tracking_number = fields.Many2One(
        'dms.lead.call.tracking_number', "Tracking Number",
        ondelete='RESTRICT',
        domain=[
            ('provider', '=', Eval('provider', -1)),
            ],
        states={
            'readonly': Eval('state') != 'unassigned',
            },
        help="Empty when the number called is not known: "
        "pick it and assign the call.")
    called_number = fields.Char(
        "Number Called", readonly=True,
        help="As the provider sent it.")
    caller_number = fields.Char(
        "Caller", readonly=True,
        help="In international format when the provider sent a valid number.")
    party = fields.Many2One(
        'party.party', "Party", readonly=True, ondelete='RESTRICT',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    start = fields.DateTime("Start", required=True, readonly=True)
    duration = fields.TimeDelta("Duration", readonly=True)
    answered = fields.Boolean("Answered", readonly=True)
    state = fields.Selection([
            ('unassigned', "Unassigned"),
            ('assigned', "Assigned"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')
    lead = fields.Many2One(
        'sale.opportunity', "Lead", readonly=True, ondelete='SET NULL',
        help="The call-back lead of a missed call, or the open lead an "
        "answered call was added to.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('provider_event_unique', Unique(t, t.provider, t.event),
                'dms_crm_leads.msg_call_event_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.caller_number, Index.Equality())),
                Index(
                    t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'unassigned'),
                })
        cls._order = [
            ('start', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('unassigned', 'assigned'),
            }
        cls._buttons.update({
                'assign': {
                    'invisible': Eval('state') != 'unassigned',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'unassigned'

    @classmethod
    def default_answered(cls):
        return False

    def get_rec_name(self, name):
        return ' '.join(filter(None, [
                    self.caller_number or '?', '→',
                    self.tracking_number.number if self.tracking_number
                    else self.called_number]))

    @classmethod
    def check_modification(cls, mode, calls, values=None, external=False):
        super().check_modification(
            mode, calls, values=values, external=external)
        if external and mode == 'write' and 'tracking_number' in values:
            for call in calls:
                if call.state != 'unassigned':
                    raise CallAssignError(gettext(
                            'dms_crm_leads.msg_call_assigned',
                            call=call.rec_name))
        if external and mode == 'delete':
            raise CallAssignError(gettext(
                    'dms_crm_leads.msg_call_delete', call=calls[0].rec_name))

    @classmethod
    def parse_event(cls, provider, data):
        """Return the values of a call from the event the provider posted,
        or raise CallEventError with the reason"""
        pool = Pool()
        TrackingNumber = pool.get('dms.lead.call.tracking_number')

        def refuse(name, **variables):
            raise CallEventError(gettext(
                    f'dms_crm_leads.msg_call_event_{name}', **variables))

        if not isinstance(data, dict):
            refuse('not_object')
        called = data.get('tracking_number')
        if not isinstance(called, str) or not called.strip():
            refuse('missing', field='tracking_number')
        caller = data.get('caller')
        if caller is not None and not isinstance(caller, str):
            refuse('invalid', field='caller', value=caller)
        time = data.get('time')
        if not isinstance(time, str) or not time.strip():
            refuse('missing', field='time')
        try:
            start = dt.datetime.fromisoformat(time.strip())
        except ValueError:
            refuse('invalid', field='time', value=time)
        if start.tzinfo:
            start = start.astimezone(dt.timezone.utc).replace(tzinfo=None)
        duration = data.get('duration', 0)
        if (isinstance(duration, bool)
                or not isinstance(duration, (int, float))
                or duration < 0):
            refuse('invalid', field='duration', value=duration)
        answered = data.get('answered')
        if not isinstance(answered, bool):
            refuse('missing', field='answered')
        event = data.get('id')
        if event is not None:
            if isinstance(event, bool) or not isinstance(event, (str, int)):
                refuse('invalid', field='id', value=event)
            event = str(event).strip()
            if not event or len(event) > EVENT_ID_SIZE:
                refuse('invalid', field='id', value=event)

        region = company_region(provider.company)
        number = normalise_number(called, region)
        tracking_numbers = TrackingNumber.search([
                ('provider', '=', provider.id),
                ('number', '=', number or called.strip()),
                ], limit=1)
        tracking_number = tracking_numbers[0] if tracking_numbers else None
        return {
            'company': provider.company.id,
            'provider': provider.id,
            'event': event,
            'tracking_number': tracking_number.id if tracking_number else None,
            'called_number': called.strip()[:100],
            'caller_number': (
                normalise_number(caller, region) or (caller or '').strip()
                or None),
            'start': start,
            'duration': dt.timedelta(seconds=int(duration)),
            'answered': answered,
            'state': 'assigned' if tracking_number else 'unassigned',
            }

    @classmethod
    def receive(cls, provider, data):
        """Store the call event the provider posted and return the call and
        whether it is new: a repeated event is not stored twice"""
        values = cls.parse_event(provider, data)
        if values['event']:
            calls = cls.search([
                    ('provider', '=', provider.id),
                    ('event', '=', values['event']),
                    ], limit=1)
            if calls:
                return calls[0], False
        call, = cls.create([values])
        if call.state == 'assigned':
            cls.process([call])
        return call, True

    @classmethod
    @ModelView.button
    @Workflow.transition('assigned')
    def assign(cls, calls):
        for call in calls:
            if not call.tracking_number:
                raise CallAssignError(gettext(
                        'dms_crm_leads.msg_call_assign_number',
                        call=call.rec_name))
        cls.process(calls)

    @classmethod
    def process(cls, calls):
        """Make a call-back lead of each missed call and add each answered
        call to the caller's open lead"""
        pool = Pool()
        Opportunity = pool.get('sale.opportunity')
        Activity = pool.get('dms.lead.activity')
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        activities = []
        for call in calls:
            if not call.tracking_number or call.lead:
                continue
            number = call.tracking_number
            caller = call.caller_number
            if not caller or not caller.startswith('+'):
                continue
            local = cls._local_time(call)
            when = ' '.join([
                    lang.strftime(local.date()), local.strftime('%H:%M')])
            with Transaction().set_context(company=call.company.id):
                if not call.answered:
                    call.party = Opportunity.find_party(
                        call.company, phone=caller)
                    note = gettext('dms_crm_leads.msg_call_missed_note',
                        caller=caller, number=number.number, time=when)
                    values = {
                        'lead_type': number.lead_type,
                        'channel': 'phone',
                        'source': number.source.id if number.source else None,
                        'campaign': (
                            number.campaign.id if number.campaign else None),
                        'description': gettext(
                            'dms_crm_leads.msg_call_back_description',
                            caller=caller),
                        'dms_activity_kind': 'call',
                        }
                    call.lead, _ = Opportunity.add_lead(
                        call.company, number.pool, call.party, values,
                        note=note)
                else:
                    call.party = cls._existing_party(caller)
                    if not call.party:
                        continue
                    leads = Opportunity.search([
                            ('company', '=', call.company.id),
                            ('party', '=', call.party.id),
                            ('state', 'in', ['lead', 'opportunity']),
                            ], order=[('create_date', 'DESC')], limit=1)
                    if not leads:
                        continue
                    call.lead, = leads
                    minutes = int(call.duration.total_seconds() // 60)
                    seconds = int(call.duration.total_seconds() % 60)
                    activities.append({
                            'lead': call.lead.id,
                            'date': call.start,
                            'direction': 'in',
                            'kind': 'call',
                            'subject': gettext(
                                'dms_crm_leads.msg_call_answered_subject',
                                caller=caller, number=number.number),
                            'text': gettext(
                                'dms_crm_leads.msg_call_answered_text',
                                caller=caller, number=number.number,
                                time=when,
                                duration=f'{minutes}:{seconds:02d}'),
                            })
        cls.save(calls)
        if activities:
            Activity.create(activities)

    @classmethod
    def _local_time(cls, call):
        start = call.start.replace(tzinfo=dt.timezone.utc)
        if call.company.timezone:
            start = start.astimezone(ZoneInfo(call.company.timezone))
        return start.replace(tzinfo=None)

    @classmethod
    def _existing_party(cls, number):
        "Return the party with the phone number or None"
        pool = Pool()
        ContactMechanism = pool.get('party.contact_mechanism')
        mechanisms = ContactMechanism.search([
                ('type', 'in', ['phone', 'mobile']),
                ['OR',
                    ('value_compact', '=', number),
                    ('value', '=', number),
                    ],
                ], order=[('id', 'ASC')], limit=1)
        if mechanisms:
            return mechanisms[0].party


def _answer(status, **content):
    return Response(json.dumps(content), status=status,
        content_type='application/json',
        headers={'Cache-Control': 'no-store'})


@app.route(
    '/<database_name>/dms_crm_leads/call/<int:provider>', methods={'POST'})
@with_pool
@with_transaction(user=0)
def call_event(request, pool, provider):
    """Receive a call event of a call tracking provider: the number called,
    the caller, the time, the duration and whether it was answered"""
    Call = pool.get('dms.lead.call')
    Provider = pool.get('dms.lead.call.provider')
    secret = request.headers.get('X-DMS-Call-Secret')
    if secret is None:
        scheme, _, token = request.headers.get(
            'Authorization', '').partition(' ')
        if scheme.lower() == 'bearer':
            secret = token.strip()
    provider = Provider.authenticate(provider, secret)
    if not provider:
        return _answer(HTTPStatus.FORBIDDEN,
            error=gettext('dms_crm_leads.msg_call_event_forbidden'))
    try:
        data = json.loads(request.get_data(as_text=True))
    except ValueError:
        return _answer(HTTPStatus.BAD_REQUEST,
            error=gettext('dms_crm_leads.msg_call_event_not_json'))
    with Transaction().set_context(company=provider.company.id):
        try:
            call, created = Call.receive(provider, data)
        except CallEventError as error:
            return _answer(HTTPStatus.BAD_REQUEST, error=error.message)
    if not created:
        status = HTTPStatus.OK
    elif call.state == 'unassigned':
        status = HTTPStatus.ACCEPTED
    else:
        status = HTTPStatus.CREATED
    return _answer(status, call=call.id, state=call.state,
        lead=call.lead.id if call.lead else None)
