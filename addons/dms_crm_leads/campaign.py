# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import string
from collections import defaultdict
from html import escape
from urllib.parse import urljoin

from sql import Null
from sql.aggregate import Count, Max
from sql.conditionals import Case

import trytond.config as config
from trytond.backend import MAX_QUERY_PARAMS
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.dms_base.model import ReadonlyFieldsMixin
from trytond.modules.dms_vehicle import vin as vin_tools
from trytond.modules.dms_vehicle.catalog import FUEL_TYPES
from trytond.pool import Pool, PoolMeta
from trytond.protocols.wrappers import Response
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access
from trytond.url import http_base
from trytond.wsgi import app

from .exceptions import CampaignError, CampaignValidationError

# A transparent 1x1 GIF
PIXEL = (
    b'GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04'
    b'\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D'
    b'\x01\x00;')
PIXEL_PATH = '/dms_crm_leads/pixel.gif'
PLACEHOLDERS = {'name', 'vehicle', 'company'}
# The buttons of a campaign: the URL field, the recipient's date field,
# the tracking method and the label in the message
BUTTONS = [
    ('call_url', 'call_at', 'on_call'),
    ('site_url', 'site_at', 'on_site'),
    ('booking_url', 'booking_at', 'on_booking'),
    ]
RECIPIENT = 'dms.lead.campaign.recipient'
_in = fields.SQL_OPERATORS['in']


@app.route(PIXEL_PATH)
def pixel(request):
    return Response(PIXEL, 200, content_type='image/gif', headers={
            'Cache-Control': 'no-store',
            })


class Campaign(ReadonlyFieldsMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'dms.lead.campaign'
    __string__ = "Campaign"

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        states=_states)
    name = fields.Char("Name", required=True, states=_states)
    segment = fields.Selection([
            ('vehicles', "Vehicles"),
            ('leads', "Leads"),
            ('vins', "VIN List"),
            ], "Segment", required=True, states=_states,
        help="Vehicles: the owners of the vehicles matching the criteria.\n"
        "Leads: the customers of the leads matching the criteria.\n"
        "VIN List: the owners of the listed vehicles (a recall).")
    make = fields.Many2One(
        'dms.vehicle.make', "Make", ondelete='RESTRICT',
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('segment') != 'vehicles',
            })
    model = fields.Many2One(
        'dms.vehicle.model', "Model", ondelete='RESTRICT',
        domain=[
            If(Eval('make'), ('make', '=', Eval('make', -1)), ()),
            ],
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('segment') != 'vehicles',
            })
    model_year_from = fields.Integer(
        "Model Year From",
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('segment') != 'vehicles',
            })
    model_year_to = fields.Integer(
        "Model Year To",
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('segment') != 'vehicles',
            })
    fuel_type = fields.Selection(
        [(None, "")] + FUEL_TYPES, "Fuel Type",
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('segment') != 'vehicles',
            })
    registration_from = fields.Date(
        "First Registration From",
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('segment') != 'vehicles',
            })
    registration_to = fields.Date(
        "First Registration To",
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('segment') != 'vehicles',
            })
    last_service_before = fields.Date(
        "Last Service Before",
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('segment') != 'vehicles',
            },
        help="Only the vehicles checked in at a workshop, the last time "
        "before this date.")
    lead_type = fields.Selection(
        'get_lead_types', "Lead Type",
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('segment') != 'leads',
            })
    lead_states = fields.MultiSelection(
        'get_lead_states', "Lead States",
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('segment') != 'leads',
            },
        help="Leave empty for leads in any state.")
    leads_from = fields.Date(
        "Leads Received From",
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('segment') != 'leads',
            })
    leads_to = fields.Date(
        "Leads Received To",
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('segment') != 'leads',
            })
    vins = fields.Text(
        "VINs",
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('segment') != 'vins',
            'required': Eval('segment') == 'vins',
            },
        help="One VIN a line.")
    channel = fields.Selection([
            ('email', "E-mail"),
            ('sms', "SMS"),
            ], "Channel", required=True, states=_states,
        help="Customers without an address for the channel are left out.")
    subject = fields.Char(
        "Subject", size=200,
        states={
            'readonly': _states['readonly'],
            'required': Eval('channel') == 'email',
            'invisible': Eval('channel') != 'email',
            })
    body = fields.Text(
        "Text", required=True, states=_states,
        help="Placeholders: {name} the customer, {vehicle} the vehicle, "
        "{company} the rooftop.")
    call_url = fields.Char(
        "Call Link", states=_states,
        help="The target of the \"Call us\" button, as tel:+49...")
    site_url = fields.Char(
        "Site Link", states=_states,
        help="The target of the \"Visit our site\" button.")
    booking_url = fields.Char(
        "Booking Link", states=_states,
        help="The target of the \"Book an appointment\" button.")
    recipients = fields.One2Many(
        RECIPIENT, 'campaign', "Recipients", readonly=True)
    sent_date = fields.DateTime("Sent", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('sent', "Sent"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)

    recipient_count = fields.Function(
        fields.Integer("Recipients"), 'get_statistics')
    sent = fields.Function(
        fields.Integer("Sent", help="Messages handed to the outbox."),
        'get_statistics')
    delivered = fields.Function(
        fields.Integer("Delivered", help="Messages the server accepted."),
        'get_statistics')
    opened = fields.Function(
        fields.Integer(
            "Opened", help="Recipients who opened the message or used a "
            "button."),
        'get_statistics')
    clicked = fields.Function(
        fields.Integer("Clicked", help="Recipients who used any button."),
        'get_statistics')
    clicked_call = fields.Function(
        fields.Integer("Calls"), 'get_statistics')
    clicked_site = fields.Function(
        fields.Integer("Site Visits"), 'get_statistics')
    clicked_booking = fields.Function(
        fields.Integer("Bookings"), 'get_statistics')
    open_rate = fields.Function(
        fields.Float(
            "Open Rate", digits=(1, 4), help="Opened per message sent."),
        'get_statistics')
    click_rate = fields.Function(
        fields.Float(
            "Click Rate", digits=(1, 4), help="Clicked per message sent."),
        'get_statistics')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(
                t,
                (t.state, Index.Equality(cardinality='low')),
                where=t.state == 'draft'))
        cls._order = [
            ('create_date', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'sent'),
            ('draft', 'cancelled'),
            ('sent', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'preview': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                'send': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-launch',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'sent']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_segment(cls):
        return 'vehicles'

    @classmethod
    def default_channel(cls):
        return 'email'

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def get_lead_types(cls):
        Opportunity = Pool().get('sale.opportunity')
        return [(None, '')] + [
            (k, v) for k, v in Opportunity._fields['lead_type'].selection
            if k]

    @classmethod
    def get_lead_states(cls):
        Opportunity = Pool().get('sale.opportunity')
        return list(Opportunity._fields['state'].selection)

    @classmethod
    def get_statistics(cls, campaigns, names):
        pool = Pool()
        Recipient = pool.get(RECIPIENT)
        recipient = Recipient.__table__()
        cursor = Transaction().connection.cursor()

        clicked = Case(
            ((recipient.call_at != Null) | (recipient.site_at != Null)
                | (recipient.booking_at != Null), 1),
            else_=Null)
        columns = {
            'recipient_count': Count(recipient.id),
            'sent': Count(recipient.sent_at),
            'delivered': Count(recipient.delivered_at),
            'opened': Count(recipient.opened_at),
            'clicked': Count(clicked),
            'clicked_call': Count(recipient.call_at),
            'clicked_site': Count(recipient.site_at),
            'clicked_booking': Count(recipient.booking_at),
            }
        keys = list(columns)
        counts = {k: defaultdict(int) for k in keys}
        for sub_ids in grouped_slice(campaigns, MAX_QUERY_PARAMS):
            cursor.execute(*recipient.select(
                    recipient.campaign, *(columns[k] for k in keys),
                    where=_in(recipient.campaign, [c.id for c in sub_ids]),
                    group_by=[recipient.campaign]))
            for campaign_id, *values in cursor:
                for key, value in zip(keys, values):
                    counts[key][campaign_id] = int(value or 0)

        result = {}
        for name in names:
            if name in counts:
                result[name] = {c.id: counts[name][c.id] for c in campaigns}
            else:
                numerator = 'opened' if name == 'open_rate' else 'clicked'
                result[name] = {}
                for campaign in campaigns:
                    sent = counts['sent'][campaign.id]
                    result[name][campaign.id] = (
                        round(counts[numerator][campaign.id] / sent, 4)
                        if sent else None)
        return result

    @classmethod
    def validate_fields(cls, campaigns, field_names):
        super().validate_fields(campaigns, field_names)
        cls.check_placeholders(campaigns, field_names)

    @classmethod
    def check_placeholders(cls, campaigns, field_names=None):
        if field_names and not (field_names & {'subject', 'body'}):
            return
        formatter = string.Formatter()
        for campaign in campaigns:
            for text in [campaign.subject, campaign.body]:
                try:
                    names = {n for _, n, _, _ in formatter.parse(text or '')
                        if n is not None}
                except ValueError:
                    names = {None}
                unknown = names - PLACEHOLDERS
                if unknown:
                    raise CampaignValidationError(gettext(
                            'dms_crm_leads.msg_campaign_placeholder_unknown',
                            campaign=campaign.rec_name,
                            placeholder='{%s}' % (
                                sorted(map(str, unknown))[0]),
                            placeholders=', '.join(
                                '{%s}' % p for p in sorted(PLACEHOLDERS))))

    @classmethod
    def check_modification(cls, mode, campaigns, values=None, external=False):
        super().check_modification(
            mode, campaigns, values=values, external=external)
        if mode == 'delete':
            for campaign in campaigns:
                if campaign.sent_date:
                    raise CampaignError(gettext(
                            'dms_crm_leads.msg_campaign_delete_sent',
                            campaign=campaign.rec_name))

    @classmethod
    def copy(cls, campaigns, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('recipients')
        default.setdefault('sent_date')
        return super().copy(campaigns, default=default)

    @classmethod
    @ModelView.button
    def preview(cls, campaigns):
        "Compute the recipients of the campaigns' segment"
        pool = Pool()
        Recipient = pool.get(RECIPIENT)
        campaigns = [c for c in campaigns if c.state == 'draft']
        to_create = []
        for campaign in campaigns:
            to_create.extend(campaign._recipients_values())
        Recipient.delete(Recipient.search([
                    ('campaign', 'in', [c.id for c in campaigns]),
                    ]))
        Recipient.create(to_create)

    def _recipients_values(self):
        "Return the values of one recipient per reachable customer"
        pool = Pool()
        Message = pool.get('dms.message')
        seen = set()
        values = []
        segment = getattr(self, '_segment_%s' % self.segment)
        for party, vehicle, lead in segment():
            if party in seen:
                continue
            seen.add(party)
            if not Message.party_address(party, self.channel):
                continue
            values.append({
                    'campaign': self.id,
                    'company': self.company.id,
                    'party': party.id,
                    'vehicle': vehicle.id if vehicle else None,
                    'lead': lead.id if lead else None,
                    })
        return values

    def _vehicle_domain(self):
        domain = [
            ('owner', '!=', None),
            ('state', '!=', 'scrapped'),
            ]
        if self.make:
            domain.append(('make', '=', self.make.id))
        if self.model:
            domain.append(('model', '=', self.model.id))
        if self.model_year_from:
            domain.append(('model_year', '>=', self.model_year_from))
        if self.model_year_to:
            domain.append(('model_year', '<=', self.model_year_to))
        if self.fuel_type:
            domain.append(('fuel_type', '=', self.fuel_type))
        if self.registration_from:
            domain.append(('first_registration', '>=', self.registration_from))
        if self.registration_to:
            domain.append(('first_registration', '<=', self.registration_to))
        if self.last_service_before:
            domain.append(
                ('id', 'in', self._last_service_query(
                        self.last_service_before)))
        return domain

    @classmethod
    def _last_service_query(cls, date):
        pool = Pool()
        try:
            Order = pool.get('dms.workshop.order')
        except KeyError:
            return []
        order = Order.__table__()
        before = dt.datetime.combine(date, dt.time())
        return order.select(
            order.vehicle,
            where=(order.received != Null) & (order.state != 'cancelled'),
            group_by=[order.vehicle],
            having=Max(order.received) < before)

    def _segment_vehicles(self):
        Vehicle = Pool().get('dms.vehicle')
        for vehicle in Vehicle.search(
                self._vehicle_domain(), order=[('id', 'ASC')]):
            yield vehicle.owner, vehicle, None

    def _segment_vins(self):
        Vehicle = Pool().get('dms.vehicle')
        vins = []
        for line in (self.vins or '').splitlines():
            vin = vin_tools.normalize(line)
            if vin and vin not in vins:
                vins.append(vin)
        vehicles = {}
        for sub_vins in grouped_slice(vins, MAX_QUERY_PARAMS):
            for vehicle in Vehicle.search([('vin', 'in', list(sub_vins))]):
                vehicles[vehicle.vin] = vehicle
        unknown = [v for v in vins if v not in vehicles]
        if unknown:
            raise CampaignError(gettext(
                    'dms_crm_leads.msg_campaign_vin_unknown',
                    campaign=self.rec_name,
                    vins=', '.join(unknown)))
        for vin in vins:
            vehicle = vehicles[vin]
            if vehicle.owner and vehicle.state != 'scrapped':
                yield vehicle.owner, vehicle, None

    def _lead_domain(self):
        domain = [
            ('company', '=', self.company.id),
            ('party', '!=', None),
            ]
        if self.lead_type:
            domain.append(('lead_type', '=', self.lead_type))
        if self.lead_states:
            domain.append(('state', 'in', list(self.lead_states)))
        if self.leads_from:
            domain.append(('received_at', '>=',
                    dt.datetime.combine(self.leads_from, dt.time())))
        if self.leads_to:
            domain.append(('received_at', '<',
                    dt.datetime.combine(
                        self.leads_to + dt.timedelta(days=1), dt.time())))
        return domain

    def _segment_leads(self):
        Opportunity = Pool().get('sale.opportunity')
        for lead in Opportunity.search(
                self._lead_domain(), order=[('id', 'ASC')]):
            yield lead.party, getattr(lead, 'vehicle', None), lead

    @classmethod
    @ModelView.button
    @Workflow.transition('sent')
    def send(cls, campaigns):
        pool = Pool()
        Recipient = pool.get(RECIPIENT)
        cls.preview(campaigns)
        recipients = Recipient.search([
                ('campaign', 'in', [c.id for c in campaigns]),
                ], order=[('campaign', 'ASC'), ('id', 'ASC')])
        reached = {r.campaign for r in recipients}
        for campaign in campaigns:
            if campaign not in reached:
                raise CampaignError(gettext(
                        'dms_crm_leads.msg_campaign_no_recipients',
                        campaign=campaign.rec_name))
        Recipient.send(recipients)
        cls.write(campaigns, {
                'sent_date': dt.datetime.now(),
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, campaigns):
        pool = Pool()
        Message = pool.get('dms.message')
        messages = [r.message for c in campaigns for r in c.recipients
            if r.message and r.message.state in {'queued', 'failed'}]
        Message.cancel(messages)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, campaigns):
        for campaign in campaigns:
            if campaign.sent_date:
                raise CampaignError(gettext(
                        'dms_crm_leads.msg_campaign_draft_sent',
                        campaign=campaign.rec_name))


class Recipient(ReadonlyFieldsMixin, ModelSQL, ModelView):
    __name__ = RECIPIENT
    __string__ = "Campaign Recipient"

    campaign = fields.Many2One(
        'dms.lead.campaign', "Campaign", required=True, ondelete='CASCADE',
        readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        readonly=True)
    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='RESTRICT',
        readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    vehicle = fields.Many2One(
        'dms.vehicle', "Vehicle", ondelete='RESTRICT', readonly=True)
    lead = fields.Many2One(
        'sale.opportunity', "Lead", ondelete='SET NULL', readonly=True)
    message = fields.Many2One(
        'dms.message', "Message", ondelete='SET NULL', readonly=True)
    sent_at = fields.DateTime(
        "Sent", readonly=True, help="When the message went to the outbox.")
    delivered_at = fields.DateTime(
        "Delivered", readonly=True,
        help="When the server accepted the message.")
    opened_at = fields.DateTime(
        "Opened", readonly=True,
        help="The first time the customer opened the message or used a "
        "button.")
    call_at = fields.DateTime(
        "Called", readonly=True,
        help="The first time the customer used the call button.")
    site_at = fields.DateTime(
        "Visited Site", readonly=True,
        help="The first time the customer used the site button.")
    booking_at = fields.DateTime(
        "Booked", readonly=True,
        help="The first time the customer used the booking button.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('campaign')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.campaign, Index.Range())),
                Index(t, (t.party, Index.Range())),
                Index(
                    t,
                    (t.company, Index.Range()),
                    (t.sent_at, Index.Range())),
                })
        cls._order = [
            ('campaign', 'DESC'),
            ('id', 'ASC'),
            ]

    def get_rec_name(self, name):
        return f'{self.campaign.rec_name}: {self.party.rec_name}'

    def _placeholders(self):
        vehicle = ''
        if self.vehicle:
            names = [n.name for n in [self.vehicle.make, self.vehicle.model]
                if n]
            vehicle = ' '.join(names + [
                    '(%s)' % (self.vehicle.plate or self.vehicle.vin)])
        return {
            'name': self.party.rec_name,
            'vehicle': vehicle,
            'company': self.company.rec_name,
            }

    @classmethod
    def _link_labels(cls):
        return {
            'on_call': gettext('dms_crm_leads.msg_campaign_button_call'),
            'on_site': gettext('dms_crm_leads.msg_campaign_button_site'),
            'on_booking': gettext('dms_crm_leads.msg_campaign_button_booking'),
            }

    @classmethod
    def send(cls, recipients):
        "Queue one message with tracked links for each recipient"
        pool = Pool()
        Message = pool.get('dms.message')
        ShortenedURL = pool.get('web.shortened_url')

        recipients = [r for r in recipients if not r.message]
        url_base = config.get(
            'web', 'shortener_base', default=http_base())
        pixel_url = urljoin(url_base, PIXEL_PATH)
        links = []
        for recipient in recipients:
            campaign = recipient.campaign
            for url_field, _, method in BUTTONS:
                if url := getattr(campaign, url_field):
                    links.append((recipient, method, url))
            if campaign.channel == 'email':
                links.append((recipient, 'on_opened', pixel_url))
        # The links are the campaign's, written whatever the user may read
        # of the shortener, which only administrators may
        with without_check_access():
            urls = ShortenedURL.create([{
                        'record': str(r),
                        'method': f'{cls.__name__}|{m}',
                        'redirect_url': u,
                        } for r, m, u in links])
            shortened = {
                (r.id, m): u.shortened_url
                for (r, m, _), u in zip(links, urls)}

        labels = cls._link_labels()
        vlist = []
        for recipient in recipients:
            campaign = recipient.campaign
            values = recipient._placeholders()
            text = campaign.body.format_map(values)
            buttons = [(labels[m], shortened[recipient.id, m])
                for _, _, m in BUTTONS if (recipient.id, m) in shortened]
            body = '\n\n'.join(
                [text] + [f'{label}: {url}' for label, url in buttons])
            message = {
                'company': campaign.company.id,
                'party': recipient.party.id,
                'channel': campaign.channel,
                'body': body,
                'origin': str(recipient),
                }
            if campaign.channel == 'email':
                message['subject'] = campaign.subject.format_map(values)
                message['html'] = cls._html(
                    text, buttons, shortened[recipient.id, 'on_opened'])
            vlist.append(message)
        messages = Message.create(vlist)
        now = dt.datetime.now()
        to_write = []
        for recipient, message in zip(recipients, messages):
            to_write.extend(([recipient], {
                        'message': message.id,
                        'sent_at': now,
                        }))
        if to_write:
            cls.write(*to_write)

    @classmethod
    def _html(cls, text, buttons, pixel_url):
        paragraphs = ''.join(
            '<p>%s</p>' % escape(p).replace('\n', '<br>')
            for p in text.split('\n\n'))
        links = ''.join(
            '<a href="%s" style="display:inline-block;margin:0 .5em .5em 0;'
            'padding:.6em 1.2em;background:#1d4f91;color:#fff;'
            'text-decoration:none;border-radius:.3em">%s</a>' % (
                escape(url), escape(label))
            for label, url in buttons)
        return (
            '<!DOCTYPE html><html><body>%s<p>%s</p>'
            '<img src="%s" width="1" height="1" alt=""></body></html>' % (
                paragraphs, links, escape(pixel_url)))

    @classmethod
    def _track(cls, recipients, field_name):
        "Set the first time of the event; later ones count no more"
        now = dt.datetime.now()
        to_write = []
        for name in [field_name, 'opened_at']:
            first = [r for r in recipients if not getattr(r, name)]
            if first:
                to_write.extend((first, {name: now}))
        if to_write:
            cls.write(*to_write)

    @classmethod
    def on_opened(cls, recipients):
        cls._track(recipients, 'opened_at')

    @classmethod
    def on_call(cls, recipients):
        cls._track(recipients, 'call_at')

    @classmethod
    def on_site(cls, recipients):
        cls._track(recipients, 'site_at')

    @classmethod
    def on_booking(cls, recipients):
        cls._track(recipients, 'booking_at')

    @classmethod
    def on_delivered(cls, messages):
        recipients = cls.search([
                ('message', 'in', [m.id for m in messages]),
                ('delivered_at', '=', None),
                ])
        if recipients:
            cls.write(recipients, {
                    'delivered_at': dt.datetime.now(),
                    })


class ShortenedURL(metaclass=PoolMeta):
    __name__ = 'web.shortened_url'

    @classmethod
    def _get_models(cls):
        return super()._get_models() + [RECIPIENT]

    @classmethod
    def _get_methods(cls):
        return super()._get_methods() + [
            f'{RECIPIENT}|{m}'
            for m in ['on_opened'] + [b[2] for b in BUTTONS]]


class Message(metaclass=PoolMeta):
    __name__ = 'dms.message'

    html = fields.Text(
        "HTML", readonly=True,
        states={
            'invisible': ~Eval('html'),
            },
        help="The formatted version of an e-mail, sent along the text.")

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + [RECIPIENT]

    @classmethod
    def copy(cls, messages, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('html')
        return super().copy(messages, default=default)

    @classmethod
    def succeed(cls, messages, reference=None):
        pool = Pool()
        Recipient = pool.get(RECIPIENT)
        super().succeed(messages, reference=reference)
        Recipient.on_delivered([m for m in messages
                if m.origin and str(m.origin).startswith(RECIPIENT + ',')])

    def _email(self, from_):
        msg = super()._email(from_)
        if self.html:
            # The formatted version, with the buttons and the open image
            msg.add_alternative(self.html, subtype='html')
        return msg


class Opportunity(metaclass=PoolMeta):
    __name__ = 'sale.opportunity'

    campaign = fields.Many2One(
        'dms.lead.campaign', "Campaign", ondelete='SET NULL',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': Eval('state') != 'lead',
            },
        help="The campaign that brought the lead.")
