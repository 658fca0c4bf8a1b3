# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import json

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.modules.dms_base.model import ReadonlyFieldsMixin
from trytond.modules.dms_vehicle.catalog import FUEL_TYPES
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction, without_check_access

from .exceptions import SearchOrderValidationError

CRITERIA = ['make', 'model', 'fuel', 'max_price', 'max_mileage', 'min_year']


class SearchOrder(Workflow, ModelSQL, ModelView):
    __name__ = 'dms.lead.search_order'
    __string__ = "Search Order"

    _states = {
        'readonly': Eval('state') != 'open',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        states={
            'readonly': _states['readonly'] | (Eval('id', -1) >= 0),
            })
    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='RESTRICT',
        states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Who is written to when a matching vehicle arrives.")
    employee = fields.Many2One(
        'company.employee', "Salesperson", required=True,
        ondelete='RESTRICT', states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="Who is told when a matching vehicle arrives.")
    lead = fields.Many2One(
        'sale.opportunity', "Lead", ondelete='SET NULL', states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            If(Bool(Eval('party')), ('party', '=', Eval('party', -1)), ()),
            ])
    make = fields.Many2One(
        'dms.vehicle.make', "Make", ondelete='RESTRICT', states=_states)
    model = fields.Many2One(
        'dms.vehicle.model', "Model", ondelete='RESTRICT', states=_states,
        domain=[
            If(Bool(Eval('make')), ('make', '=', Eval('make', -1)), ()),
            ])
    fuel = fields.Selection(
        [(None, "")] + FUEL_TYPES, "Fuel", states=_states)
    fuel_string = fuel.translated('fuel')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    max_price = Monetary(
        "Max Price", currency='currency', digits='currency', states=_states,
        domain=['OR',
            ('max_price', '=', None),
            ('max_price', '>=', 0),
            ],
        help="The highest asking price.")
    max_mileage = fields.Integer(
        "Max Mileage (km)", states=_states,
        domain=['OR',
            ('max_mileage', '=', None),
            ('max_mileage', '>=', 0),
            ])
    min_year = fields.Integer(
        "Min Model Year", states=_states,
        domain=['OR',
            ('min_year', '=', None),
            [('min_year', '>=', 1900), ('min_year', '<=', 2100)],
            ])
    state = fields.Selection([
            ('open', "Open"),
            ('closed', "Closed"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')
    matches = fields.One2Many(
        'dms.lead.search_order.match', 'order', "Matches", readonly=True)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.state, Index.Equality(cardinality='low')),
                where=t.state == 'open'))
        cls._order = [
            ('create_date', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('open', 'closed'),
            ('closed', 'open'),
            }
        cls._buttons.update({
                'close': {
                    'invisible': Eval('state') != 'open',
                    'icon': 'tryton-close',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'closed',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_employee():
        return Transaction().context.get('employee')

    @classmethod
    def default_state(cls):
        return 'open'

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('model', 'make')
    def on_change_model(self):
        if self.model:
            self.make = self.model.make

    @fields.depends('lead', 'party')
    def on_change_lead(self):
        if self.lead and not self.party:
            self.party = self.lead.party

    def get_rec_name(self, name):
        criteria = ', '.join(self.criteria_texts())
        return f'{self.party.rec_name}: {criteria}'

    def criteria_texts(self):
        pool = Pool()
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        texts = []
        if self.model:
            texts.append(self.model.rec_name)
        elif self.make:
            texts.append(self.make.rec_name)
        if self.fuel:
            texts.append(self.fuel_string)
        if self.max_price is not None and self.currency:
            texts.append('≤ ' + lang.currency(
                        self.max_price, self.currency, grouping=True))
        if self.max_mileage is not None:
            texts.append('≤ %s km' % lang.format_number(self.max_mileage, 0))
        if self.min_year is not None:
            texts.append('≥ %s' % self.min_year)
        return texts

    @classmethod
    def validate_fields(cls, orders, field_names):
        super().validate_fields(orders, field_names)
        if field_names & set(CRITERIA):
            for order in orders:
                if all(getattr(order, n) is None for n in CRITERIA):
                    raise SearchOrderValidationError(gettext(
                            'dms_crm_leads.msg_search_order_no_criteria',
                            order=order.party.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, orders):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, orders):
        pass

    def match(self, vehicle):
        "Tell if the vehicle meets the criteria"
        if self.make and vehicle.make != self.make:
            return False
        if self.model and vehicle.model != self.model:
            return False
        if self.fuel and vehicle.fuel_type != self.fuel:
            return False
        if self.max_price is not None and (
                vehicle.asking_price is None
                or vehicle.asking_price > self.max_price):
            return False
        if (self.max_mileage is not None
                and (vehicle.mileage or 0) > self.max_mileage):
            return False
        if self.min_year is not None and (
                not vehicle.model_year or vehicle.model_year < self.min_year):
            return False
        return True

    @classmethod
    def match_vehicles(cls, vehicles):
        """Match the vehicles that entered stock against the open orders of
        the whole group, once per order and vehicle: the customer is written
        to and the salesperson told"""
        pool = Pool()
        Match = pool.get('dms.lead.search_order.match')
        Vehicle = pool.get('dms.vehicle')
        if not vehicles:
            return []
        # The clerk receiving the car may neither see the leads nor the
        # orders of other rooftops
        with without_check_access():
            makes = list({v.make.id for v in vehicles if v.make})
            orders = cls.search([
                    ('state', '=', 'open'),
                    ['OR',
                        ('make', '=', None),
                        ('make', 'in', makes),
                        ],
                    ], order=[('id', 'ASC')])
            if not orders:
                return []
            done = set()
            for existing in Match.search([
                        ('vehicle', 'in', [v.id for v in vehicles]),
                        ('order', 'in', [o.id for o in orders]),
                        ], order=[]):
                done.add((existing.order.id, existing.vehicle.id))
            vehicles = Vehicle.browse(vehicles)
            now = dt.datetime.now()
            matches = []
            for vehicle in vehicles:
                for order in orders:
                    if ((order.id, vehicle.id) not in done
                            and order.match(vehicle)):
                        matches.append(Match(
                                order=order, vehicle=vehicle, date=now))
            if matches:
                Match.save(matches)
                Match.notify(matches)
        return matches


class Match(ReadonlyFieldsMixin, ModelSQL, ModelView):
    __name__ = 'dms.lead.search_order.match'
    __string__ = "Search Order Match"

    order = fields.Many2One(
        'dms.lead.search_order', "Search Order", required=True,
        readonly=True, ondelete='CASCADE')
    vehicle = fields.Many2One(
        'dms.vehicle', "Vehicle", required=True, readonly=True,
        ondelete='CASCADE')
    date = fields.DateTime("Date", required=True, readonly=True)
    message = fields.Many2One(
        'dms.message', "Message", readonly=True, ondelete='SET NULL',
        help="What the customer was written; empty when the customer has "
        "no address to write to.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('order')
        t = cls.__table__()
        cls._sql_constraints += [
            ('order_vehicle_unique', Unique(t, t.order, t.vehicle),
                'dms_crm_leads.msg_search_order_match_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.vehicle, Index.Equality())))
        cls._order = [
            ('date', 'DESC'),
            ('id', 'DESC'),
            ]

    def get_rec_name(self, name):
        return f'{self.order.rec_name} → {self.vehicle.rec_name}'

    def _variables(self, lang):
        order, vehicle = self.order, self.vehicle
        price = ''
        if vehicle.asking_price is not None and vehicle.currency:
            price = lang.currency(
                vehicle.asking_price, vehicle.currency, grouping=True)
        return {
            'customer': order.party.rec_name,
            'salesperson': order.employee.rec_name,
            'company': order.company.rec_name,
            'vehicle': (
                vehicle.variant or vehicle.model or vehicle.make).rec_name,
            'vin': vehicle.vin,
            'year': vehicle.model_year or '',
            'mileage': lang.format_number(vehicle.mileage or 0, 0),
            'price': price,
            'rooftop': (vehicle.holding_company.rec_name
                if vehicle.holding_company else order.company.rec_name),
            }

    @classmethod
    def notify(cls, matches):
        """Queue a message to each customer and tell each salesperson, in
        their language"""
        pool = Pool()
        Lang = pool.get('ir.lang')
        Message = pool.get('dms.message')
        Notification = pool.get('res.notification')
        User = pool.get('res.user')
        messages, notifications = [], []
        with_message = []
        users = {}
        for match in matches:
            order = match.order
            customer = order.party
            channel = Message.preferred_channel(customer)
            if channel:
                code = customer.lang.code if customer.lang else None
                with Transaction().set_context(language=code):
                    lang = Lang.get()
                    variables = match._variables(lang)
                    messages.append(Message(
                            company=order.company,
                            party=customer,
                            channel=channel,
                            address=Message.party_address(customer, channel),
                            subject=gettext(
                                'dms_crm_leads.msg_search_order_subject',
                                **variables),
                            body=gettext(
                                'dms_crm_leads.msg_search_order_body',
                                **variables),
                            origin=match))
                with_message.append(match)
            if order.employee.id not in users:
                users[order.employee.id] = User.search([
                        ('employees', '=', order.employee.id),
                        ], order=[('id', 'ASC')])
            for user in users[order.employee.id]:
                code = user.language.code if user.language else None
                with Transaction().set_context(language=code):
                    variables = match._variables(Lang.get())
                    notifications.append(Notification(
                            user=user,
                            label=gettext(
                                'dms_crm_leads.msg_search_order_notify_label',
                                **variables),
                            description=gettext(
                                'dms_crm_leads'
                                '.msg_search_order_notify_description',
                                **variables),
                            icon='tryton-notification',
                            model=cls.__name__,
                            records=json.dumps([match.id])))
        if messages:
            Message.save(messages)
            for match, message in zip(with_message, messages):
                match.message = message
            cls.save(with_message)
        if notifications:
            Notification.save(notifications)


class Vehicle(metaclass=PoolMeta):
    __name__ = 'dms.vehicle'

    @classmethod
    def on_modification(cls, mode, vehicles, field_names=None):
        pool = Pool()
        SearchOrder = pool.get('dms.lead.search_order')
        super().on_modification(mode, vehicles, field_names=field_names)
        if mode == 'write' and 'stock_state' in (field_names or ()):
            # Read again: the instances may hold the state before the write
            in_stock = [v for v in cls.browse(vehicles)
                if v.stock_state == 'in_stock']
            if in_stock:
                SearchOrder.match_vehicles(in_stock)


class Message(metaclass=PoolMeta):
    __name__ = 'dms.message'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['dms.lead.search_order.match']
