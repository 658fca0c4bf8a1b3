# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from sql import Literal, Null
from sql.aggregate import Count, Max
from sql.operators import Equal

from trytond.backend import MAX_QUERY_PARAMS
from trytond.i18n import gettext
from trytond.model import Exclude, Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.dms_base.model import (
    FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin)
from trytond.modules.dms_base.tools import search_any
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.sql.functions import TSRange
from trytond.sql.operators import RangeOverlap
from trytond.tools import grouped_slice
from trytond.tools.timezone import UTC
from trytond.transaction import Transaction, without_check_access

from .exceptions import AppointmentStateError, AppointmentValidationError

OPEN = ['requested', 'confirmed', 'rescheduled']
# Appointments that no longer hold their bay and technician
RELEASED = ['cancelled', 'no_show']
SLOT = {'planned_start', 'planned_end', 'bay', 'technician'}
COLORS = {
    'requested': '#fce8b2',
    'confirmed': '#b7e1cd',
    'rescheduled': '#b7e1cd',
    'arrived': '#c6dafc',
    'no_show': '#f4c7c3',
    'cancelled': '#e0e0e0',
    }


class Appointment(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin, Workflow,
        ModelSQL, ModelView):
    __name__ = 'dms.workshop.appointment'
    __string__ = "Workshop Appointment"

    _states = {
        'readonly': ~Eval('state').in_(OPEN),
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        states={
            'readonly': _states['readonly'] | (Eval('id', -1) >= 0),
            })
    workshop = fields.Many2One(
        'dms.workshop', "Workshop", required=True, ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states=_states)
    customer = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='RESTRICT',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'}, states=_states,
        help="Who brings the vehicle; the notices are sent to them.")
    vehicle = fields.Many2One(
        'dms.vehicle', "Vehicle", required=True, ondelete='RESTRICT',
        states=_states)
    vehicle_label = fields.Function(
        fields.Char("Vehicle", help="The model and plate of the vehicle."),
        'on_change_with_vehicle_label')
    planned_start = fields.DateTime(
        "Planned Start", required=True, states=_states)
    planned_end = fields.DateTime(
        "Planned End", required=True, states=_states)
    bay = fields.Many2One(
        'dms.workshop.bay', "Bay", ondelete='RESTRICT',
        domain=[
            ('workshop', '=', Eval('workshop', -1)),
            ],
        states=_states)
    technician = fields.Many2One(
        'company.employee', "Technician", ondelete='RESTRICT',
        domain=[
            ('workshop', '=', Eval('workshop', -1)),
            ],
        states=_states)
    advisor = fields.Many2One(
        'company.employee', "Service Advisor", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states=_states)
    complaint = fields.Text("Complaint", states=_states)
    media_count = fields.Function(
        fields.Integer(
            "Photos and Videos",
            help="The photos and videos the customer sent, attached to the "
            "appointment."),
        'get_media_count')
    loaner_vehicle = fields.Many2One(
        'dms.vehicle', "Loaner Vehicle", ondelete='RESTRICT',
        domain=[
            ('state', 'not in', ['sold', 'customer', 'scrapped']),
            ],
        states={
            'readonly': ~Eval('state').in_(OPEN) | Bool(Eval('loaner')),
            },
        help="The car lent to the customer while the workshop has theirs.")
    loaner = fields.Many2One(
        'dms.vehicle.booking', "Loaner Booking", readonly=True,
        ondelete='SET NULL',
        help="The booking of the loaner vehicle for the appointment's time.")
    order = fields.Function(
        fields.Many2One('dms.workshop.order', "Repair Order"),
        'get_order')
    reminded = fields.DateTime(
        "Reminded", readonly=True,
        help="When the reminder of the day before was queued.")
    calendar_color = fields.Function(
        fields.Char("Color"), 'on_change_with_calendar_color')
    state = fields.Selection([
            ('requested', "Requested"),
            ('confirmed', "Confirmed"),
            ('rescheduled', "Rescheduled"),
            ('arrived', "Arrived"),
            ('no_show', "No-show"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        slot = (TSRange(t.planned_start, t.planned_end, '[)'), RangeOverlap)
        held = ~t.state.in_(RELEASED)
        cls._sql_constraints += [
            ('bay_overlap', Exclude(t, (t.bay, Equal), slot,
                    where=held & (t.bay != Null)),
                'dms_workshop.msg_appointment_bay_overlap_concurrent'),
            ('technician_overlap', Exclude(t, (t.technician, Equal), slot,
                    where=held & (t.technician != Null)),
                'dms_workshop.msg_appointment_technician_overlap_concurrent'),
            ]
        cls._sql_indexes.update({
                Index(t,
                    (t.bay, Index.Range()),
                    (t.planned_start, Index.Range()),
                    where=t.bay != Null),
                Index(t,
                    (t.technician, Index.Range()),
                    (t.planned_start, Index.Range()),
                    where=t.technician != Null),
                Index(t, (t.workshop, Index.Range()),
                    (t.planned_start, Index.Range())),
                Index(t, (t.planned_start, Index.Range()),
                    where=t.state.in_(['confirmed', 'rescheduled'])
                    & (t.reminded == Null)),
                })
        cls._order = [('planned_start', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('requested', 'confirmed'),
            ('confirmed', 'rescheduled'),
            ('rescheduled', 'rescheduled'),
            ('confirmed', 'arrived'),
            ('rescheduled', 'arrived'),
            ('confirmed', 'no_show'),
            ('rescheduled', 'no_show'),
            ('requested', 'cancelled'),
            ('confirmed', 'cancelled'),
            ('rescheduled', 'cancelled'),
            ('cancelled', 'requested'),
            ('no_show', 'requested'),
            }
        cls._buttons.update({
                'confirm': {
                    'invisible': Eval('state') != 'requested',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'arrive': {
                    'invisible': ~Eval('state').in_(
                        ['confirmed', 'rescheduled']),
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'no_show': {
                    'invisible': ~Eval('state').in_(
                        ['confirmed', 'rescheduled']),
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(OPEN),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'request': {
                    'invisible': ~Eval('state').in_(RELEASED),
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'book_loaner': {
                    'invisible': (~Eval('state').in_(OPEN)
                        | Bool(Eval('loaner'))),
                    'depends': ['state', 'loaner'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'requested'

    @classmethod
    def default_advisor(cls):
        return Transaction().context.get('employee')

    @fields.depends('vehicle', '_parent_vehicle.plate',
        '_parent_vehicle.vin', '_parent_vehicle.variant',
        '_parent_vehicle.model', '_parent_vehicle.make')
    def on_change_with_vehicle_label(self, name=None):
        "Return the vehicle as the customer knows it: model and plate"
        if not self.vehicle:
            return
        vehicle = self.vehicle
        description = vehicle.variant or vehicle.model or vehicle.make
        items = [description.rec_name if description else vehicle.vin]
        if vehicle.plate:
            items.append(vehicle.plate)
        return ' '.join(items)

    @fields.depends('state')
    def on_change_with_calendar_color(self, name=None):
        return COLORS.get(self.state)

    def get_rec_name(self, name):
        pool = Pool()
        Booking = pool.get('dms.vehicle.booking')
        start = Booking.format_time(
            self.planned_start, Booking.user_tzinfo(self.company))
        return f'{self.customer.rec_name} @ {start}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
                'customer.rec_name',
                'vehicle.rec_name',
                ])

    @classmethod
    def get_media_count(cls, appointments, name):
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        attachment = Attachment.__table__()
        cursor = Transaction().connection.cursor()
        counts = dict.fromkeys(map(int, appointments), 0)
        for sub_appointments in grouped_slice(
                appointments, MAX_QUERY_PARAMS):
            cursor.execute(*attachment.select(
                    attachment.resource, Count(Literal('*')),
                    where=attachment.resource.in_(
                        [str(a) for a in sub_appointments])
                    & (attachment.type == 'data'),
                    group_by=attachment.resource))
            for resource, count in cursor:
                counts[int(resource.split(',')[1])] = count
        return counts

    @classmethod
    def get_order(cls, appointments, name):
        "Return the latest repair order of each appointment not cancelled"
        pool = Pool()
        Order = pool.get('dms.workshop.order')
        order = Order.__table__()
        cursor = Transaction().connection.cursor()
        orders = dict.fromkeys(map(int, appointments))
        for sub_ids in grouped_slice(list(orders), MAX_QUERY_PARAMS):
            cursor.execute(*order.select(
                    order.appointment, Max(order.id),
                    where=fields.SQL_OPERATORS['in'](
                        order.appointment, sub_ids)
                    & (order.state != 'cancelled'),
                    group_by=order.appointment))
            orders.update(cursor)
        return orders

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('state').in_(RELEASED), 'muted', '')),
            ]

    @fields.depends('vehicle', 'customer', '_parent_vehicle.owner')
    def on_change_vehicle(self):
        if self.vehicle and not self.customer and self.vehicle.owner:
            self.customer = self.vehicle.owner

    @fields.depends('planned_start', 'planned_end')
    def on_change_planned_start(self):
        if self.planned_start and (
                not self.planned_end
                or self.planned_end <= self.planned_start):
            self.planned_end = self.planned_start + dt.timedelta(hours=1)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            cls.check_values([(None, values)])
            cls.check_overlap([(None, values)])
        return values

    @classmethod
    def check_modification(
            cls, mode, appointments, values=None, external=False):
        super().check_modification(
            mode, appointments, values=values, external=external)
        if mode == 'write':
            items = [(a, values) for a in appointments]
            cls.check_values(items)
            cls.check_overlap(items)
        elif mode == 'delete':
            for appointment in appointments:
                if appointment.state not in {'requested', 'cancelled'}:
                    raise AccessError(gettext(
                            'dms_workshop.msg_appointment_delete',
                            appointment=appointment.rec_name,
                            state=appointment.state_string))

    @classmethod
    def on_modification(cls, mode, appointments, field_names=None):
        super().on_modification(mode, appointments, field_names=field_names)
        if mode == 'write' and field_names and field_names & SLOT:
            cls.reschedule([a for a in appointments
                    if a.state in {'confirmed', 'rescheduled'}])
            if field_names & {'planned_start', 'planned_end'}:
                cls._move_loaners(appointments)

    @classmethod
    def _slot(cls, appointment, values, fields_):
        "Return the values of fields_ once written, None when unchanged"
        if appointment is None:
            slot = {f: values.get(f) for f in fields_}
            if 'state' in slot:
                slot['state'] = slot['state'] or cls.default_state()
            return slot
        elif values.keys() & set(fields_):
            return {f: values.get(f, getattr(appointment, f))
                for f in fields_}

    @classmethod
    def check_values(cls, items):
        """Refuse, naming the customer and the vehicle, planned times that
        end before they start; items are (appointment, values).  Before the
        write: PostgreSQL refuses such a range with a database error."""
        pool = Pool()
        Booking = pool.get('dms.vehicle.booking')
        Party = pool.get('party.party')
        Vehicle = pool.get('dms.vehicle')
        tzinfo = Booking.user_tzinfo()
        fields_ = ['customer', 'vehicle', 'planned_start', 'planned_end']
        for appointment, values in items:
            slot = cls._slot(appointment, values, fields_)
            if not slot:
                continue
            start, end = slot['planned_start'], slot['planned_end']
            if start and end and end <= start:
                customer = slot['customer']
                vehicle = slot['vehicle']
                raise AppointmentValidationError(gettext(
                        'dms_workshop.msg_appointment_planned_end',
                        customer=(Party(int(customer)).rec_name
                            if customer is not None else ''),
                        vehicle=(Vehicle(int(vehicle)).rec_name
                            if vehicle is not None else ''),
                        start=Booking.format_time(start, tzinfo),
                        end=Booking.format_time(end, tzinfo)))

    @classmethod
    def check_overlap(cls, items):
        """Refuse a time another appointment holds the bay or the technician,
        naming it; items are (appointment, values).  Before the write: the
        exclusion constraints' messages cannot name the other appointment."""
        pool = Pool()
        Booking = pool.get('dms.vehicle.booking')
        Bay = pool.get('dms.workshop.bay')
        Employee = pool.get('company.employee')
        fields_ = ['bay', 'technician', 'planned_start', 'planned_end',
            'state']
        tzinfo = Booking.user_tzinfo()

        def time(value):
            return Booking.format_time(value, tzinfo)

        for appointment, values in items:
            slot = cls._slot(appointment, values, fields_)
            if (not slot or slot['state'] in RELEASED
                    or not slot['planned_start'] or not slot['planned_end']):
                continue
            for name, Resource in [('bay', Bay), ('technician', Employee)]:
                if slot[name] is None:
                    continue
                resource = Resource(int(slot[name]))
                domain = [
                    (name, '=', resource.id),
                    ('state', 'not in', RELEASED),
                    ('planned_start', '<', slot['planned_end']),
                    ('planned_end', '>', slot['planned_start']),
                    ]
                if appointment is not None:
                    domain.append(('id', '!=', appointment.id))
                # The user may not see the appointment in the way
                with without_check_access():
                    others = cls.search(
                        domain, limit=1, order=[('planned_start', 'ASC')])
                    if others:
                        other, = others
                        raise AppointmentValidationError(gettext(
                                f'dms_workshop.msg_appointment_{name}_overlap',
                                **{name: resource.rec_name},
                                customer=other.customer.rec_name,
                                start=time(other.planned_start),
                                end=time(other.planned_end)))

    @classmethod
    def copy(cls, appointments, default=None):
        default = default.copy() if default is not None else {}
        for name in ['loaner', 'reminded']:
            default.setdefault(name)
        return super().copy(appointments, default=default)

    def notice(self, kind):
        """Return the customer's notice of kind (e.g. 'confirmed') for the
        outbox, None when the customer cannot be reached"""
        pool = Pool()
        Booking = pool.get('dms.vehicle.booking')
        Lang = pool.get('ir.lang')
        Message = pool.get('dms.message')
        channel = Message.preferred_channel(self.customer)
        if not channel:
            return
        lang = Lang.get(self.customer.lang.code if self.customer.lang
            else None)
        start = self.planned_start.replace(tzinfo=UTC).astimezone(
            Booking.company_tzinfo(self.company))
        variables = {
            'customer': self.customer.rec_name,
            'date': lang.strftime(start.date()),
            'time': start.strftime('%H:%M'),
            'workshop': self.workshop.rec_name,
            'vehicle': self.vehicle_label,
            'company': self.company.rec_name,
            }
        return Message(
            company=self.company, party=self.customer, channel=channel,
            subject=gettext(
                f'dms_workshop.msg_appointment_{kind}_subject', lang.code,
                **variables),
            body=gettext(
                f'dms_workshop.msg_appointment_{kind}_body', lang.code,
                **variables),
            origin=self)

    @classmethod
    def _notify(cls, appointments, kind):
        pool = Pool()
        Message = pool.get('dms.message')
        messages = list(filter(None, (a.notice(kind) for a in appointments)))
        Message.save(messages)
        return messages

    @classmethod
    def send_reminders(cls):
        """Queue the reminder of each confirmed appointment of tomorrow in
        its company's timezone, once per appointment"""
        pool = Pool()
        Booking = pool.get('dms.vehicle.booking')
        Message = pool.get('dms.message')
        now = dt.datetime.now()
        domain = [
            ('state', 'in', ['confirmed', 'rescheduled']),
            ('reminded', '=', None),
            # Tomorrow, in any timezone, is within this window
            ('planned_start', '>', now),
            ('planned_start', '<', now + dt.timedelta(days=2)),
            ]
        if company := Transaction().context.get('company'):
            domain.append(('company', '=', company))
        appointments = cls.search(
            domain, order=[('planned_start', 'ASC'), ('id', 'ASC')])

        def local_date(value, company):
            return value.replace(tzinfo=UTC).astimezone(
                Booking.company_tzinfo(company)).date()

        tomorrows = {}
        due = []
        for appointment in appointments:
            company = appointment.company
            if company not in tomorrows:
                tomorrows[company] = (
                    local_date(now, company) + dt.timedelta(days=1))
            if (local_date(appointment.planned_start, company)
                    == tomorrows[company]):
                due.append(appointment)
        messages, reminded = [], []
        for appointment in due:
            # Who cannot be reached is looked at again at the next run
            if message := appointment.notice('reminder'):
                messages.append(message)
                reminded.append(appointment)
        Message.save(messages)
        if reminded:
            cls.write(reminded, {'reminded': now})
        return messages

    @classmethod
    def _move_loaners(cls, appointments):
        "Move the reserved loaner bookings to the appointments' new times"
        pool = Pool()
        Booking = pool.get('dms.vehicle.booking')
        to_write = []
        for appointment in appointments:
            booking = appointment.loaner
            if (booking and booking.state == 'reserved'
                    and (booking.planned_start, booking.planned_end)
                    != (appointment.planned_start, appointment.planned_end)):
                to_write.extend(([booking], {
                            'planned_start': appointment.planned_start,
                            'planned_end': appointment.planned_end,
                            }))
        if to_write:
            Booking.write(*to_write)

    @classmethod
    def _cancel_loaners(cls, appointments):
        pool = Pool()
        Booking = pool.get('dms.vehicle.booking')
        Booking.cancel([a.loaner for a in appointments
                if a.loaner and a.loaner.state == 'reserved'])

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, appointments):
        cls._notify(appointments, 'confirmed')

    @classmethod
    @Workflow.transition('rescheduled')
    def reschedule(cls, appointments):
        # The reminder of the new day is still to be sent
        cls.write([a for a in appointments if a.reminded], {'reminded': None})
        cls._notify(appointments, 'rescheduled')

    @classmethod
    @ModelView.button
    @Workflow.transition('arrived')
    def arrive(cls, appointments):
        "Open the repair order of each customer who came"
        pool = Pool()
        Order = pool.get('dms.workshop.order')
        orders = []
        for appointment in appointments:
            if appointment.order:
                continue
            orders.append(Order(
                    company=appointment.company,
                    workshop=appointment.workshop,
                    customer=appointment.customer,
                    vehicle=appointment.vehicle,
                    appointment=appointment,
                    advisor=appointment.advisor,
                    complaint=appointment.complaint,
                    ))
        Order.save(orders)

    @classmethod
    @ModelView.button
    @Workflow.transition('no_show')
    def no_show(cls, appointments):
        cls._cancel_loaners(appointments)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, appointments):
        cls._cancel_loaners(appointments)
        cls._notify(appointments, 'cancelled')

    @classmethod
    @ModelView.button
    @Workflow.transition('requested')
    def request(cls, appointments):
        # A cancelled loaner booking is booked again with the button
        cls.write(
            [a for a in appointments
                if a.loaner and a.loaner.state == 'cancelled'],
            {'loaner': None})
        cls.write([a for a in appointments if a.reminded], {'reminded': None})

    @classmethod
    @ModelView.button
    def book_loaner(cls, appointments):
        "Book the loaner vehicle for the customer for the appointment's time"
        pool = Pool()
        Booking = pool.get('dms.vehicle.booking')
        to_book = []
        for appointment in appointments:
            if appointment.loaner:
                continue
            if appointment.state not in OPEN:
                raise AppointmentStateError(gettext(
                        'dms_workshop.msg_appointment_loaner_state',
                        appointment=appointment.rec_name,
                        state=appointment.state_string))
            if not appointment.loaner_vehicle:
                raise AppointmentStateError(gettext(
                        'dms_workshop.msg_appointment_loaner_vehicle',
                        appointment=appointment.rec_name))
            appointment.loaner = Booking(
                company=appointment.company,
                vehicle=appointment.loaner_vehicle,
                purpose='workshop_loaner',
                borrower=appointment.customer,
                employee=appointment.advisor,
                planned_start=appointment.planned_start,
                planned_end=appointment.planned_end)
            to_book.append(appointment)
        Booking.save([a.loaner for a in to_book])
        cls.save(to_book)
