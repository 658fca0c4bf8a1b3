# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from sql.operators import Equal

from trytond.i18n import gettext
from trytond.model import Exclude, Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.dms_base.model import (
    FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.sql.functions import TSRange
from trytond.sql.operators import RangeOverlap
from trytond.tools.timezone import SERVER, UTC, get_tzinfo
from trytond.transaction import Transaction, without_check_access

from .exceptions import BookingStateError, BookingValidationError

# Any usage is booked, new stock cars for test drives too
UNBOOKABLE = {'sold', 'customer', 'scrapped'}


class Booking(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin, Workflow,
        ModelSQL, ModelView):
    __name__ = 'dms.vehicle.booking'
    __string__ = "Vehicle Booking"

    _states = {
        'readonly': Eval('state') != 'reserved',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        states=_states)
    vehicle = fields.Many2One(
        'dms.vehicle', "Vehicle", required=True, ondelete='RESTRICT',
        # Offers only bookable vehicles in the client's search; the check
        # before writing names a vehicle that is not
        domain=[
            If(Eval('state') == 'reserved',
                ('state', 'not in', list(UNBOOKABLE)), ()),
            ],
        states=_states)
    vehicle_label = fields.Function(
        fields.Char("Vehicle", help="The plate and model of the vehicle."),
        'on_change_with_vehicle_label')
    purpose = fields.Selection([
            ('test_drive', "Test Drive"),
            ('workshop_loaner', "Workshop Loaner"),
            ('internal_use', "Internal Use"),
            ('reservation', "Reserved Usage Time"),
            ], "Purpose", required=True, states=_states)
    purpose_string = purpose.translated('purpose')
    borrower = fields.Many2One(
        'party.party', "Borrower", ondelete='RESTRICT',
        states={
            'readonly': Eval('state') != 'reserved',
            'required': Eval('purpose').in_(['test_drive', 'workshop_loaner']),
            },
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The customer, or the employee's party for internal use.")
    employee = fields.Many2One(
        'company.employee', "Employee", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states=_states,
        help="The employee who hands the vehicle out or uses it.")
    planned_start = fields.DateTime(
        "Planned Start", required=True, states=_states)
    planned_end = fields.DateTime(
        "Planned End", required=True, states=_states)
    actual_out = fields.DateTime(
        "Out",
        states={
            'readonly': Eval('state') != 'reserved',
            },
        help="When the vehicle was handed out; now when left empty.")
    actual_in = fields.DateTime(
        "In",
        states={
            'readonly': Eval('state') != 'out',
            },
        help="When the vehicle came back; now when left empty.")
    mileage_out = fields.Integer(
        "Mileage Out (km)",
        states={
            'readonly': ~Eval('state').in_(['reserved']),
            })
    mileage_in = fields.Integer(
        "Mileage In (km)",
        states={
            'readonly': Eval('state') != 'out',
            })
    fuel_out = fields.Integer(
        "Fuel or Charge Out (%)",
        states={
            'readonly': ~Eval('state').in_(['reserved']),
            })
    fuel_in = fields.Integer(
        "Fuel or Charge In (%)",
        states={
            'readonly': Eval('state') != 'out',
            })
    comment = fields.Text("Comment")
    state = fields.Selection([
            ('reserved', "Reserved"),
            ('out', "Out"),
            ('returned', "Returned"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('vehicle_overlap', Exclude(t,
                    (t.vehicle, Equal),
                    (TSRange(t.planned_start, t.planned_end, '[)'),
                        RangeOverlap),
                    where=t.state != 'cancelled'),
                'dms_vehicle.msg_booking_overlap_concurrent'),
            ]
        cls._sql_indexes.update({
                Index(t,
                    (t.vehicle, Index.Range()),
                    (t.planned_start, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(['reserved', 'out'])),
                })
        cls._order = [('planned_start', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('reserved', 'out'),
            ('out', 'returned'),
            ('reserved', 'cancelled'),
            ('cancelled', 'reserved'),
            }
        cls._buttons.update({
                'check_out': {
                    'invisible': Eval('state') != 'reserved',
                    'depends': ['state'],
                    },
                'check_in': {
                    'invisible': Eval('state') != 'out',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'reserved',
                    'depends': ['state'],
                    },
                'reserve': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'reserved'

    @classmethod
    def default_purpose(cls):
        return 'test_drive'

    @classmethod
    def default_employee(cls):
        return Transaction().context.get('employee')

    @fields.depends('vehicle', '_parent_vehicle.plate',
        '_parent_vehicle.vin', '_parent_vehicle.model')
    def on_change_with_vehicle_label(self, name=None):
        "Return how the calendar shows the vehicle: plate and model"
        if not self.vehicle:
            return
        vehicle = self.vehicle
        # a car without a plate yet by the end of its VIN
        items = [vehicle.plate or f'…{vehicle.vin[-6:]}']
        if vehicle.model:
            items.append(vehicle.model.rec_name)
        return ' '.join(items)

    def get_rec_name(self, name):
        start = self.format_time(
            self.planned_start, self.user_tzinfo(self.company))
        return f'{self.vehicle.rec_name} @ {start}'

    @classmethod
    def format_time(cls, value, tzinfo):
        """Return the naive UTC time in the timezone, in the language's date
        and time format (as the client shows it)"""
        pool = Pool()
        Lang = pool.get('ir.lang')
        return Lang.get().strftime(
            value.replace(tzinfo=UTC).astimezone(tzinfo))

    @classmethod
    def user_tzinfo(cls, company=None):
        """Return the timezone of the context, else of the user's company,
        else of the company, else of the server"""
        pool = Pool()
        Company = pool.get('company.company')
        context = Transaction().context
        if context.get('timezone'):
            return get_tzinfo(context['timezone'])
        company_id = context.get('company')
        if company_id is not None and company_id >= 0:
            company = Company(company_id)
        return cls.company_tzinfo(company)

    @staticmethod
    def company_tzinfo(company):
        "Return the timezone of the company, else of the server"
        if company and company.timezone:
            return get_tzinfo(company.timezone)
        return SERVER

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('vehicle.rec_name', *clause[1:])]

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
    def check_values(cls, items):
        """Refuse, naming the vehicle, planned times that end before they
        start and vehicles that cannot be booked; items are (booking, values).
        Before the write: PostgreSQL refuses an end before the start when it
        computes the constraint's range, with a database error."""
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        Company = pool.get('company.company')
        Configuration = pool.get('dms.configuration')
        fields_ = ['vehicle', 'planned_start', 'planned_end', 'state',
            'company']
        tzinfo = cls.user_tzinfo()
        longest = Configuration(1).booking_max_days
        for booking, values in items:
            if booking is None:
                vehicle, start, end, state, company = (
                    values.get(f) for f in fields_)
                state = state or cls.default_state()
                company = company or cls.default_company()
            elif values.keys() & set(fields_):
                vehicle, start, end, state, company = (
                    values.get(f, getattr(booking, f)) for f in fields_)
            else:
                continue
            if vehicle is None:
                continue
            vehicle = Vehicle(int(vehicle))
            company = Company(int(company)) if company is not None else None
            cls.check_holder(vehicle, company, state)
            if start and end and end <= start:
                raise BookingValidationError(gettext(
                        'dms_vehicle.msg_booking_planned_end',
                        vehicle=vehicle.rec_name,
                        start=cls.format_time(start, tzinfo),
                        end=cls.format_time(end, tzinfo)))
            if (start and end and longest
                    and end - start > dt.timedelta(days=longest)):
                raise BookingValidationError(gettext(
                        'dms_vehicle.msg_booking_too_long',
                        vehicle=vehicle.rec_name,
                        start=cls.format_time(start, tzinfo),
                        end=cls.format_time(end, tzinfo),
                        days=longest))
            if state in {'reserved', 'out'} and vehicle.state in UNBOOKABLE:
                raise BookingValidationError(gettext(
                        'dms_vehicle.msg_booking_vehicle_state',
                        vehicle=vehicle.rec_name,
                        state=vehicle.state_string))

    @classmethod
    def check_holder(cls, vehicle, company, state):
        """Refuse a booking of a vehicle by another rooftop than the one
        that holds it"""
        holder = vehicle.holding_company
        if (state in {'reserved', 'out'} and holder and company
                and holder != company):
            raise BookingValidationError(gettext(
                    'dms_vehicle.msg_booking_other_rooftop',
                    vehicle=vehicle.rec_name,
                    company=company.rec_name,
                    holder=holder.rec_name))

    @classmethod
    def validate_fields(cls, bookings, field_names):
        super().validate_fields(bookings, field_names)
        cls.check_hand_over(bookings, field_names)

    @classmethod
    def check_hand_over(cls, bookings, field_names=None):
        """Refuse a return before the hand-out, a return mileage below the
        mileage out and levels outside 0 to 100%"""
        pool = Pool()
        Lang = pool.get('ir.lang')
        names = {
            'actual_out', 'actual_in', 'mileage_out', 'mileage_in',
            'fuel_out', 'fuel_in'}
        if field_names and not (field_names & names):
            return
        lang = Lang.get()
        tzinfo = cls.user_tzinfo()
        for booking in bookings:
            if (booking.actual_out and booking.actual_in
                    and booking.actual_in < booking.actual_out):
                raise BookingValidationError(gettext(
                        'dms_vehicle.msg_booking_actual_in',
                        booking=booking.rec_name,
                        actual_in=cls.format_time(booking.actual_in, tzinfo),
                        actual_out=cls.format_time(
                            booking.actual_out, tzinfo)))
            for mileage in [booking.mileage_out, booking.mileage_in]:
                if mileage is not None and mileage < 0:
                    raise BookingValidationError(gettext(
                            'dms_vehicle.msg_booking_mileage_negative',
                            booking=booking.rec_name,
                            mileage=lang.format_number(mileage)))
            if (booking.mileage_out is not None
                    and booking.mileage_in is not None
                    and booking.mileage_in < booking.mileage_out):
                raise BookingValidationError(gettext(
                        'dms_vehicle.msg_booking_mileage_in_lower',
                        booking=booking.rec_name,
                        mileage_in=lang.format_number(booking.mileage_in),
                        mileage_out=lang.format_number(booking.mileage_out)))
            for level in [booking.fuel_out, booking.fuel_in]:
                if level is not None and not 0 <= level <= 100:
                    raise BookingValidationError(gettext(
                            'dms_vehicle.msg_booking_fuel',
                            booking=booking.rec_name,
                            level=lang.format_number(level)))

    @classmethod
    def check_overlap(cls, items):
        """Refuse a time another booking of the vehicle holds, naming it;
        items are (booking, values).  Before the write: the exclusion
        constraint's message cannot name the other booking."""
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        fields_ = ['vehicle', 'planned_start', 'planned_end', 'state']
        company_id = Transaction().context.get('company')
        tzinfo = cls.user_tzinfo()

        def time(value):
            return cls.format_time(value, tzinfo)

        for booking, values in items:
            if booking is None:
                slot = {f: values.get(f) for f in fields_}
                slot['state'] = slot['state'] or cls.default_state()
            elif values.keys() & set(fields_):
                slot = {f: values.get(f, getattr(booking, f)) for f in fields_}
            else:
                continue
            if (slot['state'] == 'cancelled' or not slot['vehicle']
                    or not slot['planned_start'] or not slot['planned_end']):
                continue
            vehicle = Vehicle(int(slot['vehicle']))
            domain = [
                ('vehicle', '=', vehicle.id),
                ('state', '!=', 'cancelled'),
                ('planned_start', '<', slot['planned_end']),
                ('planned_end', '>', slot['planned_start']),
                ]
            if booking is not None:
                domain.append(('id', '!=', booking.id))
            # The booking in the way may be another rooftop's
            with without_check_access():
                others = cls.search(
                    domain, limit=1, order=[('planned_start', 'ASC')])
                if not others:
                    continue
                other, = others
                if other.company.id == company_id:
                    raise BookingValidationError(gettext(
                            'dms_vehicle.msg_booking_overlap',
                            vehicle=vehicle.rec_name,
                            start=time(other.planned_start),
                            end=time(other.planned_end),
                            booking=(other.borrower.rec_name if other.borrower
                                else other.purpose_string)))
                # Not the borrower: another rooftop's customer
                raise BookingValidationError(gettext(
                        'dms_vehicle.msg_booking_overlap_company',
                        vehicle=vehicle.rec_name,
                        company=other.company.rec_name,
                        start=time(other.planned_start),
                        end=time(other.planned_end),
                        purpose=other.purpose_string))

    @classmethod
    def check_modification(cls, mode, bookings, values=None, external=False):
        super().check_modification(
            mode, bookings, values=values, external=external)
        if mode == 'write':
            items = [(b, values) for b in bookings]
            cls.check_values(items)
            cls.check_overlap(items)
        elif mode == 'delete':
            for booking in bookings:
                if booking.state in {'out', 'returned'}:
                    raise AccessError(gettext(
                            'dms_vehicle.msg_booking_delete',
                            booking=booking.rec_name))

    @classmethod
    def copy(cls, bookings, default=None):
        default = default.copy() if default is not None else {}
        for name in ['actual_out', 'actual_in', 'mileage_out', 'mileage_in',
                'fuel_out', 'fuel_in']:
            default.setdefault(name)
        default.setdefault('state', cls.default_state())
        return super().copy(bookings, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('out')
    def check_out(cls, bookings):
        # The vehicle may have moved to another rooftop since it was booked
        for booking in bookings:
            cls.check_holder(booking.vehicle, booking.company, 'out')
        cls._hand_over(
            bookings, 'mileage_out', 'actual_out',
            'dms_vehicle.msg_booking_mileage_out',
            lambda booking, now: now)

    @classmethod
    @ModelView.button
    @Workflow.transition('returned')
    def check_in(cls, bookings):
        cls._hand_over(
            bookings, 'mileage_in', 'actual_in',
            'dms_vehicle.msg_booking_mileage_in',
            lambda booking, now: max(now, booking.actual_out or now))

    @classmethod
    def _hand_over(cls, bookings, mileage_name, time_name, message, default):
        """Record the time (default(booking, now) when empty) and the
        mileage reading of handing the vehicles out or taking them back"""
        pool = Pool()
        Mileage = pool.get('dms.vehicle.mileage')
        now = dt.datetime.now()
        readings = []
        for booking in bookings:
            reading = getattr(booking, mileage_name)
            if reading is None:
                raise BookingStateError(gettext(
                        message, booking=booking.rec_name))
            if not getattr(booking, time_name):
                setattr(booking, time_name, default(booking, now))
            readings.append(
                booking._mileage(reading, getattr(booking, time_name)))
        cls.save(bookings)
        Mileage.create(readings)

    def _mileage(self, reading, when):
        "Return the values of the mileage reading at the (UTC) time"
        return {
            'vehicle': self.vehicle.id,
            'date': self._local_date(when),
            'reading': reading,
            'source': 'booking',
            }

    def _local_date(self, when):
        "Return the date of the UTC time in the rooftop's timezone"
        tzinfo = self.company_tzinfo(self.company)
        return when.replace(tzinfo=UTC).astimezone(tzinfo).date()

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, bookings):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('reserved')
    def reserve(cls, bookings):
        pass
